// The admin console's phones: bind to an agent, control settings, test, write into the phone.
import { useCallback, useState, type FormEvent } from 'react';
import type { RestClient } from '../../api/rest';
import type { Device, DeviceView, HealthReport } from '../../api/types';
import { PhoneForm } from '../phoneParts';
import { confirmed, StatusLine, useLoaded, adminErrorText, type Status } from './shared';

function withControl(device: DeviceView): device is Device {
  return !('withheld' in device.control);
}

export function PhonesSection({ rest, version, changed, health }: { rest: RestClient; version: number; changed: () => void; health: HealthReport | null }) {
  const devices = useLoaded(useCallback(() => rest.devices(), [rest]), version);
  const agents = useLoaded(useCallback(() => rest.agents(), [rest]), version);
  const [mac, setMac] = useState('');
  const [agent, setAgent] = useState('');
  const [status, setStatus] = useState<Status>(null);
  const list = agents.value ?? [];
  const bind = (phone: string, owner: string, what: string) => rest.bindDevice(phone, owner).then((device) => {
    setStatus({ tone: 'ok', text: what.replace('{mac}', device.mac) });
    changed();
    return true;
  }, (error: unknown) => {
    setStatus({ tone: 'bad', text: adminErrorText(error) });
    return false;
  });
  const add = (event: FormEvent) => {
    event.preventDefault();
    const owner = list.find((a) => a.id === agent);
    void bind(mac, agent, `Phone {mac} is now ${owner?.name ?? agent}’s.`).then((ok) => {
      if (ok) setMac('');
    });
  };
  const remove = (device: DeviceView) => {
    if (!confirmed(`Remove phone ${device.mac}? Its calls stay in the history; if it keeps sending calls it comes back without an owner.`)) return;
    rest.removeDevice(device.mac).then(() => {
      setStatus({ tone: 'ok', text: `Phone ${device.mac} removed.` });
      changed();
    }, (error: unknown) => setStatus({ tone: 'bad', text: adminErrorText(error) }));
  };
  return (
    <>
      <h3>Phones</h3>
      <form className="admin-form" onSubmit={add} aria-label="Add a phone">
        <div className="admin-form__fields">
          <label className="field" htmlFor="phone-new-mac">MAC address (on the label under the phone)
            <input id="phone-new-mac" value={mac} onChange={(e) => setMac(e.target.value)} required placeholder="00:0B:82:12:34:56" autoComplete="off" />
          </label>
          <label className="field" htmlFor="phone-new-agent">Agent
            <select id="phone-new-agent" value={agent} onChange={(e) => setAgent(e.target.value)} required>
              <option value="">Choose…</option>
              {list.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
            </select>
          </label>
        </div>
        <div className="admin-form__actions">
          <button type="submit" className="button button--primary">Add phone</button>
        </div>
      </form>
      <StatusLine status={status} testId="phones-status" />
      {devices.error ? <p className="error" role="alert">{devices.error}</p> : null}
      {devices.value && devices.value.length === 0 ? <p className="empty">No phones yet. A phone appears here once it sends its first call, or add it above.</p> : null}
      {(devices.value ?? []).map((device) => (
        <div key={device.mac} className="admin-card" data-phone={device.mac}>
          <div className="admin-card__head">
            <label className="field field--inline" htmlFor={`phone-owner-${device.mac}`}>Agent
              <select
                id={`phone-owner-${device.mac}`}
                value={device.agent ?? ''}
                onChange={(e) => {
                  if (e.target.value !== '') void bind(device.mac, e.target.value, `Phone {mac} is now ${list.find((a) => a.id === e.target.value)?.name ?? e.target.value}’s.`);
                }}
              >
                {device.agent === null ? <option value="">Nobody yet</option> : null}
                {device.agent !== null && !list.some((a) => a.id === device.agent) ? <option value={device.agent}>{device.agent}</option> : null}
                {list.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
              </select>
            </label>
            <button type="button" className="button button--small button--danger" onClick={() => remove(device)} aria-label={`Remove phone ${device.mac}`}>Remove</button>
          </div>
          {withControl(device)
            ? <PhoneForm rest={rest} device={device} isAdmin status={health?.phones?.find((p) => p.mac === device.mac)} onSaved={changed} />
            : <p className="mono">{device.mac}</p>}
        </div>
      ))}
    </>
  );
}
