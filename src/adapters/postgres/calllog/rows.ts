import type { Queryable } from '../database';
import type { Contact } from '../../../domain/directory/Directory';
import type { CallView, MissedCallView } from '../../../domain/calllog/CallLog';
import type { PostgresContactLookup, PostgresContactSearch } from '../../../domain/calllog/contactHooks';
import { groupByCall, toCallView, toMissedView, type CallRow, type LegRow, type MissedJoinRow } from '../../../domain/calllog/rows';
import { selectRow, selectRows } from './sql';

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

/** The newest leg of a device on a call (ended or not). */
export async function latestLeg(ctx: PgCallLogContext, account: string, callId: string, mac: string): Promise<LegRow | null> {
  return selectRow<LegRow>(
    ctx.db,
    'SELECT * FROM cl_legs WHERE account = @account AND call_id = @callId AND mac = @mac ORDER BY sequence DESC LIMIT 1',
    { account, callId, mac },
  );
}

/** The caller cards of these remotes: one lookup for all of them (PostgresContactLookup). */
async function contactsOf(ctx: PgCallLogContext, account: string, remotes: string[]): Promise<Map<string, Contact>> {
  if (!ctx.contactLookup || remotes.length === 0) return new Map();
  return ctx.contactLookup(account, [...new Set(remotes)]);
}

export async function callView(ctx: PgCallLogContext, account: string, id: string): Promise<CallView | null> {
  const row = await getCallRow(ctx, account, id);
  return row ? ((await callViews(ctx, account, [row]))[0] ?? null) : null;
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
