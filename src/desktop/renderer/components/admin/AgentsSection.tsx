// The admin console's agents: list, add, edit, remove, and their sign-in actions.
import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import type { RestClient } from '../../api/rest';
import type { Agent, Helpline } from '../../api/types';
import { helplineLabel } from '../../format';
import { AgentSignInButtons, AgentSignInPanel, useSignInStates, type SignInTask } from '../AgentSignIn';
import { confirmed, StatusLine, useLoaded, adminErrorText, type Status } from './shared';

interface AgentDraft {
  id: string;
  name: string;
  extension: string;
  supervisor: boolean;
  admin: boolean;
  helplines: string[];
}

const EMPTY_AGENT: AgentDraft = { id: '', name: '', extension: '', supervisor: false, admin: false, helplines: [] };

function AgentForm({ rest, initial, editing, helplines, onDone, onCancel }: {
  rest: RestClient; initial: AgentDraft; editing: boolean; helplines: readonly Helpline[]; onDone: (text: string) => void; onCancel: (() => void) | null;
}) {
  const [draft, setDraft] = useState(initial);
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<AgentDraft>) => setDraft((d) => ({ ...d, ...change }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setStatus(null);
    rest.saveAgent({
      id: draft.id.trim(), name: draft.name, extension: draft.extension.trim() === '' ? null : draft.extension.trim(), supervisor: draft.supervisor, admin: draft.admin, helplines: draft.helplines,
    }).then((agent) => {
      if (!editing) setDraft(EMPTY_AGENT);
      onDone(editing ? `${agent.name} saved.` : `${agent.name} added.`);
    }, (error: unknown) => setStatus({ tone: 'bad', text: adminErrorText(error) })).finally(() => setBusy(false));
  };
  const prefix = editing ? `agent-edit-${initial.id}` : 'agent-new';
  return (
    <form className="admin-form" onSubmit={submit} aria-label={editing ? `Edit ${initial.name}` : 'Add an agent'}>
      <div className="admin-form__fields">
        <label className="field" htmlFor={`${prefix}-name`}>Name
          <input id={`${prefix}-name`} value={draft.name} onChange={(e) => set({ name: e.target.value })} required maxLength={120} autoComplete="off" />
        </label>
        <label className="field" htmlFor={`${prefix}-id`}>Sign-in name
          <input id={`${prefix}-id`} value={draft.id} onChange={(e) => set({ id: e.target.value })} required disabled={editing} pattern="[A-Za-z0-9_.@\-]{1,64}"
            title="Letters, digits and . _ - @ (no spaces)" autoComplete="off" />
        </label>
        <label className="field" htmlFor={`${prefix}-extension`}>Extension
          <input id={`${prefix}-extension`} value={draft.extension} onChange={(e) => set({ extension: e.target.value })} inputMode="numeric" maxLength={32} autoComplete="off" />
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.supervisor} onChange={(e) => set({ supervisor: e.target.checked })} />
          Supervisor (sees everyone’s calls and figures)
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.admin} onChange={(e) => set({ admin: e.target.checked })} />
          Admin (opens this console with their own sign-in)
        </label>
      </div>
      {helplines.length > 0 ? (
        <fieldset className="checks">
          <legend>Helplines</legend>
          {helplines.map((h) => (
            <label key={h.number} className="check">
              <input
                type="checkbox"
                checked={draft.helplines.includes(h.number)}
                onChange={(e) => set({ helplines: e.target.checked ? [...draft.helplines, h.number] : draft.helplines.filter((n) => n !== h.number) })}
              />
              {helplineLabel(h.name, h.number)}
            </label>
          ))}
        </fieldset>
      ) : null}
      <div className="admin-form__actions">
        <button type="submit" className="button button--primary" disabled={busy}>{editing ? 'Save' : 'Add agent'}</button>
        {onCancel ? <button type="button" className="button" onClick={onCancel}>Cancel</button> : null}
      </div>
      <StatusLine status={status} testId={`${prefix}-status`} />
    </form>
  );
}

