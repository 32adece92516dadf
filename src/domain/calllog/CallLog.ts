import type { AgentStats, HourlyStats } from '../../protocol/responses';
import type { CallStatus, CallView, Direction, MissedCallView, MissedStatus } from '../../protocol/views';
import type { LegOutcome } from '../callstate/CallStateStore';

/** The call log's views are what the agent API answers with: defined in src/protocol. */
export type { AgentStats, CallStatus, CallView, HourlyStats, MissedCallView, MissedStatus };

/** Local days (`YYYY-MM-DD` in the call log's zone) the statistics cover, both included; either may be open. */
export interface StatsDays {
  fromDay?: string;
  toDay?: string;
  agent?: string;
}
export type { LegView, Line } from '../../protocol/views';

/** What the first ringing leg knows of a call. `agent` is its owner from the start (outgoing calls: the dialling agent). */
export type CallStart = Pick<
  CallView,
  'id' | 'account' | 'direction' | 'remote' | 'remoteName' | 'local' | 'line' | 'helpline' | 'startedAt' | 'parentId' | 'transferredFrom' | 'agent'
>;

export interface LegStart {
  mac: string;
  agent: string | null;
  at: number;
  transfer: boolean;
  transferredFrom: string | null;
}

export interface Applied<T> {
  applied: boolean;
  value: T;
}

/**
 * Whose calls a reader sees when that is not the whole account (docs/agent-api.md, Who sees what):
 * an agent's. A call is theirs when it rang them, they answered it or placed it (the owner, a
 * leg's agent or a popup target), when it came in on a helpline they belong to, or when it rang
 * nobody in particular (no target, no owner, not a helpline call). A missed call is theirs when it
 * rang them, came in on a helpline they belong to, or rang nobody in particular
 * (isMissedCallFor in src/protocol/rules.ts, with their helplines). The admin and supervisors
 * read without one.
 */
export interface CallAudience {
  agent: string;
  /** The helplines the agent belongs to: named as a member, or a helpline of every agent. */
  helplines: readonly string[];
}

export interface CallQuery {
  remote?: string;
  agent?: string;
  status?: CallStatus;
  direction?: Direction;
  from?: number;
  to?: number;
  /** Free text: number or contact/remote name. */
  q?: string;
  limit?: number;
  cursor?: string;
  /** Only the calls this agent sees; absent: the whole account. */
  audience?: CallAudience;
}

/**
 * The call-log port: the durable history (calls with legs, missed calls with call-back
 * ownership, per-agent daily statistics). Adapters: SqliteCallLog, PostgresCallLog (several
 * servers on one database); test/contracts/callLogContract.ts is what both must do.
 *
 * Every mutation that takes an `eventId` is idempotent by it: the effects and the
 * "event processed" marker commit in one transaction, and a second call with the same
 * eventId changes nothing and returns { applied: false }, for as long as the marker is kept
 * (HANDLED_EVENT_WINDOW_MS from when it was written; pruneHandledMarkers).
 */
export interface CallLog {
  hasProcessed(eventId: string): Promise<boolean>;
  /** Marks an event processed that has no call-log effect of its own (presence, device health). */
  markProcessed(eventId: string): Promise<boolean>;
  /** Marks these events processed, in one write (HandledMarks: the handled markers of many events); those already marked stay as they are. */
  markAllProcessed(eventIds: readonly string[]): Promise<void>;

