// Settings: the phone Ringside drives (address and credentials), this seat's addresses, the shared
// services with a check each, and where the Action URL lines come from. The agent API shows the
// UI only part of the configuration (see the notes below each section); nothing is made up.
import { useState, type FormEvent } from 'react';
import { ApiError, describeError, type RestClient } from '../api/rest';
import type { Device, HealthReport, PhoneHealthEntry } from '../api/types';
import { formatWhen } from '../format';

export interface SettingsProps {
  rest: RestClient;
  devices: readonly Device[];
  me: string | null;
  health: HealthReport | null;
  onSaved: () => void;
}

const ACTION_URLS_COMMAND = 'npx ringside action-urls';

function PhoneForm({ rest, device, status, onSaved }: { rest: RestClient; device: Device; status: PhoneHealthEntry | undefined; onSaved: () => void }) {
  const [host, setHost] = useState(device.control.hostFromEvents ? '' : (device.control.host ?? ''));
  const [port, setPort] = useState(String(device.control.port));
  const [username, setUsername] = useState(device.control.username);
  const [password, setPassword] = useState('');
  const [result, setResult] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setResult(null);
    const portNumber = Number(port);
    rest.saveControl(device.mac, {
      // Empty means "the address the phone reports" (null restores the default).
      host: host.trim() === '' ? null : host.trim(),
      port: Number.isInteger(portNumber) && portNumber > 0 ? portNumber : null,
      username: username.trim() === '' ? null : username.trim(),
      ...(password !== '' ? { password } : {}),
    }).then(
      () => {
        setPassword('');
        setResult({ tone: 'ok', text: 'Saved. The next command to the phone logs in afresh.' });
        onSaved();
      },
      (error: unknown) => setResult({
        tone: 'bad',
        text: error instanceof ApiError && error.status === 403 ? 'Only an administrator can change the phone settings (it needs the admin token).' : describeError(error),
      }),
    );
  };

  const id = (name: string) => `phone-${device.mac}-${name}`;
  return (
    <form onSubmit={save} aria-label={`Phone ${device.mac}`}>
      <dl className="settings-grid">
        <dt>Phone</dt>
        <dd className="mono">{device.mac}</dd>
        <dt>Status</dt>
        <dd>
          <span className={`state--${status?.state ?? 'unknown'}`}>{status?.state.replace('_', ' ') ?? 'unknown'}</span>
          {device.lastSeenAt ? <span className="muted">last heard {formatWhen(device.lastSeenAt, Date.now())}</span> : null}
        </dd>
        <dt>Address in use</dt>
        <dd>{device.control.host ?? 'none yet'}{device.control.hostFromEvents ? <span className="muted">(as the phone reported it)</span> : null}</dd>
        <dt>Password</dt>
        <dd>{device.control.passwordSet ? 'set' : 'not set: Ringside cannot answer, hang up or dial on this phone'}</dd>
      </dl>
      <div className="control-form">
        <label className="field" htmlFor={id('host')}>Address (empty: as reported)
          <input id={id('host')} value={host} onChange={(e) => setHost(e.target.value)} placeholder={device.control.host ?? '192.168.1.50'} autoComplete="off" />
        </label>
        <label className="field" htmlFor={id('port')}>Port
          <input id={id('port')} inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
        </label>
        <label className="field" htmlFor={id('user')}>User name
          <input id={id('user')} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
        </label>
        <label className="field" htmlFor={id('password')}>Password {device.control.passwordSet ? '(empty: keep)' : ''}
          <input id={id('password')} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        </label>
        <button type="submit" className="button button--primary">Save</button>
      </div>
      {result ? <p className={`notice notice--${result.tone}`} role="status">{result.text}</p> : null}
    </form>
  );
}

type Service = 'listener' | 'redis' | 'rabbitmq';
const SERVICE_LABEL: Record<Service, string> = { listener: 'Phone listener', redis: 'Redis', rabbitmq: 'RabbitMQ' };

function ServiceRow({ rest, service, state }: { rest: RestClient; service: Service; state: string | undefined }) {
  const [checked, setChecked] = useState<{ state: string; at: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const check = () => {
    setBusy(true);
    rest.health().then(
      (report) => setChecked({ state: String(report[service]), at: Date.now() }),
      (error: unknown) => setChecked({ state: `not checked: ${describeError(error)}`, at: Date.now() }),
    ).finally(() => setBusy(false));
  };
  const shown = checked?.state ?? state ?? 'unknown';
  return (
    <>
      <dt>{SERVICE_LABEL[service]}</dt>
      <dd data-service={service}>
        <span className={`state--${shown}`}>{shown === 'embedded' ? 'not used (embedded)' : shown}</span>
        <button type="button" className="button button--small" onClick={check} disabled={busy} aria-label={`Test ${SERVICE_LABEL[service]}`}>
          Test
        </button>
        {checked ? <span className="muted">checked {new Date(checked.at).toLocaleTimeString()}</span> : null}
      </dd>
    </>
  );
}

export function Settings({ rest, devices, me, health, onSaved }: SettingsProps) {
  const mine = me === null ? devices : devices.filter((d) => d.agent === me);
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard?.writeText(ACTION_URLS_COMMAND).then(() => setCopied(true), () => setCopied(false));
  };
  return (
    <section className="panel" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>

      <h3>Phone</h3>
      {mine.length === 0 ? <p className="empty">No phone is bound to you yet. An administrator binds it (POST /api/devices).</p> : mine.map((device) => (
        <PhoneForm key={device.mac} rest={rest} device={device} status={health?.phones?.find((p) => p.mac === device.mac)} onSaved={onSaved} />
      ))}

      <h3>This seat</h3>
      <dl className="settings-grid">
        <dt>Agent API</dt>
        <dd className="mono">{window.location.origin} (port {window.location.port || (window.location.protocol === 'https:' ? '443' : '80')})</dd>
        <dt>Phone listener port</dt>
        <dd className="muted">set on the Ringside machine (RINGSIDE_WEBHOOK_PORT, default 7789); the API does not report it</dd>
      </dl>

      <h3>Shared services</h3>
      <dl className="settings-grid">
        <ServiceRow rest={rest} service="listener" state={health?.listener} />
        <ServiceRow rest={rest} service="redis" state={health?.redis} />
        <ServiceRow rest={rest} service="rabbitmq" state={health?.rabbitmq} />
        <dt>Waiting in the spool</dt>
        <dd className="mono">{health?.spoolDepth ?? '—'}</dd>
      </dl>
      <p className="muted">The Redis and RabbitMQ addresses are set on the Ringside machine (REDIS_URL, AMQP_URL; <code>npx ringside config</code> prints them with secrets masked).</p>

      <h3>Action URLs for the phone</h3>
      <p>The lines to paste into the phone (Settings → Outbound Notification → Action URL) carry the webhook token, so they are printed on the Ringside machine:</p>
      <code className="block">{ACTION_URLS_COMMAND}</code>
      <p>
        <button type="button" className="button button--small" onClick={copy}>{copied ? 'Copied' : 'Copy the command'}</button>
      </p>
    </section>
  );
}
