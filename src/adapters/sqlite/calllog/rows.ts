import type { Statement } from 'better-sqlite3';
import { arrayStatementCache, statementCache, type SqliteDatabase } from '../database';
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
  /** The same, with rows as arrays: for callRow, legRow and legRowsOf. */
  arrays(text: string): Statement;
}

export function createContext(db: SqliteDatabase, contactLookup: ContactLookup | null, contactSearch: ContactSearch | null, timeZone = 'UTC'): CallLogContext {
  return { db, contactLookup, contactSearch, timeZone, sql: statementCache(db), arrays: arrayStatementCache(db) };
}

/**
 * cl_calls' and cl_legs' columns, in the order callRowOf and legRowOf name them. The call and leg
 * rows every call event reads and writes come back as arrays with these columns (`SELECT
 * ${CALL_COLUMNS}`, `RETURNING ${LEG_COLUMNS}`), named here by one object literal each: about
 * half as much CPU per row as better-sqlite3 naming every column of every row (issue 15).
 */
export const CALL_COLUMNS = `account, id, direction, remote, remote_norm, remote_tail, remote_name, local, line, helpline, agent, device,
  status, started_at, answered_at, ended_at, ring_ms, talk_ms, hold_ms, parent_id, transferred_from, rejected_by, targeted`;
export const LEG_COLUMNS = 'id, account, call_id, mac, sequence, agent, state, transfer, transferred_from, ring_at, answered_at, ended_at, hold_ms, hold_started_at';

/** The number of CALL_COLUMNS: a statement's own values after them start here. */
export const CALL_COLUMN_COUNT = CALL_COLUMNS.split(',').length;

export function callRowOf(v: unknown[]): CallRow {
  return {
    account: v[0], id: v[1], direction: v[2], remote: v[3], remote_norm: v[4], remote_tail: v[5], remote_name: v[6], local: v[7],
    line: v[8], helpline: v[9], agent: v[10], device: v[11], status: v[12], started_at: v[13], answered_at: v[14], ended_at: v[15],
    ring_ms: v[16], talk_ms: v[17], hold_ms: v[18], parent_id: v[19], transferred_from: v[20], rejected_by: v[21], targeted: v[22],
  } as CallRow;
}

function legRowOf(v: unknown[]): LegRow {
  return {
    id: v[0], account: v[1], call_id: v[2], mac: v[3], sequence: v[4], agent: v[5], state: v[6], transfer: v[7],
    transferred_from: v[8], ring_at: v[9], answered_at: v[10], ended_at: v[11], hold_ms: v[12], hold_started_at: v[13],
  } as LegRow;
}

/** The call row of a statement selecting or returning CALL_COLUMNS (a write that matched none: null). */
export function callRow(ctx: CallLogContext, text: string, ...params: unknown[]): CallRow | null {
  const values = ctx.arrays(text).get(...params) as unknown[] | undefined;
  return values ? callRowOf(values) : null;
}

/** The leg row of a statement selecting or returning LEG_COLUMNS (a write that matched none: undefined). */
export function legRow(ctx: CallLogContext, text: string, ...params: unknown[]): LegRow | undefined {
  const values = ctx.arrays(text).get(...params) as unknown[] | undefined;
  return values ? legRowOf(values) : undefined;
}

/** Every leg row of a statement selecting or returning LEG_COLUMNS. */
export function legRowsOf(ctx: CallLogContext, text: string, ...params: unknown[]): LegRow[] {
  return (ctx.arrays(text).all(...params) as unknown[][]).map(legRowOf);
}

export function getCallRow(ctx: CallLogContext, account: string, id: string): CallRow | null {
  return callRow(ctx, `SELECT ${CALL_COLUMNS} FROM cl_calls WHERE account = ? AND id = ?`, account, id);
}

export function legRows(ctx: CallLogContext, account: string, callId: string): LegRow[] {
  return legRowsOf(ctx, `SELECT ${LEG_COLUMNS} FROM cl_legs WHERE account = ? AND call_id = ? ORDER BY ring_at, id`, account, callId);
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
  const legs = legRowsOf(
    ctx,
    `SELECT ${LEG_COLUMNS} FROM cl_legs WHERE account = ? AND call_id IN (SELECT value FROM json_each(?)) ORDER BY ring_at, id`,
    account,
    JSON.stringify(rows.map((r) => r.id)),
  );
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
