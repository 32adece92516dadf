// The History screen's logic: filters to the GET /api/calls query, paging by the server's cursor,
// and a call's legs as lines a person reads.
import type { CallView, LegView } from './api/types';

export interface HistoryFilters {
  /** Number or name. */
  q: string;
  direction: '' | 'in' | 'out';
  status: '' | CallView['status'];
  agent: string;
  /** `YYYY-MM-DD` from a date input, the agent's local day; '' for none. */
  from: string;
  /** Inclusive: calls on this local day are shown. */
  to: string;
}

export const EMPTY_FILTERS: HistoryFilters = { q: '', direction: '', status: '', agent: '', from: '', to: '' };
export const PAGE_SIZE = 25;

/** Local midnight of a `YYYY-MM-DD` day (plus `days`), or null for anything else. */
export function localDayStart(day: string, days = 0): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days);
  return Number.isNaN(date.getTime()) ? null : date.getTime();
}

/** The query string for one page (the API takes epoch milliseconds; `to` is exclusive). */
export function callsQuery(filters: HistoryFilters, cursor: string | null, limit = PAGE_SIZE): string {
  const params = new URLSearchParams();
  const q = filters.q.trim();
  if (q !== '') params.set('q', q);
  if (filters.direction) params.set('direction', filters.direction);
  if (filters.status) params.set('status', filters.status);
  if (filters.agent) params.set('agent', filters.agent);
  const from = localDayStart(filters.from);
  const to = localDayStart(filters.to, 1);
  if (from !== null) params.set('from', String(from));
  if (to !== null) params.set('to', String(to));
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}

/**
 * Paging through a list the server pages by cursor only forwards: the cursors of the pages
 * already seen are kept so "Previous" can go back.
 */
export interface Paging {
  /** cursor of each page shown so far; the first page's is null. */
  stack: readonly (string | null)[];
  next: string | null;
}

export const FIRST_PAGE: Paging = { stack: [null], next: null };

export function currentCursor(paging: Paging): string | null {
  return paging.stack[paging.stack.length - 1] ?? null;
}

export function pageForward(paging: Paging): Paging {
  return paging.next === null ? paging : { stack: [...paging.stack, paging.next], next: null };
}

export function pageBack(paging: Paging): Paging {
  return paging.stack.length <= 1 ? paging : { stack: paging.stack.slice(0, -1), next: null };
}

const LEG_STATE: Readonly<Record<LegView['state'], string>> = {
  ringing: 'ringing', answered: 'answered', ended: 'answered, ended', missed: 'not answered', rejected: 'rejected', transferred: 'transferred on',
};

export interface LegLine {
  key: string;
  who: string;
  what: string;
  ringAt: number;
  ringMs: number | null;
  talkMs: number | null;
}

/** Each phone the call reached, in order: who, what happened, how long it rang and talked. */
export function legLines(call: CallView, nameOf: (agent: string) => string): LegLine[] {
  return call.legs.map((leg) => {
    const who = leg.agent ? nameOf(leg.agent) : `phone ${leg.mac}`;
    const answered = leg.answeredAt !== null;
    let what = LEG_STATE[leg.state];
    // An ended leg that was never answered is a phone that stopped ringing.
    if (leg.state === 'ended' && !answered) what = 'stopped ringing';
    if (leg.transfer) what = `${what} · transferred here${leg.transferredFrom ? ` by ${nameOf(leg.transferredFrom)}` : ''}`;
    if (leg.holdMs > 0) what = `${what} · on hold ${Math.round(leg.holdMs / 1000)} s`;
    return {
      key: `${leg.id}`,
      who,
      what,
      ringAt: leg.ringAt,
      ringMs: answered ? leg.answeredAt! - leg.ringAt : (leg.endedAt !== null ? leg.endedAt - leg.ringAt : null),
      talkMs: answered && leg.endedAt !== null ? leg.endedAt - leg.answeredAt! : null,
    };
  });
}

/** "Transferred from Alice" lines for a call (its own transfer, and transfers between its legs). */
export function transferLines(call: CallView, nameOf: (agent: string) => string): string[] {
  const lines: string[] = [];
  if (call.transferredFrom) lines.push(`Transferred from ${nameOf(call.transferredFrom)}`);
  for (const leg of call.legs) {
    if (!leg.transfer) continue;
    const to = leg.agent ? nameOf(leg.agent) : `phone ${leg.mac}`;
    lines.push(leg.transferredFrom ? `${nameOf(leg.transferredFrom)} transferred to ${to}` : `Transferred to ${to}`);
  }
  return [...new Set(lines)];
}
