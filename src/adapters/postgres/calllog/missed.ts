import { normaliseNumber, numberTail } from '../../../domain/directory/numbers';
import type { Applied, CallAudience, MissedCallView, MissedStatus } from '../../../domain/calllog/CallLog';
import { clampLimit } from '../../../domain/calllog/rows';
import { finaliseCallRows } from './finalise';
import { getCallRow, missedView, missedViews, type PgCallLogContext } from './rows';
import { execute, selectRows } from './sql';
import { MISSED_VISIBLE, audienceParams } from './visibility';

/**
 * Missed calls and their call-back ownership, as the SQLite call log's
 * (src/adapters/sqlite/calllog/missed.ts). Each function runs inside a transaction that
 * PostgresCallLog opens, but applyClose: its one UPDATE is atomic on its own, and the views it
 * reads after it need no transaction.
 */

/**
 * Exactly one record per call id. The call's row is locked first, so two servers recording the
 * same missed call take turns and the second finds the record. Refused (null) for an unknown call,
 * an outgoing call and a call that any device answered.
 */
export async function applyMissedCall(ctx: PgCallLogContext, input: { callId: string; account: string; at: number }): Promise<Applied<MissedCallView | null>> {
  const call = await getCallRow(ctx, input.account, input.callId, true);
  const existing = await missedView(ctx, input.account, input.callId);
  if (existing) return { applied: false, value: existing };
  if (!call || call.direction === 'out' || call.answered_at !== null) return { applied: false, value: null };
  const inserted = await execute(
    ctx.db,
    `INSERT INTO cl_missed (account, call_id, remote_norm, remote_tail, at, status) VALUES (@account, @callId, @norm, @tail, @at, 'open')
     ON CONFLICT DO NOTHING`,
    { account: input.account, callId: input.callId, norm: call.remote_norm, tail: call.remote_tail, at: input.at },
  );
  if (inserted === 0) return { applied: false, value: await missedView(ctx, input.account, input.callId) };
  await finaliseCallRows(ctx, call, 'missed', call.ended_at ?? input.at);
  return { applied: true, value: await missedView(ctx, input.account, input.callId) };
}

/**
 * First agent wins: one conditional UPDATE. A second server's UPDATE of the same row waits for the
 * first to commit, then finds the call no longer open (PostgreSQL re-checks the WHERE on the row
 * it waited for). The owner claiming again wins again: a retry is safe.
 */
export async function applyClaim(ctx: PgCallLogContext, account: string, callId: string, agent: string, at: number): Promise<{ won: boolean; fresh: boolean; missed: MissedCallView } | null> {
  const taken = await execute(
    ctx.db,
    `UPDATE cl_missed SET status = 'claimed', owner = @agent, claimed_at = @at WHERE account = @account AND call_id = @callId AND status = 'open'`,
    { agent, at, account, callId },
  );
  const missed = await missedView(ctx, account, callId);
  if (!missed) return null;
  return { won: taken === 1 || (missed.status === 'claimed' && missed.owner === agent), fresh: taken === 1, missed };
}

/** Closes the open or claimed missed calls of this remote: the same number, or the same last digits. */
export async function applyClose(ctx: PgCallLogContext, account: string, remote: string, by: string, at: number): Promise<MissedCallView[]> {
  const closed = await selectRows<{ call_id: string }>(
    ctx.db,
    `UPDATE cl_missed SET status = 'closed', closed_by = @by, closed_at = @at
     WHERE account = @account AND status IN ('open', 'claimed')
       AND (remote_norm = @norm OR (@tail::text IS NOT NULL AND remote_tail = @tail))
     RETURNING call_id`,
    { account, by, at, norm: normaliseNumber(remote), tail: numberTail(remote) },
  );
  if (closed.length === 0) return [];
  return missedViews(ctx, account, 'AND m.call_id = ANY(@ids::text[]) ORDER BY m.at DESC, m.call_id DESC', { ids: closed.map((r) => r.call_id) });
}

/** Every open missed call, oldest first (the call-back queue is checked against them). */
export async function openMissedViews(ctx: PgCallLogContext, account: string): Promise<MissedCallView[]> {
  return missedViews(ctx, account, "AND m.status = 'open' ORDER BY m.at, m.call_id", {});
}

/** Open ones first, then newest first. With an audience, only the missed calls that agent deals with (visibility.ts). */
export async function listMissedViews(ctx: PgCallLogContext, account: string, query: { status?: MissedStatus; limit?: number; audience?: CallAudience }): Promise<MissedCallView[]> {
  const filter = query.status ? 'AND m.status = @status' : '';
  const visible = query.audience ? `AND ${MISSED_VISIBLE}` : '';
  return missedViews(ctx, account, `${filter} ${visible} ORDER BY (m.status = 'open') DESC, m.at DESC, m.call_id DESC LIMIT @limit`, {
    ...(query.status ? { status: query.status } : {}),
    limit: clampLimit(query.limit),
    ...(query.audience ? audienceParams(query.audience) : {}),
  });
}
