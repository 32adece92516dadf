// The first run of a seat: until the seat's phone has reported (or a call has arrived), the seat's
// own agent sees a short setup instead of the screens: who I am (name, extension), my phone (the
// lines to paste into it), and "Ring me", a test call that shows the real call card. "Skip" leads
// to the normal screens. Shown only to the seat's own agent of a single seat (GET /api/me `seat`).
import { useEffect, useState, type FormEvent } from 'react';
import { describeError, type RestClient } from '../api/rest';
import type { ActionUrlsView, ProvisionReport } from '../api/types';
import { provisionSummary } from '../provisioning';
import type { MeView, TestCallView } from '../../../protocol/responses';
import { CopyButton } from './phoneParts';

const DONE_KEY = 'ringside.setup.done';

/** Whether this agent finished or skipped the setup in this browser (or the Electron window). */
export function setupDismissed(agent: string): boolean {
  try {
    return window.localStorage.getItem(`${DONE_KEY}.${agent}`) === '1';
  } catch {
    return false;
  }
}

function rememberDone(agent: string): void {
  try {
    window.localStorage.setItem(`${DONE_KEY}.${agent}`, '1');
  } catch {
    // A browser without storage shows the setup again next time; nothing is lost.
  }
}

/**
 * Whether to show the setup: the seat's own agent, no phone reported, not skipped (false until
 * GET /api/me has answered). `phoneReported`/`callArrived` come from the live feed, so the setup
 * closes by itself when the phone's first event comes in.
 */
export function useFirstRunSetup(rest: RestClient | null, agent: string | null, live: { phoneReported: boolean; callArrived: boolean }) {
  const [me, setMe] = useState<MeView | null>(null);
  const [known, setKnown] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  useEffect(() => {
    if (!rest || !agent) return undefined;
    let current = true;
    rest.request<MeView>('GET', '/api/me').then(
      (view) => {
        if (!current) return;
        setMe(view);
        setKnown(true);
      },
      // An older server (no /api/me), or the admin: no setup.
      () => current && setKnown(true),
    );
    return () => {
      current = false;
    };
  }, [rest, agent]);

  const finished = live.phoneReported || live.callArrived || (me?.phoneReported ?? false);
  useEffect(() => {
    if (finished && agent && me?.seat) rememberDone(agent);
  }, [finished, agent, me]);

  const show = known && me !== null && me.seat && !finished && !dismissed && !setupDismissed(me.agent.id);
  const skip = () => {
    if (me) rememberDone(me.agent.id);
    setDismissed(true);
  };
  return { show, me, setMe, skip };
}

export function FirstRunSetup({ rest, me, onSaved, onSkip }: { rest: RestClient; me: MeView; onSaved: (me: MeView) => void; onSkip: () => void }) {
  return (
    <section className="panel setup" aria-labelledby="setup-title">
      <h2 id="setup-title">Set up this desk</h2>
      <p className="muted">Three short steps, then incoming calls show up here as cards.</p>
      <WhoIAm rest={rest} me={me} onSaved={onSaved} />
      <MyPhone rest={rest} />
      <RingMe rest={rest} />
      <p className="setup__skip">
        <button type="button" className="linkish" onClick={onSkip}>Skip the setup</button>
      </p>
    </section>
  );
}

function WhoIAm({ rest, me, onSaved }: { rest: RestClient; me: MeView; onSaved: (me: MeView) => void }) {
  const [name, setName] = useState(me.agent.name);
  const [extension, setExtension] = useState(me.agent.extension ?? '');
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setNotice(null);
    rest.request<MeView>('PUT', '/api/me', { name: name.trim(), extension: extension.trim() === '' ? null : extension.trim() }).then(
      (saved) => {
        onSaved(saved);
        setNotice({ tone: 'ok', text: 'Saved.' });
      },
      (error: unknown) => setNotice({ tone: 'bad', text: describeError(error) }),
    ).finally(() => setSaving(false));
  };
  return (
    <form className="setup__step" onSubmit={submit} aria-labelledby="setup-who">
      <h3 id="setup-who"><span className="setup__number" aria-hidden="true">1</span> Who you are</h3>
      <label className="field">
        <span>Your name (shown to your team)</span>
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} autoComplete="name" />
      </label>
      <label className="field">
        <span>Your extension (the number that rings your phone; leave empty if you have none)</span>
        <input value={extension} onChange={(e) => setExtension(e.target.value)} inputMode="tel" maxLength={32} pattern="[0-9*#+]*" />
      </label>
      <p>
        <button type="submit" className="button button--primary" disabled={saving || name.trim() === ''}>{saving ? 'Saving…' : 'Save'}</button>
        {notice ? <span className={notice.tone === 'ok' ? 'notice notice--ok' : 'notice notice--bad'} role={notice.tone === 'ok' ? 'status' : 'alert'}> {notice.text}</span> : null}
      </p>
    </form>
  );
}