export function AgentsSection({ rest, version, changed, agentActions }: { rest: RestClient; version: number; changed: () => void; agentActions?: (agent: Agent) => ReactNode }) {
  const agents = useLoaded(useCallback(() => rest.agents(), [rest]), version);
  const helplines = useLoaded(useCallback(() => rest.helplines(), [rest]), version);
  const [editing, setEditing] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const [task, setTask] = useState<SignInTask | null>(null);
  const [signInVersion, setSignInVersion] = useState(0);
  const list = agents.value ?? [];
  const lines = helplines.value ?? [];
  const signIn = useSignInStates(rest, list, version + signInVersion);
  const done = (text: string) => {
    setEditing(null);
    setStatus({ tone: 'ok', text });
    changed();
  };
  const signInChanged = useCallback((text: string | null) => {
    setSignInVersion((v) => v + 1);
    if (text !== null) {
      setTask(null);
      setStatus({ tone: 'ok', text });
    }
  }, []);
  const removePassword = (agent: Agent) => {
    if (!confirmed(`Remove ${agent.name}’s password? They are signed out everywhere and sign in again with an invite link.`)) return;
    rest.removeAgentPassword(agent.id).then(() => signInChanged(`${agent.name}’s password was removed.`), (error: unknown) => setStatus({ tone: 'bad', text: adminErrorText(error) }));
  };
  const remove = (agent: Agent) => {
    if (!confirmed(`Remove ${agent.name}? Their phones stay, without an owner; their calls stay in the history.`)) return;
    rest.removeAgent(agent.id).then(() => done(`${agent.name} removed.`), (error: unknown) => setStatus({ tone: 'bad', text: adminErrorText(error) }));
  };
  return (
    <>
      <h3>Agents</h3>
      {agents.error ? <p className="error" role="alert">{agents.error}</p> : null}
      {agents.value && list.length === 0 ? <p className="empty">No agents yet. Add the first one below.</p> : null}
      {list.length > 0 ? (
        <div className="table-scroll">
          <table aria-label="Agents">
            <thead><tr><th>Name</th><th>Extension</th><th>Phones</th><th>Helplines</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {list.map((agent) => (
                <tr key={agent.id} data-agent-row={agent.id}>
                  <td>
                    <strong>{agent.name}</strong>{agent.supervisor ? <span className="tag">supervisor</span> : null}{agent.admin ? <span className="tag">admin</span> : null}
                    <div className="muted">{agent.id}</div>
                  </td>
                  <td>{agent.extension ?? '—'}</td>
                  <td className="mono">{agent.devices.length > 0 ? agent.devices.join(', ') : '—'}</td>
                  <td>{agent.helplines.length > 0 ? agent.helplines.map((n) => helplineLabel(lines.find((h) => h.number === n)?.name ?? null, n)).join(', ') : '—'}</td>
                  <td className="row-actions">
                    <button type="button" className="button button--small" onClick={() => setEditing(editing === agent.id ? null : agent.id)} aria-label={`Edit ${agent.name}`}>Edit</button>
                    <AgentSignInButtons agent={agent} state={signIn.get(agent.id)} onTask={(next) => {
                      setEditing(null);
                      setStatus(null);
                      setTask(next);
                    }} onRemovePassword={removePassword} />
                    {agentActions ? agentActions(agent) : null}
                    <button type="button" className="button button--small button--danger" onClick={() => remove(agent)} aria-label={`Remove ${agent.name}`}>Remove</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {editing !== null && list.some((a) => a.id === editing) ? (() => {
        const agent = list.find((a) => a.id === editing)!;
        return (
          <AgentForm
            key={agent.id}
            rest={rest}
            editing
            initial={{ id: agent.id, name: agent.name, extension: agent.extension ?? '', supervisor: agent.supervisor, admin: agent.admin, helplines: agent.helplines }}
            helplines={lines}
            onDone={done}
            onCancel={() => setEditing(null)}
          />
        );
      })() : null}
      {task !== null && list.some((a) => a.id === task.agent.id) ? (
        <AgentSignInPanel key={`${task.kind}-${task.agent.id}`} rest={rest} task={task} onClose={() => setTask(null)} onDone={signInChanged} />
      ) : null}
      <StatusLine status={status} testId="agents-status" />
      <h4>Add an agent</h4>
      <AgentForm rest={rest} editing={false} initial={EMPTY_AGENT} helplines={lines} onDone={done} onCancel={null} />
      <p className="muted">The sign-in name cannot change later. Bind the agent’s desk phone under Phones.</p>
    </>
  );
}
