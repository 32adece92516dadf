// The phone and service pieces the screens share: a phone's status and test login, the admin's form
// for a phone's control settings and "write into the phone", a shared service's health with its
// Test, and the Action URL lines with copy buttons. The agent's Settings shows their own phone
// (PhoneSummary); everything else is the admin console's (AdminConsole.tsx).
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, describeError, type RestClient } from '../api/rest';
import type { ActionUrlsView, Device, DeviceView, PhoneHealthEntry, ServiceProbe } from '../api/types';
import { formatWhen } from '../format';
import { provisionSummary } from '../provisioning';
import { phoneReady } from '../../../protocol/rules';

export type Notice = { tone: 'ok' | 'bad'; text: string };

export function copyText(text: string): Promise<boolean> {
  return navigator.clipboard ? navigator.clipboard.writeText(text).then(() => true, () => false) : Promise.resolve(false);
}

export function CopyButton({ text, label, caption = 'Copy' }: { text: string; label: string; caption?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button type="button" className="button button--small" aria-label={label} onClick={() => void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'))}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : caption}
    </button>
  );
}

export function phoneTestNotice(error: unknown): Notice {
  if (error instanceof ApiError && error.code === 'not_your_phone') return { tone: 'bad', text: 'This is not your phone.' };
  return { tone: 'bad', text: describeError(error) };
}

/** The admin's view of a phone carries its control settings; an agent's only whether Ringside can drive it. */
export function withControlDetails(device: DeviceView): device is Device {
  return !('withheld' in device.control);
}

/** Logs in to the phone with its saved settings and reads its status (POST /api/devices/:mac/control/test). */
export function usePhoneTest(rest: RestClient, mac: string) {
  const [result, setResult] = useState<Notice | null>(null);
  const [testing, setTesting] = useState(false);
  const test = () => {
    setTesting(true);
    setResult(null);
    rest.testPhone(mac).then(
      (answer) => setResult({ tone: 'ok', text: `Logged in${answer.loginForm ? ` (${answer.loginForm === 'session' ? 'session' : 'passcode'} login)` : ''}; the phone is ${answer.phoneStatus}.` }),
      (error: unknown) => setResult(phoneTestNotice(error)),
    ).finally(() => setTesting(false));
  };
  return { result, setResult, testing, setTesting, test };
}

/** A phone's health in words (the server's states: src/protocol/views.ts phoneHealthState). */
const PHONE_STATE_TEXT: Readonly<Record<string, string>> = {
  registered: 'registered: ready for calls', reachable: 'answering', unreachable: 'does not answer', signed_off: 'signed off from the phone system', booted: 'just restarted',
  unknown: 'not heard from yet',
};

export function phoneStateText(state: string | undefined): string {
  return PHONE_STATE_TEXT[state ?? 'unknown'] ?? (state ?? 'unknown').replace(/_/g, ' ');
}

export function PhoneStatus({ device, status }: { device: DeviceView; status: PhoneHealthEntry | undefined }) {
  return (
    <>
      <dt>Status</dt>
      <dd>
        <span className={`state--${status?.state ?? 'unknown'}`}>{phoneStateText(status?.state)}</span>
        {device.lastSeenAt ? <span className="muted">last heard {formatWhen(device.lastSeenAt, Date.now())}</span> : null}
      </dd>
    </>
  );
}

/** An agent's own phone: its state, whether Ringside can drive it, and a test login. Where it is and the login are the administrator's. */
export function PhoneSummary({ rest, device, status }: { rest: RestClient; device: DeviceView; status: PhoneHealthEntry | undefined }) {
  const { result, testing, test } = usePhoneTest(rest, device.mac);
  return (
    <div aria-label={`Phone ${device.mac}`} role="group">
      <dl className="settings-grid">
        <dt>Phone</dt>
        <dd className="mono">{device.mac}</dd>
        <PhoneStatus device={device} status={status} />
        <dt>Driven by Ringside</dt>
        <dd data-phone-ready={device.mac}>
          {phoneReady(device) ? 'yes: Ringside can answer, hang up and dial on this phone' : 'not yet: an administrator sets the phone’s address and password'}
        </dd>
        <dt>Connection</dt>
        <dd>
          <button type="button" className="button button--small" onClick={test} disabled={testing} aria-label={`Test phone ${device.mac}`}>Test</button>
          <span className="muted">checks that Ringside can reach your phone now</span>
        </dd>
      </dl>
      <p className="muted">Where the phone is and how Ringside logs in to it are set by your administrator.</p>
      {result ? <p className={`notice notice--${result.tone}`} role="status" data-phone-result={device.mac}>{result.text}</p> : null}
    </div>
  );
}

export function PhoneForm({ rest, device, status, isAdmin, onSaved }: { rest: RestClient; device: Device; status: PhoneHealthEntry | undefined; isAdmin: boolean; onSaved: () => void }) {
  const [host, setHost] = useState(device.control.hostFromEvents ? '' : (device.control.host ?? ''));
  const [port, setPort] = useState(String(device.control.port));
  const [username, setUsername] = useState(device.control.username);
  const [password, setPassword] = useState('');
  const { result, setResult, testing, setTesting, test } = usePhoneTest(rest, device.mac);

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
        text: error instanceof ApiError && error.status === 403 ? 'Only an administrator can change the phone settings.' : describeError(error),
      }),
    );
  };

  const provision = () => {
    setTesting(true);
    setResult(null);
    rest.provisionPhone(device.mac).then(
      (report) => setResult(provisionSummary(report)),
      (error: unknown) => setResult(phoneTestNotice(error)),
    ).finally(() => setTesting(false));
  };

  const id = (name: string) => `phone-${device.mac}-${name}`;
  return (
    <form onSubmit={save} aria-label={`Phone ${device.mac}`}>
      <dl className="settings-grid">
        <dt>Phone</dt>
        <dd className="mono">{device.mac}{isAdmin && device.agent ? <span className="muted">({device.agent})</span> : null}</dd>
        <PhoneStatus device={device} status={status} />
        <dt>Address in use</dt>
        <dd>{device.control.host ?? 'none yet'}{device.control.hostFromEvents ? <span className="muted">(as the phone reported it)</span> : null}</dd>
        <dt>Password</dt>
        <dd>{device.control.passwordSet ? 'set' : 'not set: Ringside cannot answer, hang up or dial on this phone'}</dd>
        <dt>Login</dt>
        <dd>
          <button type="button" className="button button--small" onClick={test} disabled={testing} aria-label={`Test phone ${device.mac}`}>Test</button>
          <span className="muted">logs in with the saved settings and reads the phone&apos;s status</span>
        </dd>
        {isAdmin ? (
          <>
            <dt>Action URLs</dt>
            <dd>
              <button type="button" className="button button--small" onClick={provision} disabled={testing} aria-label={`Write the Action URLs into phone ${device.mac}`}>Write into the phone</button>
              <span className="muted">fills the phone&apos;s empty Action URL slots (listed under Connect a phone); never overwrites someone else&apos;s URL</span>
            </dd>
          </>
        ) : null}
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
      {result ? <p className={`notice notice--${result.tone}`} role="status" data-phone-result={device.mac}>{result.text}</p> : null}
    </form>
  );
}