  /** Creates the call, or adds a leg to it (ring group, transfer continuation: reopens an ended call). Records the popup targets. */
  recordRinging(eventId: string, input: { call: CallStart; leg: LegStart; targets: string[] }): Promise<Applied<CallView>>;
  /** The device's leg answered; when `owner`, the call is in progress and owned by the agent. */
  recordAnswered(eventId: string, input: { callId: string; account: string; mac: string; agent: string | null; at: number; owner: boolean }): Promise<Applied<CallView | null>>;
  recordLegEnded(eventId: string, input: { callId: string; account: string; mac: string; agent: string | null; outcome: LegOutcome; at: number }): Promise<Applied<CallView | null>>;
  recordHold(eventId: string, input: { callId: string; account: string; mac: string; on: boolean; at: number }): Promise<Applied<CallView | null>>;
  recordTransfer(eventId: string, input: { callId: string; account: string; mac: string; at: number }): Promise<Applied<CallView | null>>;
  /**
   * Ends the logical call: ringMs, talkMs and holdMs from its legs, the final status, and the
   * per-agent daily statistics (recomputed for this call, so finalising again after a transfer
   * continuation replaces the call's earlier contribution instead of adding to it).
   */
  finaliseCall(eventId: string | null, input: { callId: string; account: string; status: CallStatus; endedAt: number }): Promise<Applied<CallView | null>>;
  /** Exactly one missed-call record per call id; sets the call's status to missed and counts it. */
  recordMissedCall(input: { callId: string; account: string; at: number }): Promise<Applied<MissedCallView | null>>;
  /**
   * First agent wins: returns the missed call with its owner (the winner, maybe someone else).
   * `fresh`: this claim took the open call now, rather than its owner claiming it again.
   */
  claimMissedCall(account: string, callId: string, agent: string, at: number): Promise<{ won: boolean; fresh: boolean; missed: MissedCallView } | null>;
  /** Closes open or claimed missed calls from this remote (a call-back or a later answered call reached them). */
  closeMissedCalls(account: string, remote: string, by: string, at: number): Promise<MissedCallView[]>;

  /** With an audience, null also for a call the agent does not see (CallAudience). */
  getCall(account: string, id: string, audience?: CallAudience): Promise<CallView | null>;
  listCalls(account: string, query: CallQuery): Promise<{ items: CallView[]; next: string | null }>;
  /** With an audience, only the missed calls the agent deals with (CallAudience). */
  listMissed(account: string, query: { status?: MissedStatus; limit?: number; audience?: CallAudience }): Promise<MissedCallView[]>;
  getMissed(account: string, callId: string): Promise<MissedCallView | null>;
  /** Every open missed call of the account, oldest first. */
  openMissedCalls(account: string): Promise<MissedCallView[]>;
  /** Per agent over local days of `timeZone` (docs/call-lifecycle.md, Statistics). */
  stats(account: string, query: StatsDays): Promise<AgentStats[]>;
  /** Answered and missed incoming calls per local hour of one day (`agent`: theirs; none: everyone's). */
  hourlyStats(account: string, query: { day: string; agent?: string }): Promise<HourlyStats['hours']>;
  /** The IANA zone whose local days the statistics are kept in. */
  readonly timeZone: string;
  /** Agents who were offered the call (got the popup). */
  targetsOf(account: string, callId: string): Promise<string[]>;
  /** Agents with a leg ringing out, or answered and not ended. */
  agentsOnCall(account: string): Promise<string[]>;
  /**
   * The newest call from `remote` (exactly as the phone sent it) that has not ended (status
   * ringing or in_progress) and started at or after `since`, with its legs; with `mac`, only a
   * call with a leg on that device. When the call state has forgotten calls (Redis restarted
   * without persistence, docs/call-lifecycle.md, Recovery after a call-state loss), this is what the handlers continue such a call from.
   */
  openCallOf(account: string, input: { remote: string; since: number; mac?: string }): Promise<CallView | null>;
  /** Calls not ended yet that started before the cut-off, oldest first (the stale-call reaper's input). */
  unfinishedCalls(account: string, startedBefore: number, limit?: number): Promise<CallView[]>;
  /** Deletes calls (with their legs, targets, missed-call records) started before the cut-off. Returns calls deleted. */
  prune(olderThan: number): Promise<number>;
  /**
   * Deletes the processed-event markers written before the cut-off (their event's redeliveries
   * are long over: HANDLED_EVENT_WINDOW_MS, src/domain/bus/HandledEventLedger.ts). Returns how many.
   */
  pruneHandledMarkers(writtenBefore: number): Promise<number>;
  close(): Promise<void>;
}