function MyPhone({ rest }: { rest: RestClient }) {
  const [view, setView] = useState<ActionUrlsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open || view) return undefined;
    let current = true;
    rest.actionUrls().then((v) => current && setView(v), (e: unknown) => current && setError(describeError(e)));
    return () => {
      current = false;
    };
  }, [rest, open, view]);
  return (
    <div className="setup__step">
      <h3><span className="setup__number" aria-hidden="true">2</span> Your phone</h3>
      <p>
        Your Grandstream phone tells Ringside about each call. Ringside can set this up in the phone for you: give it
        the phone's address (shown under Status on the phone's screen) and the password of the phone's web page.
        The first time the phone reports, this setup closes by itself.
      </p>
      <WriteIntoPhone rest={rest} />
      <p>
        Or do it by hand: open the phone's web page, go to <strong>Settings → Outbound Notification → Action URL</strong>{' '}
        and paste each line into the field of the same name.
      </p>
      {!open ? <p><button type="button" className="button" onClick={() => setOpen(true)}>Show the lines to paste</button></p> : null}
      {open && error ? <p className="error" role="alert">{error}</p> : null}
      {open && !view && !error ? <p className="empty">Loading…</p> : null}
      {view ? (
        <>
          <p><CopyButton text={view.urls.map((u) => `${u.label}: ${u.url}`).join('\n')} label="Copy all lines" caption="Copy all lines" /></p>
          <dl className="settings-grid setup__lines" aria-label="Lines to paste into the phone">
            {view.urls.map((u) => (
              <div key={u.pValue} className="settings-row">
                <dt>{u.label}</dt>
                <dd>
                  <code className="mono action-url">{u.url}</code>
                  <CopyButton text={u.url} label={`Copy ${u.label}`} />
                </dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </div>
  );
}

function WriteIntoPhone({ rest }: { rest: RestClient }) {
  const [host, setHost] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [address, port] = host.trim().split(/:(?=\d+$)/);
    setBusy(true);
    setNotice(null);
    rest.request<ProvisionReport>('POST', '/api/me/phone/provision', { host: address, ...(port ? { port: Number(port) } : {}), password }).then(
      (report) => {
        setNotice(provisionSummary(report));
        setPassword('');
      },
      (error: unknown) => setNotice({ tone: 'bad', text: describeError(error) }),
    ).finally(() => setBusy(false));
  };
  return (
    <form className="setup__phone" onSubmit={submit} aria-label="Set up the phone">
      <label className="field">
        <span>Phone address</span>
        <input value={host} onChange={(e) => setHost(e.target.value)} placeholder="192.168.1.50" required inputMode="decimal" autoComplete="off" />
      </label>
      <label className="field">
        <span>Phone web password</span>
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="off" />
      </label>
      <p>
        <button type="submit" className="button" disabled={busy || host.trim() === '' || password === ''}>{busy ? 'Setting up the phone…' : 'Set up my phone'}</button>
        {notice ? <span className={notice.tone === 'ok' ? 'notice notice--ok' : 'notice notice--bad'} role={notice.tone === 'ok' ? 'status' : 'alert'}> {notice.text}</span> : null}
      </p>
    </form>
  );
}

function RingMe({ rest }: { rest: RestClient }) {
  const [state, setState] = useState<{ phase: 'idle' | 'ringing' | 'failed'; text?: string }>({ phase: 'idle' });
  const ring = () => {
    setState({ phase: 'ringing' });
    rest.request<TestCallView>('POST', '/api/me/test-call', {}).then(
      () => setState({ phase: 'ringing', text: 'A test call is ringing: its card appears at the top.' }),
      (error: unknown) => setState({ phase: 'failed', text: describeError(error) }),
    );
  };
  return (
    <div className="setup__step">
      <h3><span className="setup__number" aria-hidden="true">3</span> Try it</h3>
      <p>Ring yourself: a short test call shows the card you will see for every call.</p>
      <p>
        <button type="button" className="button button--primary" onClick={ring} disabled={state.phase === 'ringing' && !state.text}>Ring me</button>
        {state.text ? <span className={state.phase === 'failed' ? 'notice notice--bad' : 'notice'} role={state.phase === 'failed' ? 'alert' : 'status'}> {state.text}</span> : null}
      </p>
    </div>
  );
}
