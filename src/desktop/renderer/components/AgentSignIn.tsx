// How an agent signs in, as the admin console manages it per agent: an invite link the agent opens
// to choose their own password (shown once, with Copy and until when it works), or a password the
// administrator sets or removes. Setting or removing a password signs the agent out everywhere
// (the server ends their sessions), which the console says before doing it.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { type RestClient } from '../api/rest';
import type { Agent } from '../api/types';
import type { InviteLink, PasswordView } from '../../../protocol/responses';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../../protocol/rest';
import { adminErrorText } from './admin/shared';
import { CopyButton } from './phoneParts';

type Status = { tone: 'ok' | 'bad'; text: string } | null;

/** What the panel under the agents table shows for one agent. */
export type SignInTask = { agent: Agent; kind: 'invite' | 'password' };

/** Each agent's password state (GET /api/agents/:id/password), loaded again when `version` changes. */
export function useSignInStates(rest: RestClient, agents: readonly Agent[], version: number): Map<string, PasswordView> {
  const [states, setStates] = useState<Map<string, PasswordView>>(new Map());
  const ids = agents.map((a) => a.id).join('\n');
  useEffect(() => {
    let current = true;
    const list = ids === '' ? [] : ids.split('\n');
    void Promise.all(list.map((id) => rest.agentPassword(id).then((view) => [id, view] as const, () => null))).then((found) => {
      if (current) setStates(new Map(found.filter((f): f is readonly [string, PasswordView] => f !== null)));
    });
    return () => {
      current = false;
    };
  }, [rest, ids, version]);
  return states;
}

function expiryText(at: number): string {
  return new Date(at).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** The row's actions: Invite link, and Set password or Remove password by whether one is set. */
export function AgentSignInButtons({ agent, state, onTask, onRemovePassword }: {
  agent: Agent; state: PasswordView | undefined; onTask: (task: SignInTask) => void; onRemovePassword: (agent: Agent) => void;
}) {
  return (
    <>
      <button type="button" className="button button--small" onClick={() => onTask({ agent, kind: 'invite' })} aria-label={`Invite link for ${agent.name}`}>Invite link</button>
      {state?.passwordSet ? (
        <button type="button" className="button button--small" onClick={() => onRemovePassword(agent)} aria-label={`Remove ${agent.name}’s password`}>Remove password</button>
      ) : (
        <button type="button" className="button button--small" onClick={() => onTask({ agent, kind: 'password' })} aria-label={`Set ${agent.name}’s password`}>Set password</button>
      )}
    </>
  );
}

/** The invite link for one agent: made when the panel opens, shown with Copy and its expiry. */
function InvitePanel({ rest, agent, onDone }: { rest: RestClient; agent: Agent; onDone: () => void }) {
  const [link, setLink] = useState<InviteLink | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const make = useCallback(() => {
    setStatus(null);
    rest.inviteAgent(agent.id).then((made) => {
      setLink(made);
      onDone();
    }, (error: unknown) => setStatus({ tone: 'bad', text: adminErrorText(error) }));
  }, [rest, agent.id, onDone]);
  useEffect(make, [make]);
  return (
    <>
      {link ? (
        <>
          <p>Send this link to {agent.name}. It lets them choose their own password, once.</p>
          <div className="copy-line">
            <input className="mono" readOnly value={link.url} aria-label={`Invite link for ${agent.name}`} data-testid="invite-url" onFocus={(e) => e.target.select()} />
            <CopyButton text={link.url} label={`Copy the invite link for ${agent.name}`} />
          </div>
          <p className="muted" data-testid="invite-expiry">Works until {expiryText(link.expiresAt)}. A new link replaces this one.</p>
        </>
      ) : status ? null : <p className="muted">Making the link…</p>}
      {status ? <p className={`notice notice--${status.tone}`} role="alert">{status.text}</p> : null}
    </>
  );
}

/** The administrator sets an agent's password (they are signed out everywhere). */
function PasswordPanel({ rest, agent, onDone }: { rest: RestClient; agent: Agent; onDone: (text: string) => void }) {
  const [password, setPassword] = useState('');
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setStatus(null);
    rest.setAgentPassword(agent.id, password).then(() => {
      setPassword('');
      onDone(`${agent.name}’s password is set. Give it to them in person; they were signed out everywhere.`);
    }, (error: unknown) => setStatus({ tone: 'bad', text: adminErrorText(error) })).finally(() => setBusy(false));
  };
  const id = `agent-password-${agent.id}`;
  return (
    <form className="admin-form" onSubmit={submit} aria-label={`Set ${agent.name}’s password`}>
      <div className="admin-form__fields">
        <label className="field" htmlFor={id}>New password for {agent.name}
          <input id={id} type="password" value={password} onChange={(e) => setPassword(e.target.value)} required
            minLength={PASSWORD_MIN_LENGTH} maxLength={PASSWORD_MAX_LENGTH} autoComplete="new-password" />
        </label>
      </div>
      <p className="muted">At least {PASSWORD_MIN_LENGTH} characters. {agent.name} is signed out on every window and signs in again with it.</p>
      <div className="admin-form__actions">
        <button type="submit" className="button button--primary" disabled={busy}>Set password</button>
      </div>
      {status ? <p className={`notice notice--${status.tone}`} role="alert">{status.text}</p> : null}
    </form>
  );
}

/** The panel under the agents table for the task a row's button started. */
export function AgentSignInPanel({ rest, task, onClose, onDone }: {
  rest: RestClient; task: SignInTask; onClose: () => void; onDone: (text: string | null) => void;
}) {
  const { agent } = task;
  const invited = useCallback(() => onDone(null), [onDone]);
  return (
    <section className="admin-panel" aria-label={`Sign-in of ${agent.name}`} data-testid="agent-signin-panel">
      <h4>{task.kind === 'invite' ? `Invite link for ${agent.name}` : `Password for ${agent.name}`}</h4>
      {task.kind === 'invite'
        ? <InvitePanel rest={rest} agent={agent} onDone={invited} />
        : <PasswordPanel rest={rest} agent={agent} onDone={onDone} />}
      <div className="admin-form__actions">
        <button type="button" className="button" onClick={onClose}>Close</button>
      </div>
    </section>
  );
}
