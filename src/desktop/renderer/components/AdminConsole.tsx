// The admin console: the directory (agents, phones, helplines, contacts and their CSV import), the
// lines to paste into a phone, and this Ringside's own state (addresses, the shared services in
// use, saving to disk). Shown to whoever administers the account (GET /api/session `admin`: the
// admin token, an agent marked admin, a single seat's own agent); every request here is admin-only
// on the server too (a 403 for any other agent), so the tab being hidden is not what keeps agents out.
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, describeError, type Contact, type CsvImportResult, type RestClient } from '../api/rest';
import type { Agent, Device, DeviceView, HealthReport, Helpline, SettingsView } from '../api/types';
import { helplineLabel } from '../format';
import { AgentSignInButtons, AgentSignInPanel, useSignInStates, type SignInTask } from './AgentSignIn';
import { ActionUrls, PhoneForm, ServiceRow } from './phoneParts';
import { TabPanel, Tabs, type TabSpec } from './Tabs';

type Section = 'agents' | 'phones' | 'helplines' | 'contacts' | 'phone-setup' | 'system';

export interface AdminConsoleProps {
  rest: RestClient;
  health: HealthReport | null;
  /** Something in the directory changed: the rest of the window reloads what it shows. */
  onChanged: () => void;
  /** Extra actions per agent row, beside Edit, the sign-in actions (invite link, password) and Remove. */
  agentActions?: (agent: Agent) => ReactNode;
}

/** The names people read for the fields the API names in its 400s. */
const FIELD_LABEL: Readonly<Record<string, string>> = {
  id: 'Sign-in name', name: 'Name', extension: 'Extension', devices: 'Phones', helplines: 'Helplines', supervisor: 'Supervisor', admin: 'Administrator',
  mac: 'Phone MAC address', agent: 'Agent', number: 'Number', agents: 'Members', company: 'Company', notes: 'Notes', crmUrl: 'CRM link',
  host: 'Address', port: 'Port', username: 'User name', password: 'Password',
};

function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const upper = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(upper) ? upper : `${upper}.`;
}

/** A refused change in words a person can act on. */
export function adminErrorText(error: unknown): string {
  if (!(error instanceof ApiError)) return describeError(error);
  const details = (error.body as { details?: unknown } | null)?.details;
  if (error.status === 400 && Array.isArray(details) && details.length > 0) {
    return details.map((d: { path?: unknown; message?: unknown }) => {
      const path = typeof d.path === 'string' ? d.path.split('.')[0]! : '';
      return sentence(`${FIELD_LABEL[path] ?? (path || 'The form')} ${typeof d.message === 'string' ? d.message : 'is not valid'}`);
    }).join(' ');
  }
  switch (error.status) {
    case 401: return 'Your sign-in has ended. Sign in again to make changes.';
    case 403: return 'Only an administrator can change this.';
    case 413: return 'The file is too large: at most 10 MB and 100,000 rows.';
    case 503: return 'Ringside cannot save changes right now (a shared service is unreachable). Try again in a moment.';
    default: return sentence(error.message);
  }
}

type Status = { tone: 'ok' | 'bad'; text: string } | null;

function StatusLine({ status, testId }: { status: Status; testId: string }) {
  return status ? <p className={`notice notice--${status.tone}`} role={status.tone === 'bad' ? 'alert' : 'status'} data-testid={testId}>{status.text}</p> : null;
}

/** A list from the API, loaded again whenever `version` changes. */
function useLoaded<T>(load: () => Promise<T>, version: number): { value: T | null; error: string | null } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    load().then((v) => {
      if (!current) return;
      setValue(v);
      setError(null);
    }, (e: unknown) => current && setError(adminErrorText(e)));
    return () => {
      current = false;
    };
  }, [load, version]);
  return { value, error };
}

/** Asks before a removal: the browser's own confirmation, which every user knows. */
function confirmed(question: string): boolean {
  return typeof window.confirm !== 'function' || window.confirm(question);
}

// ——— Agents ———

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

