// The admin console's helplines: list, add with members, remove.
import { useCallback, useState, type FormEvent } from 'react';
import type { RestClient } from '../../api/rest';
import type { Helpline } from '../../api/types';
import { helplineLabel } from '../../format';
import { confirmed, StatusLine, useLoaded, adminErrorText, type Status } from './shared';

export function HelplinesSection({ rest, version, changed }: { rest: RestClient; version: number; changed: () => void }) {
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
