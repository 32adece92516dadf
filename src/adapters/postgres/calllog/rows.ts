import type { Queryable } from '../database';
import type { Contact } from '../../../domain/directory/Directory';
import type { CallView, MissedCallView } from '../../../domain/calllog/CallLog';
import type { PostgresContactLookup, PostgresContactSearch } from '../../../domain/calllog/contactHooks';
import { groupByCall, inViewOrder, toCallView, toMissedView, type CallRow, type LegRow, type MissedJoinRow } from '../../../domain/calllog/rows';
import { execute, selectRow, selectRows } from './sql';

/** What every call-log function works with: the transaction's client (or the pool, to read) and the hooks. */
export interface PgCallLogContext {
  db: Queryable;
  contactLookup: PostgresContactLookup | null;
  contactSearch: PostgresContactSearch | null;
  /** The seat's IANA zone: the daily statistics are kept per local day of it. */
  timeZone: string;
}

/** The call row; `lock`: FOR UPDATE, so a read-then-write of this call waits for any other server's (inside a transaction). */
export async function getCallRow(ctx: PgCallLogContext, account: string, id: string, lock = false): Promise<CallRow | null> {
  return selectRow<CallRow>(ctx.db, `SELECT * FROM cl_calls WHERE account = @account AND id = @id${lock ? ' FOR UPDATE' : ''}`, { account, id });
}

export async function legRows(ctx: PgCallLogContext, account: string, callId: string): Promise<LegRow[]> {
  return selectRows<LegRow>(ctx.db, 'SELECT * FROM cl_legs WHERE account = @account AND call_id = @callId ORDER BY ring_at, id', { account, callId });
}

/** The caller cards of these remotes: one lookup for all of them (PostgresContactLookup). */
async function contactsOf(ctx: PgCallLogContext, account: string, remotes: string[]): Promise<Map<string, Contact>> {
  if (!ctx.contactLookup || remotes.length === 0) return new Map();
  return ctx.contactLookup(account, [...new Set(remotes)]);
}

/** The call's legs as one JSON array (row `c`), in the order views list them: json_agg keeps the column names and gives BIGINTs as numbers. */
const LEGS_OF_C = `COALESCE((SELECT json_agg(l ORDER BY l.ring_at, l.id) FROM cl_legs l WHERE l.account = c.account AND l.call_id = c.id), '[]')`;

/** The call with its legs, read in one statement (a round trip per statement is most of a central server's cost per call event). */
export async function callView(ctx: PgCallLogContext, account: string, id: string): Promise<CallView | null> {
  const found = await selectRow<CallRow & { legs_json: LegRow[] }>(ctx.db, `SELECT c.*, ${LEGS_OF_C} AS legs_json FROM cl_calls c WHERE c.account = @account AND c.id = @id`, { account, id });
  if (!found) return null;
  const { legs_json: legs, ...row } = found;
  return viewOf(ctx, row, legs);
}

/** The view of a call from its rows as a mutation holds them (src/domain/calllog/rows.ts, latestLegOf), with its caller card. */
export async function viewOf(ctx: PgCallLogContext, row: CallRow, legs: LegRow[]): Promise<CallView> {
  const contacts = await contactsOf(ctx, row.account, [row.remote]);
  return toCallView(row, inViewOrder(legs), contacts.get(row.remote) ?? null);
}

/** An event's idempotency marker for one step (PostgresCallLog onceOnCall), written in a mutation's first statement. */
export type Marker = { eventId: string; op: string; at: number };

/** The marker's INSERT, for a CTE named `marker`: one row when the marker is new, none when it was there. */
export const INSERT_MARKER = 'INSERT INTO cl_processed_events (event_id, op, at) VALUES (@eventId, @op, @at) ON CONFLICT DO NOTHING RETURNING 1';

/**
 * Writes the marker and locks the call's row (FOR UPDATE), in one statement: whether the marker
 * is new, and the row (null for an unknown call; the marker is then written all the same, and the
 * caller takes it out). The row is the latest committed version even after waiting for another
 * server's lock; anything else this statement read could predate that server's commit, so the
 * legs are read by the next statement.
 */
export async function markAndLock(ctx: PgCallLogContext, marker: Marker, account: string, id: string): Promise<{ marked: boolean; row: CallRow | null }> {
  const found = await selectRow<CallRow & { marked_now: number }>(
    ctx.db,
    `WITH marker AS (${INSERT_MARKER})
     SELECT (SELECT count(*) FROM marker)::int AS marked_now, c.* FROM cl_calls c WHERE c.account = @account AND c.id = @id FOR UPDATE`,
    { ...marker, account, id },
  );
  if (!found) return { marked: true, row: null };
  const { marked_now: marked, ...row } = found;
  return { marked: marked === 1, row };
}

/** Takes out a marker written for a call that turned out unknown (none is left: PostgresCallLog onceOnCall). */
export async function unmark(ctx: PgCallLogContext, marker: Marker): Promise<void> {
  await execute(ctx.db, 'DELETE FROM cl_processed_events WHERE event_id = @eventId AND op = @op', marker);
}

/** Calls with their legs and contacts: one query for the legs of all of them, one contact lookup. */
export async function callViews(ctx: PgCallLogContext, account: string, rows: CallRow[]): Promise<CallView[]> {
  if (rows.length === 0) return [];
  const legs = await selectRows<LegRow>(
    ctx.db,
    'SELECT * FROM cl_legs WHERE account = @account AND call_id = ANY(@ids::text[]) ORDER BY ring_at, id',
    { account, ids: rows.map((r) => r.id) },
  );
  const byCall = groupByCall(legs);
  const contacts = await contactsOf(ctx, account, rows.map((r) => r.remote));
  return rows.map((row) => toCallView(row, byCall.get(row.id) ?? [], contacts.get(row.remote) ?? null));
}

/** Agents offered the call, in the order they were. */
export async function targetsOf(ctx: PgCallLogContext, account: string, callId: string): Promise<string[]> {
  const rows = await selectRows<{ agent: string }>(ctx.db, 'SELECT agent FROM cl_targets WHERE account = @account AND call_id = @callId ORDER BY seq', { account, callId });
  return rows.map((r) => r.agent);
}

const MISSED_SELECT = `SELECT m.*, c.remote, c.remote_name, c.line, c.helpline
  FROM cl_missed m JOIN cl_calls c ON c.account = m.account AND c.id = m.call_id`;

export async function missedView(ctx: PgCallLogContext, account: string, callId: string): Promise<MissedCallView | null> {
  return (await missedViews(ctx, account, 'AND m.call_id = @callId', { callId }))[0] ?? null;
}

/** Missed calls in the given filter and order (a WHERE/ORDER tail over m.* and c.*, with its named parameters). */
export async function missedViews(ctx: PgCallLogContext, account: string, tail: string, params: Record<string, unknown>): Promise<MissedCallView[]> {
  const rows = await selectRows<MissedJoinRow>(ctx.db, `${MISSED_SELECT} WHERE m.account = @account ${tail}`, { ...params, account });
  if (rows.length === 0) return [];
  const targets = await selectRows<{ call_id: string; agent: string }>(
    ctx.db,
    'SELECT call_id, agent FROM cl_targets WHERE account = @account AND call_id = ANY(@ids::text[]) ORDER BY seq',
    { account, ids: rows.map((r) => r.call_id) },
  );
  const byCall = groupByCall(targets);
  const contacts = await contactsOf(ctx, account, rows.map((r) => r.remote));
  return rows.map((row) => toMissedView(row, (byCall.get(row.call_id) ?? []).map((t) => t.agent), contacts.get(row.remote) ?? null));
}
