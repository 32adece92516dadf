// Signing in by oneself: the sign-in page (agent name and password) shown when this window has no
// session or its session ended, and the invite page (an invite link from the administrator: choose
// a password twice, then signed in). Plain forms: labels, Enter submits, errors in words.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { acceptInvite, checkInvite, signInWithPassword, type InviteCheck, type SigninResult } from '../api/signin';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../../protocol/rest';

function Frame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="signin">
      <div className="signin__panel panel">
        <p className="brand signin__brand">Ringside</p>
        <h1 className="signin__title">{title}</h1>
        {children}
      </div>
    </main>
  );
}

function Problem({ text, id }: { text: string | null; id: string }) {
  // Always in the page, so a screen reader announces the message when it appears.
  return (
    <p id={id} className={text ? 'signin__error banner banner--error' : 'visually-hidden'} role="alert" data-testid="signin-error">
      {text ?? ''}
    </p>
  );
}

export interface SignInPageProps {
  /** Why the page is shown, when it is not the first visit ("your session has ended"), or a link that did not work. */
  notice: string | null;
  onSignedIn: (token: string) => void;
  /** For tests: the request. */
  signIn?: (agent: string, password: string) => Promise<SigninResult>;
}

export function SignInPage({ notice, onSignedIn, signIn = signInWithPassword }: SignInPageProps) {
  const [agent, setAgent] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorId = useId();
  const agentField = useRef<HTMLInputElement>(null);
  const passwordField = useRef<HTMLInputElement>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (agent.trim() === '' || password === '') {
      setError(agent.trim() === '' ? 'Enter your agent name.' : 'Enter your password.');
      (agent.trim() === '' ? agentField : passwordField).current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    void signIn(agent, password).then((result) => {
      setBusy(false);
      if (result.ok) {
        onSignedIn(result.token);
        return;
      }
      setError(result.message);
      setPassword('');
      passwordField.current?.focus();
    });
  };

  return (
    <Frame title="Sign in">
      {notice ? <p className="banner banner--warning" role="status" data-testid="signin-notice">{notice}</p> : null}
      <form className="signin__form" onSubmit={submit} noValidate aria-describedby={errorId}>
        <label className="field signin__field" htmlFor="signin-agent">
          Agent name
          <input
            id="signin-agent" ref={agentField} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} autoFocus
            value={agent} onChange={(e) => setAgent(e.target.value)} aria-invalid={error !== null && agent.trim() === ''}
          />
        </label>
        <label className="field signin__field" htmlFor="signin-password">
          Password
          <input
            id="signin-password" ref={passwordField} name="password" type="password" autoComplete="current-password"
            value={password} onChange={(e) => setPassword(e.target.value)} maxLength={PASSWORD_MAX_LENGTH}
          />
        </label>
        <Problem text={error} id={errorId} />
        <button type="submit" className="button button--primary signin__submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      <p className="muted signin__help">
        No password yet? Ask your administrator for an invite link: it lets you choose one.
      </p>
      <p className="muted signin__help">
        Ringside runs on this computer? In its terminal, <kbd>npx ringside signin</kbd> prints a link that signs you in at once.
      </p>
    </Frame>
  );
}

export interface InvitePageProps {
  code: string;
  onSignedIn: (token: string) => void;
  /** Leave the invite (used or expired) for the sign-in page. */
  onSignInInstead: () => void;
  check?: (code: string) => Promise<InviteCheck>;
  accept?: (code: string, password: string) => Promise<SigninResult>;
}

/** What is wrong with the chosen password, in words; null when it will do. */
export function choosePasswordProblem(password: string, again: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `Choose a password of at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.trim() === '') return 'Choose a password that is not only spaces.';
  if (password.length > PASSWORD_MAX_LENGTH) return `Choose a password of at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (again !== password) return 'The two passwords are not the same. Type them again.';
  return null;
}

export function InvitePage({ code, onSignedIn, onSignInInstead, check = checkInvite, accept = acceptInvite }: InvitePageProps) {
  const [invite, setInvite] = useState<InviteCheck | null>(null);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorId = useId();
  const passwordField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let current = true;
    void check(code).then((answer) => {
      if (current) setInvite(answer);
    });
    return () => {
      current = false;
    };
  }, [code, check]);

  if (invite === null) return <Frame title="Welcome to Ringside"><p role="status">Opening your invite…</p></Frame>;
  if (!invite.ok) {
    return (
      <Frame title="This invite link does not work">
        <p className="banner banner--error" role="alert" data-testid="invite-error">{invite.message}</p>
        <button type="button" className="button button--primary" onClick={onSignInInstead}>Go to sign in</button>
      </Frame>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const problem = choosePasswordProblem(password, again);
    if (problem) {
      setError(problem);
      if (again !== password) setAgain('');
      passwordField.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    void accept(code, password).then((result) => {
      setBusy(false);
      if (result.ok) onSignedIn(result.token);
      else setError(result.message);
    });
  };

  return (
    <Frame title={`Welcome, ${invite.name}`}>
      <p>Choose a password for Ringside. You sign in with your agent name, <strong data-testid="invite-agent">{invite.agent}</strong>, and this password.</p>
      <form className="signin__form" onSubmit={submit} noValidate aria-describedby={errorId}>
        {/* For password managers: which account this password is for. */}
        <input type="text" name="username" autoComplete="username" value={invite.agent} readOnly hidden />
        <label className="field signin__field" htmlFor="invite-password">
          New password
          <input
            id="invite-password" ref={passwordField} type="password" autoComplete="new-password" autoFocus aria-describedby="invite-password-rule"
            value={password} onChange={(e) => setPassword(e.target.value)} maxLength={PASSWORD_MAX_LENGTH}
          />
        </label>
        <p id="invite-password-rule" className="muted signin__rule">At least {PASSWORD_MIN_LENGTH} characters. A few words you remember make a good one.</p>
        <label className="field signin__field" htmlFor="invite-password-again">
          The same password again
          <input
            id="invite-password-again" type="password" autoComplete="new-password"
            value={again} onChange={(e) => setAgain(e.target.value)} maxLength={PASSWORD_MAX_LENGTH}
          />
        </label>
        <Problem text={error} id={errorId} />
        <button type="submit" className="button button--primary signin__submit" disabled={busy}>{busy ? 'Saving…' : 'Save password and sign in'}</button>
      </form>
    </Frame>
  );
}
