// The agent's own password, in Settings: the current one (none yet when they signed in by a link)
// and the new one twice. Their sessions end with the change; the page goes on with the new session.
import { useId, useState, type FormEvent } from 'react';
import { ApiError, type RestClient } from '../api/rest';
import { throttledMessage } from '../api/signin';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../../protocol/rest';
import { choosePasswordProblem } from './SignIn';

export function ChangePassword({ rest, agent, onChanged }: { rest: RestClient; agent: string; onChanged: (token: string) => void }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const problem = choosePasswordProblem(password, again);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    rest.request<{ token: string }>('POST', '/api/session/password', current === '' ? { password } : { current, password }).then((answer) => {
      setBusy(false);
      onChanged(answer.token);
    }, (failure: unknown) => {
      setBusy(false);
      if (failure instanceof ApiError && failure.status === 403) setError('Your current password is not right.');
      else if (failure instanceof ApiError && failure.status === 429) setError(throttledMessage((failure.body as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds));
      else setError('Ringside could not change your password just now. Try again in a moment.');
    });
  };

  return (
    <form className="signin__form change-password" onSubmit={submit} noValidate aria-describedby={errorId} aria-label="Change my password">
      <input type="text" name="username" autoComplete="username" value={agent} readOnly hidden />
      <label className="field signin__field" htmlFor="own-current-password">
        Current password (leave empty if you have none yet)
        <input id="own-current-password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} maxLength={PASSWORD_MAX_LENGTH} />
      </label>
      <label className="field signin__field" htmlFor="own-new-password">
        New password (at least {PASSWORD_MIN_LENGTH} characters)
        <input id="own-new-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} maxLength={PASSWORD_MAX_LENGTH} />
      </label>
      <label className="field signin__field" htmlFor="own-new-password-again">
        The same new password again
        <input id="own-new-password-again" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} maxLength={PASSWORD_MAX_LENGTH} />
      </label>
      <p id={errorId} className={error ? 'banner banner--error signin__error' : 'visually-hidden'} role="alert">{error ?? ''}</p>
      <p className="muted">Changing it signs you out everywhere else.</p>
      <button type="submit" className="button button--primary" disabled={busy}>{busy ? 'Saving…' : 'Change password'}</button>
    </form>
  );
}
