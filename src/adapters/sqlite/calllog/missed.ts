import { normaliseNumber, numberTail } from '../../../domain/directory/numbers';
import type { Applied, CallAudience, MissedCallView, MissedStatus } from '../../../domain/calllog/CallLog';
import { finaliseCallRows } from './finalise';
import { clampLimit, getCallRow, missedView, missedViews, type CallLogContext } from './rows';
import { MISSED_VISIBLE, audienceParams } from './visibility';

/**
 * Missed calls and their call-back ownership. Each function runs inside a transaction that
 * SqliteCallLog opens.
 */

/**
 * Exactly one record per call id. The call becomes missed (finalised now if still live, its
 * statistics recounted if it had ended). Refused (null) for an unknown call, an outgoing call
 * (never missed, "no answer") and a call that any device answered.
 */
export function applyMissedCall(ctx: CallLogContext, input: { callId: string; account: string; at: number }): Applied<MissedCallView | null> {
  const existing = missedView(ctx, input.account, input.callId);
  if (existing) return { applied: false, value: existing };
  const call = getCallRow(ctx, input.account, input.callId);
  if (!call || call.direction === 'out' || call.answered_at !== null) return { applied: false, value: null };
  const inserted = ctx
    .sql(
      `INSERT OR IGNORE INTO cl_missed (account, call_id, remote_norm, remote_tail, at, status)
       VALUES (?, ?, ?, ?, ?, 'open')`,
    )
    .run(input.account, input.callId, call.remote_norm, call.remote_tail, input.at);
  if (inserted.changes === 0) return { applied: false, value: missedView(ctx, input.account, input.callId) };
  finaliseCallRows(ctx, call, 'missed', call.ended_at ?? input.at);
  return { applied: true, value: missedView(ctx, input.account, input.callId) };
}

/**
 * First agent wins (one conditional UPDATE). The owner claiming again wins again: a retry is safe.
 * `fresh`: this claim took the open call (not its owner claiming it again).
 */
export function applyClaim(ctx: CallLogContext, account: string, callId: string, agent: string, at: number): { won: boolean; fresh: boolean; missed: MissedCallView } | null {
  const result = ctx
    .sql(`UPDATE cl_missed SET status = 'claimed', owner = ?, claimed_at = ? WHERE account = ? AND call_id = ? AND status = 'open'`)
    .run(agent, at, account, callId);
  const missed = missedView(ctx, account, callId);
  if (!missed) return null;
  return { won: result.changes === 1 || (missed.status === 'claimed' && missed.owner === agent), fresh: result.changes === 1, missed };
}

/** Closes the open or claimed missed calls of this remote: the same number, or the same last digits. */
export function applyClose(ctx: CallLogContext, account: string, remote: string, by: string, at: number): MissedCallView[] {
  const closed = ctx
    .sql(
      `UPDATE cl_missed SET status = 'closed', closed_by = @by, closed_at = @at
       WHERE account = @account AND status IN ('open', 'claimed')
         AND (remote_norm = @norm OR (@tail IS NOT NULL AND remote_tail = @tail))
       RETURNING call_id`,
    )
    .pluck()
    .all({ account, by, at, norm: normaliseNumber(remote), tail: numberTail(remote) }) as string[];
  if (closed.length === 0) return [];
  return missedViews(ctx, account, 'AND m.call_id IN (SELECT value FROM json_each(@ids)) ORDER BY m.at DESC, m.call_id DESC', {
    ids: JSON.stringify(closed),
  });
}

/** Every open missed call, oldest first (the call-back queue is checked against them). */
export function openMissedViews(ctx: CallLogContext, account: string): MissedCallView[] {
  return missedViews(ctx, account, "AND m.status = 'open' ORDER BY m.at, m.call_id", {});
}

/** Open ones first, then newest first. With an audience, only the missed calls that agent deals with (visibility.ts). */
export function listMissedViews(ctx: CallLogContext, account: string, query: { status?: MissedStatus; limit?: number; audience?: CallAudience }): MissedCallView[] {
  const filter = query.status ? 'AND m.status = @status' : '';
  const visible = query.audience ? `AND ${MISSED_VISIBLE}` : '';
  return missedViews(ctx, account, `${filter} ${visible} ORDER BY (m.status = 'open') DESC, m.at DESC, m.call_id DESC LIMIT @limit`, {
    status: query.status ?? null,
    limit: clampLimit(query.limit),
    ...(query.audience ? audienceParams(query.audience) : {}),
  });
}
