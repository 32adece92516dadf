// Settings: the phone Ringside drives (address and credentials, with a test login), this seat's
// addresses and ports, the shared services with their (masked) URLs and a Test each, and the Action
// URL lines. GET /api/settings says what this Ringside runs with, never a secret; testing the
// services, the phone's address and login (an agent sees only whether Ringside can drive their
// phone) and the Action URL lines (they carry the webhook token) need the admin token, and an
// agent's screen says so instead.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, describeError, type RestClient } from '../api/rest';
import type { ActionUrlsView, Device, DeviceView, HealthReport, PhoneHealthEntry, ServiceProbe, SessionInfo, SettingsView } from '../api/types';
import { formatWhen } from '../format';
import { provisionSummary } from '../provisioning';
import { phoneReady } from '../../../protocol/rules';

export interface SettingsProps {
  rest: RestClient;
  devices: readonly DeviceView[];
  me: string | null;
  /** GET /api/session: the admin token (kind admin) may test services and see the Action URLs. */
  session: SessionInfo | null;
  health: HealthReport | null;
  onSaved: () => void;
}

const ACTION_URLS_COMMAND = 'npx ringside action-urls';

type Notice = { tone: 'ok' | 'bad'; text: string };

function copyText(text: string): Promise<boolean> {
  return navigator.clipboard ? navigator.clipboard.writeText(text).then(() => true, () => false) : Promise.resolve(false);
}

function CopyButton({ text, label, caption = 'Copy' }: { text: string; label: string; caption?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button type="button" className="button button--small" aria-label={label} onClick={() => void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'))}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : caption}
    </button>
  );
}

function phoneTestNotice(error: unknown): Notice {
  if (error instanceof ApiError && error.code === 'not_your_phone') return { tone: 'bad', text: 'This is not your phone.' };
  return { tone: 'bad', text: describeError(error) };
}

/** The admin's view of a phone carries its control settings; an agent's only whether Ringside can drive it. */
function withControlDetails(device: DeviceView): device is Device {
  return !('withheld' in device.control);
}

/** Logs in to the phone with its saved settings and reads its status (POST /api/devices/:mac/control/test). */
function usePhoneTest(rest: RestClient, mac: string) {
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

function PhoneStatus({ device, status }: { device: DeviceView; status: PhoneHealthEntry | undefined }) {
  return (
    <>
      <dt>Status</dt>
      <dd>
        <span className={`state--${status?.state ?? 'unknown'}`}>{status?.state.replace('_', ' ') ?? 'unknown'}</span>
        {device.lastSeenAt ? <span className="muted">last heard {formatWhen(device.lastSeenAt, Date.now())}</span> : null}
      </dd>
    </>
  );
}

/** An agent's own phone: its state, whether Ringside can drive it, and a test login. Where it is and the login are the administrator's. */
function PhoneSummary({ rest, device, status }: { rest: RestClient; device: DeviceView; status: PhoneHealthEntry | undefined }) {
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
        <dt>Login</dt>
        <dd>
          <button type="button" className="button button--small" onClick={test} disabled={testing} aria-label={`Test phone ${device.mac}`}>Test</button>
          <span className="muted">logs in with the saved settings and reads the phone&apos;s status</span>
        </dd>
      </dl>
      <p className="muted">The phone&apos;s address and login are set by an administrator and shown only with the admin token.</p>
      {result ? <p className={`notice notice--${result.tone}`} role="status" data-phone-result={device.mac}>{result.text}</p> : null}
    </div>
  );
}

function PhoneForm({ rest, device, status, isAdmin, onSaved }: { rest: RestClient; device: Device; status: PhoneHealthEntry | undefined; isAdmin: boolean; onSaved: () => void }) {
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
        text: error instanceof ApiError && error.status === 403 ? 'Only an administrator can change the phone settings (it needs the admin token).' : describeError(error),
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
              <span className="muted">fills the empty slots with the lines below; never overwrites someone else&apos;s URL</span>
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
      {isAdmin ? null : <p className="muted">Changing these needs the admin token; Test uses what is saved.</p>}
      {result ? <p className={`notice notice--${result.tone}`} role="status" data-phone-result={device.mac}>{result.text}</p> : null}
    </form>
  );
}

type Service = 'redis' | 'rabbitmq';
const SERVICE_LABEL: Record<Service | 'listener', string> = { listener: 'Phone listener', redis: 'Redis', rabbitmq: 'RabbitMQ' };

function stateText(state: string): string {
  return state === 'embedded' ? 'not used (embedded)' : state;
}

/**
 * One shared service: its health, its masked URL and names, and a Test. The admin's Test asks the
 * service now (PING, a channel); an agent's re-reads the health Ringside reports.
 */
