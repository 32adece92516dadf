import type { Statement } from 'better-sqlite3';
import { statementCache, type SqliteDatabase } from '../database';
import type { Contact } from '../../../domain/directory/Directory';
import type { Direction } from '../../../domain/callstate/CallStateStore';
import type { CallStatus, CallView, LegView, Line, MissedCallView, MissedStatus } from '../../../domain/calllog/CallLog';

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

export interface CallRow {
  account: string;
  id: string;
  direction: Direction;
  remote: string;
  remote_norm: string;
  remote_tail: string | null;
  remote_name: string;
  local: string;
  line: Line;
  helpline: string | null;
  agent: string | null;
  device: string | null;
  status: CallStatus;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  ring_ms: number | null;
  talk_ms: number | null;
  hold_ms: number;
  parent_id: string | null;
  transferred_from: string | null;
  rejected_by: string | null;
  /** 1 once the call was offered to an agent (a row in cl_targets). */
  targeted: number;
}

export interface LegRow {
  id: number;
  account: string;
  call_id: string;
  mac: string;
  sequence: number;
  agent: string | null;
  state: LegView['state'];
  transfer: number;
  transferred_from: string | null;
  ring_at: number;
  answered_at: number | null;
  ended_at: number | null;
  hold_ms: number;
  hold_started_at: number | null;
}

export interface MissedRow {
  account: string;
  call_id: string;
  remote_norm: string;
  remote_tail: string | null;
  at: number;
  status: MissedStatus;
  owner: string | null;
  claimed_at: number | null;
  closed_at: number | null;
  closed_by: string | null;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** Page size: 50 unless given, at least 1, at most 200. */
export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(Math.max(1, Math.trunc(limit)), MAX_LIMIT);
}

export function getCallRow(ctx: CallLogContext, account: string, id: string): CallRow | null {
  return (ctx.sql('SELECT * FROM cl_calls WHERE account = ? AND id = ?').get(account, id) as CallRow | undefined) ?? null;
}

export function legRows(ctx: CallLogContext, account: string, callId: string): LegRow[] {
  return ctx.sql('SELECT * FROM cl_legs WHERE account = ? AND call_id = ? ORDER BY ring_at, id').all(account, callId) as LegRow[];
}

/** The newest leg of a device on a call (ended or not). */
export function latestLeg(ctx: CallLogContext, account: string, callId: string, mac: string): LegRow | null {
  return (
    (ctx.sql('SELECT * FROM cl_legs WHERE account = ? AND call_id = ? AND mac = ? ORDER BY sequence DESC LIMIT 1').get(account, callId, mac) as
      | LegRow
      | undefined) ?? null
  );
}

export function toLegView(row: LegRow): LegView {
  return {
    id: row.id,
    mac: row.mac,
    agent: row.agent,
    state: row.state,
    transfer: row.transfer === 1,
    transferredFrom: row.transferred_from,
    ringAt: row.ring_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    holdMs: row.hold_ms,
  };
}

export function toCallView(ctx: CallLogContext, row: CallRow, legs: LegRow[]): CallView {
  return {
    id: row.id,
    account: row.account,
    direction: row.direction,
    remote: row.remote,
    remoteName: row.remote_name,
    local: row.local,
    line: row.line,
    helpline: row.helpline,
    agent: row.agent,
    device: row.device,
    status: row.status,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    ringMs: row.ring_ms,
    talkMs: row.talk_ms,
    holdMs: row.hold_ms,
    parentId: row.parent_id,
    transferredFrom: row.transferred_from,
    rejectedBy: row.rejected_by,
    legs: legs.map(toLegView),
    contact: ctx.contactLookup ? ctx.contactLookup(row.account, row.remote) : null,
  };
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
  const byCall = new Map<string, LegRow[]>();
  for (const leg of legs) {
    const list = byCall.get(leg.call_id);
    if (list) list.push(leg);
    else byCall.set(leg.call_id, [leg]);
  }
  return rows.map((row) => toCallView(ctx, row, byCall.get(row.id) ?? []));
}

export function targetsOf(ctx: CallLogContext, account: string, callId: string): string[] {
  return ctx.sql('SELECT agent FROM cl_targets WHERE account = ? AND call_id = ? ORDER BY rowid').pluck().all(account, callId) as string[];
}

type MissedJoinRow = MissedRow & { remote: string; remote_name: string; line: Line; helpline: string | null };

const MISSED_SELECT = `SELECT m.*, c.remote, c.remote_name, c.line, c.helpline
  FROM cl_missed m JOIN cl_calls c ON c.account = m.account AND c.id = m.call_id`;

function toMissedView(ctx: CallLogContext, row: MissedJoinRow, targets: string[]): MissedCallView {
  return {
    callId: row.call_id,
    account: row.account,
    remote: row.remote,
    remoteName: row.remote_name,
    line: row.line,
    helpline: row.helpline,
    at: row.at,
    status: row.status,
    owner: row.owner,
    claimedAt: row.claimed_at,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
    targets,
    contact: ctx.contactLookup ? ctx.contactLookup(row.account, row.remote) : null,
  };
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