export type Service = 'redis' | 'rabbitmq' | 'database';
export const SERVICE_LABEL: Record<Service | 'listener', string> = { listener: 'Phone listener', redis: 'Redis', rabbitmq: 'RabbitMQ', database: 'Call history database' };

export function stateText(state: string): string {
  return state === 'embedded' ? 'not used (embedded)' : state;
}

/**
 * One shared service: its health, its masked URL and names, and a Test. The admin's Test asks the
 * service now (PING, a channel); an agent's re-reads the health Ringside reports.
 */
export function ServiceRow({ rest, service, state, details, isAdmin }: { rest: RestClient; service: Service; state: string | undefined; details: string[] | null; isAdmin: boolean }) {
  const [checked, setChecked] = useState<{ state: string; text: string; tone: 'ok' | 'bad' | 'plain'; at: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const check = () => {
    setBusy(true);
    const answered = (result: { state: string; text: string; tone: 'ok' | 'bad' | 'plain' }) => setChecked({ ...result, at: Date.now() });
    const work = isAdmin
      ? rest.testService(service).then((probe: ServiceProbe) => answered({
        state: probe.state,
        tone: probe.ok ? 'ok' : probe.state === 'embedded' ? 'plain' : 'bad',
        text: probe.ok ? `test passed${probe.latencyMs !== undefined ? ` in ${probe.latencyMs} ms` : ''}` : probe.state === 'embedded' ? 'not configured' : `test failed${probe.error ? `: ${probe.error}` : ''}`,
      }))
      : rest.health().then((report) => answered({ state: report[service] ?? 'unknown', tone: 'plain', text: 'health read again' }));
    work.catch((error: unknown) => answered({ state: state ?? 'unknown', tone: 'bad', text: `not checked: ${describeError(error)}` })).finally(() => setBusy(false));
  };
  // The state follows the health messages (a Test's answer, with its time, is beside it): an old
  // answer would otherwise outlive the outage it saw, as health is only sent when it changes.
  const shown = state ?? checked?.state ?? 'unknown';
  return (
    <>
      <dt>{SERVICE_LABEL[service]}</dt>
      <dd data-service={service}>
        <span className={`state--${shown}`}>{stateText(shown)}</span>
        {details ? details.map((d) => <span key={d} className="mono">{d}</span>) : null}
        <button type="button" className="button button--small" onClick={check} disabled={busy} aria-label={`Test ${SERVICE_LABEL[service]}`}>
          {isAdmin ? 'Test' : 'Check'}
        </button>
        {checked ? (
          <span className={checked.tone === 'plain' ? 'muted' : `notice--${checked.tone}`} data-test-result={service}>
            {checked.text} · {new Date(checked.at).toLocaleTimeString()}
          </span>
        ) : null}
      </dd>
    </>
  );
}

/** The Action URL lines (admin only: they carry the webhook token), each with a copy button. */
export function ActionUrls({ rest }: { rest: RestClient }) {
  const [view, setView] = useState<ActionUrlsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    rest.actionUrls().then((v) => current && setView(v), (e: unknown) => current && setError(describeError(e)));
    return () => {
      current = false;
    };
  }, [rest]);

  if (error) return <p className="error" role="alert">{error}</p>;
  if (!view) return <p className="empty">Loading…</p>;
  return (
    <>
      <p>Paste each line into its event on the phone (Settings → Outbound Notification → Action URL), or let Ringside write them (<code>ringside provision</code>). Host {view.host}{view.hostSource === 'config' ? '' : ' (detected; set RINGSIDE_PUBLIC_HOST if the phones reach this machine by another address)'}, port {view.port}.</p>
      <p><CopyButton text={view.urls.map((u) => `${u.label} (${u.pValue}): ${u.url}`).join('\n')} label="Copy all Action URLs" caption="Copy all lines" /></p>
      <dl className="settings-grid" aria-label="Action URLs">
        {view.urls.map((u) => (
          <div key={u.pValue} className="settings-row">
            <dt>{u.label} <span className="muted">{u.pValue}</span></dt>
            <dd>
              <code className="mono action-url">{u.url}</code>
              <CopyButton text={u.url} label={`Copy ${u.label}`} />
              {u.tooLong ? <span className="notice--bad">too long for the phone</span> : null}
            </dd>
          </div>
        ))}
      </dl>
    </>
  );
}