function ServiceRow({ rest, service, state, details, isAdmin }: { rest: RestClient; service: Service; state: string | undefined; details: string[] | null; isAdmin: boolean }) {
  const [checked, setChecked] = useState<{ state: string; text: string; tone: 'ok' | 'bad' | 'plain'; at: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const check = () => {
    setBusy(true);
    const work = isAdmin
      ? rest.testService(service).then((probe: ServiceProbe) => setChecked({
        state: probe.state,
        tone: probe.ok ? 'ok' : probe.state === 'embedded' ? 'plain' : 'bad',
        text: probe.ok ? `test passed${probe.latencyMs !== undefined ? ` in ${probe.latencyMs} ms` : ''}` : probe.state === 'embedded' ? 'not configured' : `test failed${probe.error ? `: ${probe.error}` : ''}`,
        at: Date.now(),
      }))
      : rest.health().then((report) => setChecked({ state: String(report[service]), tone: 'plain', text: 'health read again', at: Date.now() }));
    work.catch((error: unknown) => setChecked({ state: state ?? 'unknown', tone: 'bad', text: `not checked: ${describeError(error)}`, at: Date.now() })).finally(() => setBusy(false));
  };
  const shown = checked?.state ?? state ?? 'unknown';
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

function ActionUrls({ rest, isAdmin }: { rest: RestClient; isAdmin: boolean }) {
  const [view, setView] = useState<ActionUrlsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!isAdmin) return undefined;
    let current = true;
    rest.actionUrls().then((v) => current && setView(v), (e: unknown) => current && setError(describeError(e)));
    return () => {
      current = false;
    };
  }, [rest, isAdmin]);

  if (!isAdmin) {
    return (
      <>
        <p>The lines to paste into the phone (Settings → Outbound Notification → Action URL) carry the webhook token, so they are shown to the administrator or printed on the Ringside machine:</p>
        <p><code className="block">{ACTION_URLS_COMMAND}</code></p>
        <p><CopyButton text={ACTION_URLS_COMMAND} label="Copy the command" caption="Copy the command" /></p>
      </>
    );
  }
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

export function Settings({ rest, devices, me, session, health, onSaved }: SettingsProps) {
  const isAdmin = session?.kind === 'admin';
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [settingsError, setSettingsError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let current = true;
    rest.settings().then(
      (s) => {
        if (!current) return;
        setSettings(s);
        setSettingsError(null);
      },
      (e: unknown) => current && setSettingsError(describeError(e)),
    );
    return () => {
      current = false;
    };
  }, [rest, version]);
  const saved = useCallback(() => {
    setVersion((v) => v + 1);
    onSaved();
  }, [onSaved]);

  // The server's list of the caller's own phones; until it answers, the devices bound to this agent.
  const mine = settings?.phones ?? (me === null ? devices : devices.filter((d) => d.agent === me));
  const redisDetails = settings?.redis ? [settings.redis.url, `DB ${settings.redis.callsDb} / ${settings.redis.cacheDb}`, `prefix ${settings.redis.keyPrefix}`] : null;
  const amqpDetails = settings?.amqp ? [settings.amqp.url, `exchange ${settings.amqp.exchange}`, `queue ${settings.amqp.queue} ×${settings.amqp.shards}`] : null;
  return (
    <section className="panel" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {settingsError ? <p className="error" role="alert">{settingsError}</p> : null}

      <h3>Phone</h3>
      {mine.length === 0 ? <p className="empty">{isAdmin ? 'No phone is known yet.' : 'No phone is bound to you yet. An administrator binds it (POST /api/devices).'}</p> : mine.map((device) => {
        const status = health?.phones?.find((p) => p.mac === device.mac);
        return withControlDetails(device)
          ? <PhoneForm key={device.mac} rest={rest} device={device} isAdmin={isAdmin} status={status} onSaved={saved} />
          : <PhoneSummary key={device.mac} rest={rest} device={device} status={status} />;
      })}

      <h3>This seat</h3>
      <dl className="settings-grid" aria-label="This seat">
        <dt>Agent API</dt>
        <dd className="mono" data-setting="api">{settings ? `${settings.api.host}:${settings.api.port}` : window.location.host}</dd>
        <dt>Phone listener</dt>
        <dd className="mono" data-setting="webhook">{settings ? `${settings.webhook.host}:${settings.webhook.port}` : '…'}</dd>
        <dt>Phones reach it at</dt>
        <dd className="mono" data-setting="public">{settings ? `${settings.webhook.publicHost}:${settings.webhook.port}` : '…'}</dd>
      </dl>

      <h3>Shared services</h3>
      <dl className="settings-grid" aria-label="Shared services">
        <dt>{SERVICE_LABEL.listener}</dt>
        <dd data-service="listener"><span className={`state--${health?.listener ?? 'unknown'}`}>{health?.listener ?? 'unknown'}</span></dd>
        <ServiceRow rest={rest} service="redis" state={health?.redis} details={redisDetails} isAdmin={isAdmin} />
        <ServiceRow rest={rest} service="rabbitmq" state={health?.rabbitmq} details={amqpDetails} isAdmin={isAdmin} />
        <dt>Waiting in the spool</dt>
        <dd className="mono">{health?.spoolDepth ?? '—'}</dd>
        <dt>Saving to disk</dt>
        <dd data-service="storage">
          <span className={`state--${health?.storage?.state ?? 'unknown'}`}>
            {health?.storage ? (health.storage.state === 'up' ? 'up' : `down: ${health.storage.reason ?? 'write failed'}`) : 'unknown'}
          </span>
        </dd>
      </dl>
      <p className="muted">
        {isAdmin
          ? 'Test asks the service now on the connection in use (Redis: PING; RabbitMQ: a channel).'
          : 'Testing a service needs the admin token; Check reads the health Ringside reports again.'}
        {' '}The URLs are set on the Ringside machine (REDIS_URL, AMQP_URL); passwords are never shown.
      </p>

      <h3>Action URLs for the phone</h3>
      <ActionUrls rest={rest} isAdmin={isAdmin} />
    </section>
  );
}
