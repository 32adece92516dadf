import type { CallStatus } from '../../../domain/calllog/CallLog';
import { inViewOrder, type CallRow, type LegRow } from '../../../domain/calllog/rows';
import { computeContribution, finalTimes, STAT_FIELDS, type StatContribution } from '../../../domain/calllog/statistics';
import { targetsOf, type PgCallLogContext } from './rows';
import { execute, selectRow, selectRows } from './sql';

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

/** The counters' columns, in STAT_FIELDS' order (ringMs is ring_ms). */
const COLUMNS = STAT_FIELDS.map((field) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`));
const COUNTERS = COLUMNS.join(', ');
/** Each counter of the given contributions as an array parameter, in the same order. */
const GIVEN_ARRAYS = STAT_FIELDS.map((field) => `@${field}::bigint[]`).join(', ');

/**
 * Replaces the call's recorded contribution with `contribution`, in one statement: the agents no
 * longer in it are deleted, the others inserted or overwritten (a call finalised again after a
 * transfer continuation). The rows the two parts touch are apart, as one statement requires.
 */
async function replaceContribution(ctx: PgCallLogContext, call: CallRow, contribution: StatContribution[]): Promise<void> {
  const columns = Object.fromEntries(STAT_FIELDS.map((field) => [field, contribution.map((c) => c[field])]));
  await execute(
    ctx.db,
    `WITH given AS (SELECT * FROM unnest(@agents::text[], @days::text[], ${GIVEN_ARRAYS}) AS g (agent, day, ${COUNTERS})),
     gone AS (DELETE FROM cl_stat_contrib WHERE account = @account AND call_id = @callId AND agent <> ALL (@agents::text[]))
     INSERT INTO cl_stat_contrib (account, call_id, agent, day, ${COUNTERS})
     SELECT @account, @callId, agent, day, ${COUNTERS} FROM given
     ON CONFLICT (account, call_id, agent) DO UPDATE SET day = excluded.day, ${COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    { account: call.account, callId: call.id, agents: contribution.map((c) => c.agent), days: contribution.map((c) => c.day), ...columns },
  );
}

/**
 * Ends the call (inside the caller's transaction, the call's row locked): open legs close at
 * endedAt (an open hold closes with them; a leg that never answered ends as missed when the call
 * is missed), then the call's ring, talk and hold times and status, then its statistics. Gives the
 * call's row and legs as written.
 */
export async function finaliseCallRows(ctx: PgCallLogContext, call: CallRow, status: CallStatus, endedAt: number): Promise<{ row: CallRow; legs: LegRow[] }> {
  // The open legs as closed, with the others as they were: one statement (the call's row is
  // locked, so no other server is changing its legs meanwhile).
  const legs = inViewOrder(await selectRows<LegRow>(
    ctx.db,
    `WITH closed AS (
       UPDATE cl_legs SET
         hold_ms = hold_ms + CASE WHEN hold_started_at IS NULL THEN 0 ELSE GREATEST(0, @endedAt::bigint - hold_started_at) END,
         hold_started_at = NULL,
         state = CASE WHEN answered_at IS NULL AND @status::text = 'missed' THEN 'missed' ELSE 'ended' END,
         ended_at = @endedAt
       WHERE account = @account AND call_id = @callId AND ended_at IS NULL RETURNING *)
     SELECT * FROM closed UNION ALL SELECT * FROM cl_legs WHERE account = @account AND call_id = @callId AND ended_at IS NOT NULL`,
    { account: call.account, callId: call.id, endedAt, status },
  ));
  const { ringMs, talkMs, holdMs } = finalTimes(call, legs, endedAt);
  const updated = await selectRow<CallRow>(
    ctx.db,
    'UPDATE cl_calls SET status = @status, ended_at = @endedAt, ring_ms = @ringMs, talk_ms = @talkMs, hold_ms = @holdMs WHERE account = @account AND id = @id RETURNING *',
    { status, endedAt, ringMs, talkMs, holdMs, account: call.account, id: call.id },
  );
  await replaceContribution(ctx, updated!, computeContribution(updated!, legs, await targetsOf(ctx, call.account, call.id), ctx.timeZone));
  return { row: updated!, legs };
}
