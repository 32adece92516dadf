import { localDay, localDayHour } from '../../protocol/days';
import type { AgentStats, CallStatus, HourlyStats } from './CallLog';
import type { CallRow, LegRow } from './rows';

/**
 * The statistics arithmetic both call-log adapters share (docs/call-lifecycle.md, Statistics):
 * what a finished call adds per agent and local day, a call's final times, and how the stored
 * totals read back. The adapters only store and sum.
 */

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

/** The counters of a contribution, in the order the tables keep them. */
export const STAT_FIELDS = ['offered', 'answered', 'missed', 'ringMs', 'ringCount', 'talkMs', 'talkCount', 'outgoing', 'outgoingAnswered', 'outgoingTalkMs'] as const;

const NO_OUTGOING = { outgoing: 0, outgoingAnswered: 0, outgoingTalkMs: 0 };

/** Talk time of a leg: answered until it ended (or the call ended), minus its hold time. */
export function legTalkMs(leg: LegRow, callEndedAt: number): number {
  if (leg.answered_at === null) return 0;
  return Math.max(0, (leg.ended_at ?? callEndedAt) - leg.answered_at - leg.hold_ms);
}

/** A finished call's ring, talk and hold times, from its legs (all ended by now). */
export function finalTimes(call: CallRow, legs: LegRow[], endedAt: number): { ringMs: number | null; talkMs: number | null; holdMs: number } {
  const answered = legs.filter((l) => l.answered_at !== null);
  return {
    ringMs: call.answered_at === null ? null : Math.max(0, call.answered_at - call.started_at),
    talkMs: answered.length > 0 ? answered.reduce((sum, leg) => sum + legTalkMs(leg, endedAt), 0) : null,
    holdMs: legs.reduce((sum, leg) => sum + leg.hold_ms, 0),
  };
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

/** One agent's summed daily rows, as the tables name them. */
export interface StatsTotals {
  agent: string;
  offered: number;
  answered: number;
  missed: number;
  ring_ms_total: number;
  ring_count: number;
  talk_ms_total: number;
  talk_count: number;
  outgoing: number;
  outgoing_answered: number;
  outgoing_talk_ms: number;
}

/** An agent's figures from their summed rows; averages are null when there is nothing to average. */
export function toAgentStats(r: StatsTotals): AgentStats {
  return {
    agent: r.agent,
    offered: r.offered,
    answered: r.answered,
    missed: r.missed,
    avgRingMs: r.ring_count > 0 ? Math.round(r.ring_ms_total / r.ring_count) : null,
    avgTalkMs: r.talk_count > 0 ? Math.round(r.talk_ms_total / r.talk_count) : null,
    ringMsTotal: r.ring_ms_total,
    ringCount: r.ring_count,
    talkMsTotal: r.talk_ms_total,
    talkCount: r.talk_count,
    outgoing: r.outgoing,
    outgoingAnswered: r.outgoing_answered,
    outgoingTalkMsTotal: r.outgoing_talk_ms,
  };
}

/** An incoming call of the day for the hourly figures: when it started, how it ended, and what it was to the agent asked about. */
export interface HourlyCall {
  startedAt: number;
  status: CallStatus;
  /** The agent asked about answered a leg of it. */
  answeredBy: boolean;
  /** It was offered to the agent asked about. */
  rang: boolean;
}

/**
 * Answered and missed calls per local hour (in the hour each started). For one agent: the calls
 * they answered and the missed calls that rang them; for everyone: every call, answered unless missed.
 */
export function hourlyBuckets(calls: HourlyCall[], timeZone: string, forAgent: boolean): HourlyStats['hours'] {
  const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, answered: 0, missed: 0 }));
  for (const call of calls) {
    const bucket = hours[localDayHour(call.startedAt, timeZone).hour]!;
    if (!forAgent) {
      if (call.status === 'missed') bucket.missed += 1;
      else bucket.answered += 1;
    } else if (call.answeredBy) {
      bucket.answered += 1;
    } else if (call.status === 'missed' && call.rang) {
      bucket.missed += 1;
    }
  }
  return hours;
}
