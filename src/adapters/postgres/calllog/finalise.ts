import type { CallStatus } from '../../../domain/calllog/CallLog';
import type { CallRow, LegRow } from '../../../domain/calllog/rows';
import { computeContribution, finalTimes, type StatContribution } from '../../../domain/calllog/statistics';
import { legRows, targetsOf, type PgCallLogContext } from './rows';
import { execute, selectRow } from './sql';

/**
 * Ending a call and its share of the daily statistics, as the SQLite call log does
 * (src/adapters/sqlite/calllog/finalise.ts), for several servers writing at once. A call's share is
 * its own rows in cl_stat_contrib (replaced when the call is finalised again after a transfer
 * continuation: the caller holds the call's row lock). Nothing here writes a row other calls also
 * write: an agent's daily totals are summed when read (the cl_agent_daily_stats view), and folded
 * into cl_agent_daily_stats_pruned only when the calls are pruned (PostgresCallLog.prune). One row per agent
 * and day updated by every finalisation would make all of an agent's calls, on every server,
 * wait for each other's commits.
 */

const COUNTERS = `offered, answered, missed, ring_ms, ring_count, talk_ms, talk_count, outgoing, outgoing_answered, outgoing_talk_ms`;
const VALUES = '@offered, @answered, @missed, @ringMs, @ringCount, @talkMs, @talkCount, @outgoing, @outgoingAnswered, @outgoingTalkMs';

/** Replaces the call's recorded contribution with `contribution`. */
async function replaceContribution(ctx: PgCallLogContext, call: CallRow, contribution: StatContribution[]): Promise<void> {
  const key = { account: call.account, callId: call.id };
  await execute(ctx.db, 'DELETE FROM cl_stat_contrib WHERE account = @account AND call_id = @callId', key);
  for (const c of contribution) {
    await execute(ctx.db, `INSERT INTO cl_stat_contrib (account, call_id, agent, day, ${COUNTERS}) VALUES (@account, @callId, @agent, @day, ${VALUES})`, { ...key, ...c });
  }
}

/**
 * Ends the call (inside the caller's transaction, the call's row locked): open legs close at
 * endedAt (an open hold closes with them; a leg that never answered ends as missed when the call
 * is missed), then the call's ring, talk and hold times and status, then its statistics. Gives the
 * call's row and legs as written.
 */
export async function finaliseCallRows(ctx: PgCallLogContext, call: CallRow, status: CallStatus, endedAt: number): Promise<{ row: CallRow; legs: LegRow[] }> {
  await execute(
    ctx.db,
    `UPDATE cl_legs SET
       hold_ms = hold_ms + CASE WHEN hold_started_at IS NULL THEN 0 ELSE GREATEST(0, @endedAt::bigint - hold_started_at) END,
       hold_started_at = NULL,
       state = CASE WHEN answered_at IS NULL AND @status::text = 'missed' THEN 'missed' ELSE 'ended' END,
       ended_at = @endedAt
     WHERE account = @account AND call_id = @callId AND ended_at IS NULL`,
    { account: call.account, callId: call.id, endedAt, status },
  );
  const legs = await legRows(ctx, call.account, call.id);
  const { ringMs, talkMs, holdMs } = finalTimes(call, legs, endedAt);
  const updated = await selectRow<CallRow>(
    ctx.db,
    'UPDATE cl_calls SET status = @status, ended_at = @endedAt, ring_ms = @ringMs, talk_ms = @talkMs, hold_ms = @holdMs WHERE account = @account AND id = @id RETURNING *',
    { status, endedAt, ringMs, talkMs, holdMs, account: call.account, id: call.id },
  );
  await replaceContribution(ctx, updated!, computeContribution(updated!, legs, await targetsOf(ctx, call.account, call.id), ctx.timeZone));
  return { row: updated!, legs };
}
