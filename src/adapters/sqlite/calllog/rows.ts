import type { Statement } from 'better-sqlite3';
import { statementCache, type SqliteDatabase } from '../database';
import type { Contact } from '../../../domain/directory/Directory';
import type { CallView, MissedCallView } from '../../../domain/calllog/CallLog';
import {
  groupByCall,
  toCallView as toCallRowView,
  toMissedView as toMissedRowView,
  type CallRow,
  type LegRow,
  type MissedJoinRow,
} from '../../../domain/calllog/rows';

/** The stored rows and the page size are shared with the PostgreSQL call log (src/domain/calllog/rows.ts). */
export { clampLimit, type CallRow, type LegRow, type MissedRow } from '../../../domain/calllog/rows';

/** Caller card for a remote number (synchronous: the directory shares the database). */
export type ContactLookup = (account: string, number: string) => Contact | null;
/** Numbers (and their last digits) of contacts whose name matches q, for the free-text call search. */
export type ContactSearch = (account: string, q: string) => Array<{ number: string; tail: string | null }>;

export interface CallLogContext {
  db: SqliteDatabase;
  contactLookup: ContactLookup | null;
  contactSearch: ContactSearch | null;
  /** The seat's IANA zone: the daily statistics are kept per local day of it. */
  timeZone: string;
  /** Prepared statements, compiled once per SQL text. */
  sql(text: string): Statement;
}

export function createContext(db: SqliteDatabase, contactLookup: ContactLookup | null, contactSearch: ContactSearch | null, timeZone = 'UTC'): CallLogContext {
  return { db, contactLookup, contactSearch, timeZone, sql: statementCache(db) };
}

export function getCallRow(ctx: CallLogContext, account: string, id: string): CallRow | null {
  return (ctx.sql('SELECT * FROM cl_calls WHERE account = ? AND id = ?').get(account, id) as CallRow | undefined) ?? null;
}

export function legRows(ctx: CallLogContext, account: string, callId: string): LegRow[] {
  return ctx.sql('SELECT * FROM cl_legs WHERE account = ? AND call_id = ? ORDER BY ring_at, id').all(account, callId) as LegRow[];
}

function contactOf(ctx: CallLogContext, account: string, remote: string): Contact | null {
  return ctx.contactLookup ? ctx.contactLookup(account, remote) : null;
}

export function toCallView(ctx: CallLogContext, row: CallRow, legs: LegRow[]): CallView {
  return toCallRowView(row, legs, contactOf(ctx, row.account, row.remote));
}

export function callView(ctx: CallLogContext, account: string, id: string): CallView | null {
  const row = getCallRow(ctx, account, id);
  return row ? toCallView(ctx, row, legRows(ctx, account, id)) : null;
}

/** Calls with their legs, loading the legs of all of them in one query. */
export function callViews(ctx: CallLogContext, account: string, rows: CallRow[]): CallView[] {
  if (rows.length === 0) return [];
  const legs = ctx
    .sql('SELECT * FROM cl_legs WHERE account = ? AND call_id IN (SELECT value FROM json_each(?)) ORDER BY ring_at, id')
    .all(account, JSON.stringify(rows.map((r) => r.id))) as LegRow[];
  const byCall = groupByCall(legs);
  return rows.map((row) => toCallView(ctx, row, byCall.get(row.id) ?? []));
}

export function targetsOf(ctx: CallLogContext, account: string, callId: string): string[] {
  return ctx.sql('SELECT agent FROM cl_targets WHERE account = ? AND call_id = ? ORDER BY rowid').pluck().all(account, callId) as string[];
}

const MISSED_SELECT = `SELECT m.*, c.remote, c.remote_name, c.line, c.helpline
  FROM cl_missed m JOIN cl_calls c ON c.account = m.account AND c.id = m.call_id`;

function toMissedView(ctx: CallLogContext, row: MissedJoinRow, targets: string[]): MissedCallView {
  return toMissedRowView(row, targets, contactOf(ctx, row.account, row.remote));
}

export function missedView(ctx: CallLogContext, account: string, callId: string): MissedCallView | null {
  const row = ctx.sql(`${MISSED_SELECT} WHERE m.account = ? AND m.call_id = ?`).get(account, callId) as MissedJoinRow | undefined;
  return row ? toMissedView(ctx, row, targetsOf(ctx, account, callId)) : null;
}

/** Missed calls in the given filter and order (a WHERE/ORDER tail over m.* and c.*). */
export function missedViews(ctx: CallLogContext, account: string, tail: string, params: Record<string, unknown>): MissedCallView[] {
  const rows = ctx.sql(`${MISSED_SELECT} WHERE m.account = @account ${tail}`).all({ ...params, account }) as MissedJoinRow[];
  if (rows.length === 0) return [];
  const targets = ctx
    .sql('SELECT call_id, agent FROM cl_targets WHERE account = ? AND call_id IN (SELECT value FROM json_each(?)) ORDER BY rowid')
    .all(account, JSON.stringify(rows.map((r) => r.call_id))) as Array<{ call_id: string; agent: string }>;
  return rows.map((row) => toMissedView(ctx, row, targets.filter((t) => t.call_id === row.call_id).map((t) => t.agent)));
}
