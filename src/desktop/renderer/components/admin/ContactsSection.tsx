// The admin console's contacts: search, add, edit, remove, and the CSV import with its rejected lines.
import { useCallback, useState, type FormEvent } from 'react';
import { type Contact, type CsvImportResult, type RestClient } from '../../api/rest';
import { confirmed, StatusLine, useLoaded, adminErrorText, type Status } from './shared';

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

export function ContactsSection({ rest, version, changed }: { rest: RestClient; version: number; changed: () => void }) {
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