function AgentsSection({ rest, version, changed, agentActions }: { rest: RestClient; version: number; changed: () => void; agentActions?: (agent: Agent) => ReactNode }) {
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

// ——— Phones ———

function withControl(device: DeviceView): device is Device {
  return !('withheld' in device.control);
}

function PhonesSection({ rest, version, changed, health }: { rest: RestClient; version: number; changed: () => void; health: HealthReport | null }) {
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

// ——— Helplines ———

function HelplinesSection({ rest, version, changed }: { rest: RestClient; version: number; changed: () => void }) {
  const helplines = useLoaded(useCallback(() => rest.helplines(), [rest]), version);
  const agents = useLoaded(useCallback(() => rest.agents(), [rest]), version);
  const [number, setNumber] = useState('');
  const [name, setName] = useState('');
  const [everyone, setEveryone] = useState(false);
  const [members, setMembers] = useState<string[]>([]);
  const [status, setStatus] = useState<Status>(null);
  const list = agents.value ?? [];
  const nameOf = (id: string) => list.find((a) => a.id === id)?.name ?? id;
  const add = (event: FormEvent) => {
    event.preventDefault();
    rest.saveHelpline({ number, name, ...(everyone ? {} : { agents: members }) }).then((h) => {
      setStatus({ tone: 'ok', text: `${helplineLabel(h.name, h.number)} saved.` });
      setNumber('');
      setName('');
      setMembers([]);
      changed();
    }, (error: unknown) => setStatus({ tone: 'bad', text: adminErrorText(error) }));
  };
  const remove = (h: Helpline) => {
    if (!confirmed(`Remove ${helplineLabel(h.name, h.number)}? Its calls stay in the history.`)) return;
    rest.removeHelpline(h.number).then(() => {
      setStatus({ tone: 'ok', text: `${helplineLabel(h.name, h.number)} removed.` });
      changed();
    }, (error: unknown) => setStatus({ tone: 'bad', text: adminErrorText(error) }));
  };
  return (
    <>
      <h3>Helplines</h3>
      <p className="muted">A helpline is a number that rings several agents (a ring group on the phone system). Its calls show on the cards of everyone who belongs to it.</p>
      {helplines.error ? <p className="error" role="alert">{helplines.error}</p> : null}
      {helplines.value && helplines.value.length === 0 ? <p className="empty">No helplines yet.</p> : null}
      {(helplines.value ?? []).length > 0 ? (
        <div className="table-scroll">
          <table aria-label="Helplines">
            <thead><tr><th>Number</th><th>Name</th><th>Rings</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {(helplines.value ?? []).map((h) => (
                <tr key={h.number} data-helpline-row={h.number}>
                  <td className="mono">{h.number}</td>
                  <td>{h.name}</td>
                  <td>{h.agents === null ? 'Every agent' : h.agents.length === 0 ? 'Nobody yet' : h.agents.map(nameOf).join(', ')}</td>
                  <td className="row-actions">
                    <button type="button" className="button button--small button--danger" onClick={() => remove(h)} aria-label={`Remove helpline ${h.number}`}>Remove</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <h4>Add a helpline</h4>
      <form className="admin-form" onSubmit={add} aria-label="Add a helpline">
        <div className="admin-form__fields">
          <label className="field" htmlFor="helpline-new-number">Number
            <input id="helpline-new-number" value={number} onChange={(e) => setNumber(e.target.value)} required maxLength={64} inputMode="tel" autoComplete="off" />
          </label>
          <label className="field" htmlFor="helpline-new-name">Name
            <input id="helpline-new-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} placeholder="Support" autoComplete="off" />
          </label>
        </div>
        <fieldset className="checks">
          <legend>Rings</legend>
          <label className="check"><input type="checkbox" checked={everyone} onChange={(e) => setEveryone(e.target.checked)} />Every agent, now and later</label>
          {everyone ? null : list.map((a) => (
            <label key={a.id} className="check">
              <input type="checkbox" checked={members.includes(a.id)} onChange={(e) => setMembers(e.target.checked ? [...members, a.id] : members.filter((m) => m !== a.id))} />
              {a.name}
            </label>
          ))}
        </fieldset>
        <div className="admin-form__actions">
          <button type="submit" className="button button--primary">Add helpline</button>
        </div>
      </form>
      <StatusLine status={status} testId="helplines-status" />
    </>
  );
}

// ——— Contacts ———

interface ContactDraft {
  number: string;
  name: string;
  company: string;
  notes: string;
  crmUrl: string;
}

const EMPTY_CONTACT: ContactDraft = { number: '', name: '', company: '', notes: '', crmUrl: '' };

function ContactForm({ rest, initial, editing, onDone, onCancel }: { rest: RestClient; initial: ContactDraft; editing: boolean; onDone: (text: string) => void; onCancel: (() => void) | null }) {
  const [draft, setDraft] = useState(initial);
  const [status, setStatus] = useState<Status>(null);
  const set = (change: Partial<ContactDraft>) => setDraft((d) => ({ ...d, ...change }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const optional = (v: string) => (v.trim() === '' ? null : v.trim());
    rest.saveContact({ number: draft.number, name: draft.name, company: optional(draft.company), notes: optional(draft.notes), crmUrl: optional(draft.crmUrl) }).then((c) => {
      if (!editing) setDraft(EMPTY_CONTACT);
      setStatus(null);
      onDone(`${c.name} saved.`);
    }, (error: unknown) => setStatus({ tone: 'bad', text: adminErrorText(error) }));
  };
  const prefix = editing ? 'contact-edit' : 'contact-new';
  return (
    <form className="admin-form" onSubmit={submit} aria-label={editing ? `Edit ${initial.name}` : 'Add a contact'}>
      <div className="admin-form__fields">
        <label className="field" htmlFor={`${prefix}-name`}>Name
          <input id={`${prefix}-name`} value={draft.name} onChange={(e) => set({ name: e.target.value })} required maxLength={200} autoComplete="off" />
        </label>
        <label className="field" htmlFor={`${prefix}-number`}>Number
          <input id={`${prefix}-number`} value={draft.number} onChange={(e) => set({ number: e.target.value })} required disabled={editing} maxLength={64} inputMode="tel" autoComplete="off" />
        </label>
        <label className="field" htmlFor={`${prefix}-company`}>Company
          <input id={`${prefix}-company`} value={draft.company} onChange={(e) => set({ company: e.target.value })} maxLength={200} autoComplete="off" />
        </label>
        <label className="field" htmlFor={`${prefix}-crm`}>CRM link
          <input id={`${prefix}-crm`} type="url" value={draft.crmUrl} onChange={(e) => set({ crmUrl: e.target.value })} placeholder="https://…" autoComplete="off" />
        </label>
        <label className="field field--wide" htmlFor={`${prefix}-notes`}>Notes (shown on the caller’s card)
          <textarea id={`${prefix}-notes`} value={draft.notes} onChange={(e) => set({ notes: e.target.value })} maxLength={2000} rows={2} />
        </label>
      </div>
      <div className="admin-form__actions">
        <button type="submit" className="button button--primary">{editing ? 'Save' : 'Add contact'}</button>
        {onCancel ? <button type="button" className="button" onClick={onCancel}>Cancel</button> : null}
      </div>
      <StatusLine status={status} testId={`${prefix}-status`} />
    </form>
  );
}

function CsvImport({ rest, onImported }: { rest: RestClient; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<CsvImportResult | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const upload = (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setResult(null);
    setStatus(null);
    file.text().then((text) => rest.importContacts(text)).then((answer) => {
      setResult(answer);
      if (answer.imported > 0) onImported();
    }, (error: unknown) => setStatus({ tone: 'bad', text: adminErrorText(error) })).finally(() => setBusy(false));
  };
  return (
    <form className="admin-form" onSubmit={upload} aria-label="Import contacts">
      <p className="muted">
        A CSV file whose first line names the columns: <code>number</code> and <code>name</code> are needed; <code>company</code>, <code>notes</code> and <code>crm_url</code> are
        used when present, other columns are left out. A contact whose number is already known is updated.
      </p>
      <div className="admin-form__fields">
        <label className="field" htmlFor="contacts-csv">CSV file
          <input id="contacts-csv" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
      </div>
      <div className="admin-form__actions">
        <button type="submit" className="button button--primary" disabled={!file || busy}>{busy ? 'Importing…' : 'Import'}</button>
      </div>
      <StatusLine status={status} testId="import-status" />
      {result ? (
        <div role="status" data-testid="import-result">
          <p className={result.rejected.length === 0 ? 'notice notice--ok' : 'notice'}>
            {result.imported === 1 ? '1 contact imported.' : `${result.imported} contacts imported.`}
            {result.rejected.length > 0 ? ` ${result.rejected.length === 1 ? '1 row was' : `${result.rejected.length} rows were`} left out:` : ''}
          </p>
          {result.rejected.length > 0 ? (
            <ul className="rejected" aria-label="Rows left out">
              {result.rejected.map((row) => <li key={`${row.line}-${row.reason}`} data-line={row.line}>Line {row.line}: {row.reason}</li>)}
            </ul>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}

function ContactsSection({ rest, version, changed }: { rest: RestClient; version: number; changed: () => void }) {
  const [query, setQuery] = useState('');
  const [asked, setAsked] = useState('');
  const contacts = useLoaded(useCallback(() => rest.contacts(asked, 100), [rest, asked]), version);
  const [editing, setEditing] = useState<Contact | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const done = (text: string) => {
    setEditing(null);
    setStatus({ tone: 'ok', text });
    changed();
  };
  const remove = (c: Contact) => {
    if (!confirmed(`Remove ${c.name} (${c.number}) from the contacts?`)) return;
    rest.removeContact(c.number).then(() => done(`${c.name} removed.`), (error: unknown) => setStatus({ tone: 'bad', text: adminErrorText(error) }));
  };
  const list = contacts.value ?? [];
  return (
    <>
      <h3>Contacts</h3>
      <form className="filters__search search-row" onSubmit={(e) => {
        e.preventDefault();
        setAsked(query.trim());
      }} role="search" aria-label="Search contacts">
        <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Name, company or number" aria-label="Search contacts" />
        <button type="submit" className="button">Search</button>
      </form>
      {contacts.error ? <p className="error" role="alert">{contacts.error}</p> : null}
      {contacts.value && list.length === 0 ? <p className="empty">{asked ? `No contact matches “${asked}”.` : 'No contacts yet. Add one below, or import a CSV file.'}</p> : null}
      {list.length > 0 ? (
        <div className="table-scroll">
          <table aria-label="Contacts">
            <thead><tr><th>Name</th><th>Number</th><th>Company</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.number} data-contact-row={c.number}>
                  <td>{c.name}{c.notes ? <div className="muted">{c.notes}</div> : null}</td>
                  <td className="mono">{c.number}</td>
                  <td>{c.company ?? '—'}</td>
                  <td className="row-actions">
                    <button type="button" className="button button--small" onClick={() => setEditing(editing?.number === c.number ? null : c)} aria-label={`Edit ${c.name}`}>Edit</button>
                    <button type="button" className="button button--small button--danger" onClick={() => remove(c)} aria-label={`Remove ${c.name}`}>Remove</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.length === 100 ? <p className="muted">The first 100 are shown; search to find others.</p> : null}
      {editing ? (
        <ContactForm
          key={editing.number}
          rest={rest}
          editing
          initial={{ number: editing.number, name: editing.name, company: editing.company ?? '', notes: editing.notes ?? '', crmUrl: editing.crmUrl ?? '' }}
          onDone={done}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      <StatusLine status={status} testId="contacts-status" />
      <h4>Add a contact</h4>
      <ContactForm rest={rest} editing={false} initial={EMPTY_CONTACT} onDone={done} onCancel={null} />
      <h4>Import from a file</h4>
      <CsvImport rest={rest} onImported={changed} />
    </>
  );
}

// ——— Phone set-up and this Ringside ———

function PhoneSetupSection({ rest }: { rest: RestClient }) {
  return (
    <>
      <h3>Connect a phone</h3>
      <p>
        Ringside hears about calls from the phone itself. Either use <strong>Write into the phone</strong> under Phones (after saving the phone’s address and
        password), or paste each line below into the phone’s web page: <em>Settings → Outbound Notification → Action URL</em> (on GXV32xx: <em>Maintenance → Event Notify</em>).
      </p>
      <ActionUrls rest={rest} />
    </>
  );
}

function SystemSection({ rest, health, version }: { rest: RestClient; health: HealthReport | null; version: number }) {
  const settings = useLoaded<SettingsView>(useCallback(() => rest.settings(), [rest]), version);
  const s = settings.value;
  const shared = s !== null && (s.redis !== null || s.amqp !== null);
  return (
    <>
      <h3>This Ringside</h3>
      {settings.error ? <p className="error" role="alert">{settings.error}</p> : null}
      <dl className="settings-grid" aria-label="This Ringside">
        <dt>Agent window</dt>
        <dd className="mono" data-setting="api">{s ? `${s.api.host}:${s.api.port}` : window.location.host}</dd>
        <dt>Listens for phones on</dt>
        <dd className="mono" data-setting="webhook">{s ? `${s.webhook.host}:${s.webhook.port}` : '…'}</dd>
        <dt>Phones reach it at</dt>
        <dd className="mono" data-setting="public">{s ? `${s.webhook.publicHost}:${s.webhook.port}` : '…'}</dd>
        <dt>Phone listener</dt>
        <dd data-service="listener"><span className={`state--${health?.listener ?? 'unknown'}`}>{health?.listener ?? 'unknown'}</span></dd>
        <dt>Saving to disk</dt>
        <dd data-service="storage">
          <span className={`state--${health?.storage?.state ?? 'unknown'}`}>
            {health?.storage ? (health.storage.state === 'up' ? 'up' : `down: ${health.storage.reason ?? 'write failed'}`) : 'unknown'}
          </span>
        </dd>
        <dt>Mode</dt>
        <dd>{s === null ? '…' : shared ? 'Shared with other seats' : 'Single seat (everything on this computer)'}</dd>
      </dl>
      {shared && s ? (
        <>
          <h4>Shared services</h4>
          <dl className="settings-grid" aria-label="Shared services">
            {s.redis ? <ServiceRow rest={rest} service="redis" state={health?.redis} isAdmin
              details={[s.redis.url, `DB ${s.redis.callsDb} / ${s.redis.cacheDb}`, `prefix ${s.redis.keyPrefix}`]} /> : null}
            {s.amqp ? <ServiceRow rest={rest} service="rabbitmq" state={health?.rabbitmq} isAdmin
              details={[s.amqp.url, `exchange ${s.amqp.exchange}`, `queue ${s.amqp.queue} ×${s.amqp.shards}`]} /> : null}
            {s.amqp ? (
              <>
                <dt>Phone events not yet forwarded</dt>
                <dd className="mono" data-setting="backlog">{health?.spoolDepth ?? '—'}</dd>
              </>
            ) : null}
          </dl>
          <p className="muted">Test asks the service now, on the connection in use. The addresses are set in Ringside’s configuration on the server; passwords are never shown.</p>
        </>
      ) : null}
    </>
  );
}

const SECTIONS: TabSpec<Section>[] = [
  { id: 'agents', label: 'Agents' },
  { id: 'phones', label: 'Phones' },
  { id: 'helplines', label: 'Helplines' },
  { id: 'contacts', label: 'Contacts' },
  { id: 'phone-setup', label: 'Connect a phone' },
  { id: 'system', label: 'System' },
];

export function AdminConsole({ rest, health, onChanged, agentActions }: AdminConsoleProps) {
  const [section, setSection] = useState<Section>('agents');
  // One counter for the whole directory: an agent added shows in the phones' and helplines' choices too.
  const [version, setVersion] = useState(0);
  const changed = useCallback(() => {
    setVersion((v) => v + 1);
    onChanged();
  }, [onChanged]);
  return (
    <section className="panel admin" aria-labelledby="admin-title">
      <h2 id="admin-title">Admin</h2>
      <Tabs tabs={SECTIONS} selected={section} onSelect={setSection} label="Admin sections" />
      <TabPanel id={section}>
        {section === 'agents' ? <AgentsSection rest={rest} version={version} changed={changed} agentActions={agentActions} /> : null}
        {section === 'phones' ? <PhonesSection rest={rest} version={version} changed={changed} health={health} /> : null}
        {section === 'helplines' ? <HelplinesSection rest={rest} version={version} changed={changed} /> : null}
        {section === 'contacts' ? <ContactsSection rest={rest} version={version} changed={changed} /> : null}
        {section === 'phone-setup' ? <PhoneSetupSection rest={rest} /> : null}
        {section === 'system' ? <SystemSection rest={rest} health={health} version={version} /> : null}
      </TabPanel>
    </section>
  );
}
