import type { CallStatus } from '../../../domain/calllog/CallLog';
import { localDay } from '../../../protocol/days';
import { getCallRow, legRows, targetsOf, type CallLogContext, type CallRow, type LegRow } from './rows';

/** One agent's share of one call in the daily statistics. */
export interface StatContribution {
  agent: string;
  day: string;
  offered: number;
  answered: number;
  missed: number;
  ringMs: number;
  ringCount: number;
  talkMs: number;
  talkCount: number;
  outgoing: number;
  outgoingAnswered: number;
  outgoingTalkMs: number;
}

const NO_OUTGOING = { outgoing: 0, outgoingAnswered: 0, outgoingTalkMs: 0 };

/** Talk time of a leg: answered until it ended (or the call ended), minus its hold time. */
export function legTalkMs(leg: LegRow, callEndedAt: number): number {
  if (leg.answered_at === null) return 0;
  return Math.max(0, (leg.ended_at ?? callEndedAt) - leg.answered_at - leg.hold_ms);
}

/**
 * What a finished call adds to the per-agent daily statistics. Offered, answered and missed are
 * about incoming calls that ring agents; an outgoing call (a call-back among them) adds only to
 * its owner's outgoing figures: outgoing 1, outgoing answered 1 when the other side answered,
 * and its talk time. For an incoming call:
 * - every target (got the popup) and every agent who answered a leg: offered 1;
 * - every agent who answered a leg: answered 1, ring time once (from the call's start, or for a
 *   transferred leg from when it rang), talk time of all their legs; so after a transfer each
 *   agent gets their own talk time instead of the last owner getting all of it;
 * - a call without agent legs but with an owner credits the owner with the call's figures;
 * - status missed: missed 1 for every target.
 * All on the local day (in `timeZone`) the call started.
 */
export function computeContribution(call: CallRow, legs: LegRow[], targets: string[], timeZone: string): StatContribution[] {
  const day = localDay(call.started_at, timeZone);
  if (call.direction !== 'in') {
    if (call.agent === null) return [];
    const answered = call.answered_at !== null;
    return [{
      agent: call.agent, day, offered: 0, answered: 0, missed: 0, ringMs: 0, ringCount: 0, talkMs: 0, talkCount: 0,
      outgoing: 1, outgoingAnswered: answered ? 1 : 0, outgoingTalkMs: answered ? (call.talk_ms ?? 0) : 0,
    }];
  }
  const endedAt = call.ended_at ?? call.started_at;
  const answering = new Map<string, { ringMs: number; talkMs: number }>();
  const answeredLegs = legs.filter((l) => l.answered_at !== null).sort((a, b) => a.answered_at! - b.answered_at! || a.id - b.id);
  for (const leg of answeredLegs) {
    if (leg.agent === null) continue;
    const talk = legTalkMs(leg, endedAt);
    const entry = answering.get(leg.agent);
    if (entry) {
      entry.talkMs += talk;
    } else {
      const from = leg.transfer === 1 ? leg.ring_at : call.started_at;
      answering.set(leg.agent, { ringMs: Math.max(0, leg.answered_at! - from), talkMs: talk });
    }
  }
  if (answering.size === 0 && call.answered_at !== null && call.agent !== null) {
    answering.set(call.agent, { ringMs: call.ring_ms ?? 0, talkMs: call.talk_ms ?? 0 });
  }
  const offered = new Set([...targets, ...answering.keys()]);
  return [...offered].map((agent) => {
    const answer = answering.get(agent);
    return {
      agent,
      day,
      offered: 1,
      answered: answer ? 1 : 0,
      missed: call.status === 'missed' && targets.includes(agent) ? 1 : 0,
      ringMs: answer?.ringMs ?? 0,
      ringCount: answer ? 1 : 0,
      talkMs: answer?.talkMs ?? 0,
      talkCount: answer ? 1 : 0,
      ...NO_OUTGOING,
    };
  });
}

/** Subtracts the call's previous contribution from the daily stats and adds the new one (inside the caller's transaction). */
function replaceContribution(ctx: CallLogContext, call: CallRow, contribution: StatContribution[]): void {
  const key = { account: call.account, callId: call.id };
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
 */
export function finaliseCallRows(ctx: CallLogContext, call: CallRow, status: CallStatus, endedAt: number): void {
  ctx
    .sql(
      `UPDATE cl_legs SET
         hold_ms = hold_ms + CASE WHEN hold_started_at IS NULL THEN 0 ELSE MAX(0, @endedAt - hold_started_at) END,
         hold_started_at = NULL,
         state = CASE WHEN answered_at IS NULL AND @status = 'missed' THEN 'missed' ELSE 'ended' END,
         ended_at = @endedAt
       WHERE account = @account AND call_id = @callId AND ended_at IS NULL`,
    )
    .run({ account: call.account, callId: call.id, endedAt, status });
  const legs = legRows(ctx, call.account, call.id);
  const answered = legs.filter((l) => l.answered_at !== null);
  const talkMs = answered.length > 0 ? answered.reduce((sum, leg) => sum + legTalkMs(leg, endedAt), 0) : null;
  const holdMs = legs.reduce((sum, leg) => sum + leg.hold_ms, 0);
  const ringMs = call.answered_at === null ? null : Math.max(0, call.answered_at - call.started_at);
  ctx
    .sql('UPDATE cl_calls SET status = ?, ended_at = ?, ring_ms = ?, talk_ms = ?, hold_ms = ? WHERE account = ? AND id = ?')
    .run(status, endedAt, ringMs, talkMs, holdMs, call.account, call.id);
  const updated = getCallRow(ctx, call.account, call.id)!;
  replaceContribution(ctx, updated, computeContribution(updated, legs, targetsOf(ctx, call.account, call.id), ctx.timeZone));
}
