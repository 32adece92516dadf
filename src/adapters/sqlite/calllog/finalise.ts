import type { CallStatus } from '../../../domain/calllog/CallLog';
import { computeContribution, finalTimes, type StatContribution } from '../../../domain/calllog/statistics';
import { CALL_COLUMNS, CALL_COLUMN_COUNT, LEG_COLUMNS, callRowOf, legRows, legRowsOf, targetsOf, type CallLogContext, type CallRow, type LegRow } from './rows';

/** Takes the call's previous contribution out of the daily stats (inside the caller's transaction): a call finalised again. */
function withdrawContribution(ctx: CallLogContext, key: { account: string; callId: string }): void {
  ctx
    .sql(
      `UPDATE cl_agent_daily_stats AS s SET
         offered = s.offered - c.offered, answered = s.answered - c.answered, missed = s.missed - c.missed,
         ring_ms_total = s.ring_ms_total - c.ring_ms, ring_count = s.ring_count - c.ring_count,
         talk_ms_total = s.talk_ms_total - c.talk_ms, talk_count = s.talk_count - c.talk_count,
         outgoing = s.outgoing - c.outgoing, outgoing_answered = s.outgoing_answered - c.outgoing_answered,
         outgoing_talk_ms = s.outgoing_talk_ms - c.outgoing_talk_ms
       FROM cl_stat_contrib AS c
       WHERE c.account = @account AND c.call_id = @callId AND s.account = c.account AND s.day = c.day AND s.agent = c.agent`,
    )
    .run(key);
  ctx
    .sql(
      `DELETE FROM cl_agent_daily_stats WHERE account = @account
         AND offered = 0 AND answered = 0 AND missed = 0 AND ring_count = 0 AND talk_count = 0 AND outgoing = 0
         AND (day, agent) IN (SELECT day, agent FROM cl_stat_contrib WHERE account = @account AND call_id = @callId)`,
    )
    .run(key);
  ctx.sql('DELETE FROM cl_stat_contrib WHERE account = @account AND call_id = @callId').run(key);
}

/**
 * Replaces the call's contribution to the daily stats with the new one (inside the caller's
 * transaction). A call's first finalise has nothing to take back: it only adds.
 */
function replaceContribution(ctx: CallLogContext, call: CallRow, contributed: boolean, contribution: StatContribution[]): void {
  const key = { account: call.account, callId: call.id };
  if (contributed) withdrawContribution(ctx, key);
  for (const c of contribution) {
    const row = { ...key, agent: c.agent, day: c.day, offered: c.offered, answered: c.answered, missed: c.missed, ringMs: c.ringMs, ringCount: c.ringCount, talkMs: c.talkMs, talkCount: c.talkCount,
      outgoing: c.outgoing, outgoingAnswered: c.outgoingAnswered, outgoingTalkMs: c.outgoingTalkMs };
    ctx
      .sql(
        `INSERT INTO cl_stat_contrib (account, call_id, agent, day, offered, answered, missed, ring_ms, ring_count, talk_ms, talk_count,
           outgoing, outgoing_answered, outgoing_talk_ms)
         VALUES (@account, @callId, @agent, @day, @offered, @answered, @missed, @ringMs, @ringCount, @talkMs, @talkCount,
           @outgoing, @outgoingAnswered, @outgoingTalkMs)`,
      )
      .run(row);
    ctx
      .sql(
        `INSERT INTO cl_agent_daily_stats (account, day, agent, offered, answered, missed, ring_ms_total, ring_count, talk_ms_total, talk_count,
           outgoing, outgoing_answered, outgoing_talk_ms)
         VALUES (@account, @day, @agent, @offered, @answered, @missed, @ringMs, @ringCount, @talkMs, @talkCount,
           @outgoing, @outgoingAnswered, @outgoingTalkMs)
         ON CONFLICT (account, day, agent) DO UPDATE SET
           offered = offered + excluded.offered, answered = answered + excluded.answered, missed = missed + excluded.missed,
           ring_ms_total = ring_ms_total + excluded.ring_ms_total, ring_count = ring_count + excluded.ring_count,
           talk_ms_total = talk_ms_total + excluded.talk_ms_total, talk_count = talk_count + excluded.talk_count,
           outgoing = outgoing + excluded.outgoing, outgoing_answered = outgoing_answered + excluded.outgoing_answered,
           outgoing_talk_ms = outgoing_talk_ms + excluded.outgoing_talk_ms`,
      )
      .run(row);
  }
}

/**
 * Ends the call (inside the caller's transaction): open legs close at endedAt (an open hold
 * closes with them; a leg that never answered ends as missed when the call is missed), then the
 * call's ring, talk and hold times and status, then its statistics contribution is replaced.
 * Returns the call's row and legs as they now are (the statistics touch neither): its view.
 */
export function finaliseCallRows(ctx: CallLogContext, call: CallRow, status: CallStatus, endedAt: number): { call: CallRow; legs: LegRow[] } {
  const legs = closeOpenLegs(ctx, call, status, endedAt);
  const { ringMs, talkMs, holdMs } = finalTimes(call, legs, endedAt);
  // Whether the call has a contribution already (it was finalised before) comes with the row.
  const values = ctx
    .arrays(
      `UPDATE cl_calls SET status = ?, ended_at = ?, ring_ms = ?, talk_ms = ?, hold_ms = ? WHERE account = ? AND id = ?
       RETURNING ${CALL_COLUMNS}, EXISTS (SELECT 1 FROM cl_stat_contrib c WHERE c.account = cl_calls.account AND c.call_id = cl_calls.id)`,
    )
    .get(status, endedAt, ringMs, talkMs, holdMs, call.account, call.id) as unknown[];
  const updated = callRowOf(values);
  const contributed = values[CALL_COLUMN_COUNT] === 1;
  replaceContribution(ctx, updated, contributed, computeContribution(updated, legs, targetsOf(ctx, call.account, call.id), ctx.timeZone));
  return { call: updated, legs };
}

/**
 * The call's legs (in view order) with the open ones closed at endedAt: an open hold closes with
 * them, a leg that never answered ends as missed when the call is missed. Legs that all ended
 * already (the usual hangup) cost only the read.
 */
function closeOpenLegs(ctx: CallLogContext, call: CallRow, status: CallStatus, endedAt: number): LegRow[] {
  const legs = legRows(ctx, call.account, call.id);
  if (legs.every((leg) => leg.ended_at !== null)) return legs;
  const closed = legRowsOf(
    ctx,
    `UPDATE cl_legs SET
       hold_ms = hold_ms + CASE WHEN hold_started_at IS NULL THEN 0 ELSE MAX(0, @endedAt - hold_started_at) END,
       hold_started_at = NULL,
       state = CASE WHEN answered_at IS NULL AND @status = 'missed' THEN 'missed' ELSE 'ended' END,
       ended_at = @endedAt
     WHERE account = @account AND call_id = @callId AND ended_at IS NULL RETURNING ${LEG_COLUMNS}`,
    { account: call.account, callId: call.id, endedAt, status },
  );
  const byId = new Map(closed.map((leg) => [leg.id, leg]));
  return legs.map((leg) => byId.get(leg.id) ?? leg);
}
