// Call history: search by number or name, filters, paging, and each call's legs and transfers.
import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { describeError, type RestClient } from '../api/rest';
import type { AgentWithPresence, CallView } from '../api/types';
import { callerLine, callerName, formatDuration, formatWhen, helplineLabel, STATUS_LABEL } from '../format';
import {
  callsQuery, currentCursor, EMPTY_FILTERS, FIRST_PAGE, legLines, pageBack, pageForward, transferLines,
  type HistoryFilters, type Paging,
} from '../history';

export interface HistoryProps {
  rest: RestClient;
  agents: readonly AgentWithPresence[];
  nameOf: (agent: string) => string;
  helplineName: (number: string) => string | null;
  /** Moves when a call finished: the first page is loaded again. */
  callsVersion: number;
}

function CallDetails({ call, nameOf }: { call: CallView; nameOf: (agent: string) => string }) {
  const transfers = transferLines(call, nameOf);
  return (
    <div className="call-details">
      {transfers.length > 0 ? <p>{transfers.join(' · ')}</p> : null}
      {call.rejectedBy ? <p>Rejected by {nameOf(call.rejectedBy)}</p> : null}
      <table aria-label="Who the call rang">
        <thead>
          <tr>
            <th>Phone</th>
            <th>What happened</th>
            <th className="wide-only">Rang at</th>
            <th className="num">Rang</th>
            <th className="num">Talked</th>
          </tr>
        </thead>
        <tbody>
          {legLines(call, nameOf).map((leg) => (
            <tr key={leg.key}>
              <td>{leg.who}</td>
              <td>{leg.what}</td>
              <td className="wide-only">{new Date(leg.ringAt).toLocaleTimeString()}</td>
              <td className="num">{formatDuration(leg.ringMs)}</td>
              <td className="num">{formatDuration(leg.talkMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function History({ rest, agents, nameOf, helplineName, callsVersion }: HistoryProps) {
  const [draft, setDraft] = useState<HistoryFilters>(EMPTY_FILTERS);
  const [filters, setFilters] = useState<HistoryFilters>(EMPTY_FILTERS);
  const [paging, setPaging] = useState<Paging>(FIRST_PAGE);
  const [items, setItems] = useState<CallView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const cursor = currentCursor(paging);

  useEffect(() => {
    let current = true;
    setError(null);
    rest.calls(callsQuery(filters, cursor)).then(
      (page) => {
        if (!current) return;
        setItems(page.items);
        setPaging((p) => (currentCursor(p) === cursor ? { ...p, next: page.next } : p));
      },
      (e: unknown) => current && setError(describeError(e)),
    );
    return () => {
      current = false;
    };
    // callsVersion: a finished call may belong on this page.
  }, [rest, filters, cursor, callsVersion]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setPaging(FIRST_PAGE);
    setOpen(null);
  };
  const set = <K extends keyof HistoryFilters>(key: K, value: HistoryFilters[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const now = Date.now();

  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <form className="filters" onSubmit={submit} role="search" aria-label="Search calls">
        <div className="filters__search">
          <label className="visually-hidden" htmlFor="history-q">Number or name</label>
          <input id="history-q" type="search" placeholder="Number or name" value={draft.q} onChange={(e) => set('q', e.target.value)} />
          <button type="submit" className="button button--primary">Search</button>
        </div>
        <label className="field">
          Direction
          <select value={draft.direction} onChange={(e) => set('direction', e.target.value as HistoryFilters['direction'])}>
            <option value="">Any</option>
            <option value="in">Incoming</option>
            <option value="out">Outgoing</option>
          </select>
        </label>
        <label className="field">
          Status
          <select value={draft.status} onChange={(e) => set('status', e.target.value as HistoryFilters['status'])}>
            <option value="">Any</option>
            {Object.entries(STATUS_LABEL).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
        <label className="field">
          Agent
          <select value={draft.agent} onChange={(e) => set('agent', e.target.value)}>
            <option value="">Anyone</option>
            {agents.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
          </select>
        </label>
        <label className="field">
          From
          <input type="date" value={draft.from} onChange={(e) => set('from', e.target.value)} />
        </label>
        <label className="field">
          To
          <input type="date" value={draft.to} onChange={(e) => set('to', e.target.value)} />
        </label>
      </form>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {items === null ? <p className="empty">Loading…</p> : items.length === 0 ? <p className="empty">No calls match.</p> : (
        <table aria-label="Calls" className="calls-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Caller</th>
              <th className="wide-only">Direction</th>
              <th className="wide-only">Agent</th>
              <th>Status</th>
              <th className="num wide-only">Rang</th>
              <th className="num">Talked</th>
              <th><span className="visually-hidden">Details</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((call) => {
              const name = callerName(call);
              const expanded = open === call.id;
              return (
                <Fragment key={call.id}>
                  <tr data-call-id={call.id}>
                    <td>{formatWhen(call.startedAt, now)}</td>
                    <td className="calls-table__caller">{callerLine(name, call.remote)}{call.line === 'helpline' && call.helpline ? <div className="muted">{helplineLabel(helplineName(call.helpline), call.helpline, false)}</div> : null}</td>
                    <td className="wide-only">{call.direction === 'in' ? 'In' : 'Out'}</td>
                    <td className="wide-only">{call.agent ? nameOf(call.agent) : '—'}</td>
                    <td>{STATUS_LABEL[call.status] ?? call.status}</td>
                    <td className="num wide-only">{formatDuration(call.ringMs)}</td>
                    <td className="num">{formatDuration(call.talkMs)}</td>
                    <td>
                      <button type="button" className="linkish" aria-expanded={expanded} onClick={() => setOpen(expanded ? null : call.id)}>
                        {expanded ? 'Hide' : 'Details'}
                      </button>
                    </td>
                  </tr>
                  {expanded ? (
                    <tr className="details">
                      <td colSpan={8}><CallDetails call={call} nameOf={nameOf} /></td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" className="button" disabled={paging.stack.length <= 1} onClick={() => setPaging(pageBack)}>Previous</button>
        <span className="muted">Page {paging.stack.length}</span>
        <button type="button" className="button" disabled={paging.next === null} onClick={() => setPaging(pageForward)}>Next</button>
      </nav>
    </section>
  );
}
