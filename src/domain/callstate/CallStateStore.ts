/**
 * The call-state port: real-time state shared by every seat that sees the same calls.
 * Adapters: SqliteCallStateStore (SQLite file, single seat), RedisCallStateStore (shared).
 * Every method is one atomic step in the adapter (a SQLite transaction or one Lua script).
 * `account` scopes everything (tenant isolation).
 */
import type { Direction, ManualPresence } from '../../protocol/views';

export type { Direction };
export type LegState = 'ringing' | 'answered' | 'ended';

export interface LegInfo {
  state: LegState;
  /** The leg was created by a transfer into this device. */
  transfer: boolean;
  eventId: string;
}

export interface ActiveCall {
  callId: string;
  remote: string;
  direction: Direction;
  /** MAC of the device that claimed the call first. */
  claimedBy: string;
  startedAt: number;
  answered: boolean;
  /** MAC of the device that currently owns the call (last answer). */
  answeredBy: string | null;
  answeredAt: number | null;
  legs: Record<string, LegInfo>;
}

export interface TransferFingerprint {
  callId: string;
  remote: string;
  fromAgent: string | null;
  fromMac: string;
  at: number;
}

export type RingingResult =
  | { kind: 'duplicate'; callId: string }
  | {
      /** new: first device; joined: another device of a ring group; transferred: continues a transferred call */
      kind: 'new' | 'joined' | 'transferred';
      callId: string;
      startedAt: number;
      transfer: TransferFingerprint | null;
      /**
       * Only on a late join (kind `joined`): the remote had no live call at the event's time, but
       * the event is at or before the end of the remote's most recent call, so it belongs to that
       * call (legs.ts isLateEventOf). `reopened`: nobody had answered it, it is live again with
       * this leg. `over`: it had been answered and stays over; the leg is only recorded.
       */
      late?: 'reopened' | 'over';
    };

export interface AnsweredResult {
  callId: string;
  /** True when this device became the owner (first answer, or a transfer leg taking over). */
  owner: boolean;
  /** MAC of the owner after this step. */
  answeredBy: string;
  previousOwner: string | null;
  startedAt: number;
  direction: Direction;
}

export type LegOutcome = 'hangup' | 'missed' | 'rejected';

export interface LegEndedResult {
  callId: string;
  direction: Direction;
  answered: boolean;
  answeredBy: string | null;
  startedAt: number;
  answeredAt: number | null;
  /** The logical call is over: the owner hung up, or no leg rings or talks any more. */
  callEnded: boolean;
  /** The event arrived after the call had already ended (found through calls:recent). */
  late: boolean;
}

export interface MissedCallEntry {
  callId: string;
  remote: string;
  mac: string;
  dueAt: number;
  /** Free-form data the handler needs when the entry becomes due. */
  payload: Record<string, unknown>;
}

export interface LiveSession {
  agent: string;
  socketId: string;
  expiresAt: number;
}

/** The presence an agent chose (protocol: ManualPresence). */
export type ManualStatus = ManualPresence;

export interface AgentPresenceRecord {
  agent: string;
  manual: ManualStatus;
  phoneDnd: boolean;
}

/** liveSessions(account, now) and presenceRecords(account), read together. */
export interface PresenceInputs {
  sessions: LiveSession[];
  records: AgentPresenceRecord[];
}

export interface RingingInput {
  remote: string;
  mac: string;
  eventId: string;
  /** Id to use when this event starts a new logical call. */
  candidateCallId: string;
  direction: Direction;
  now: number;
  transferWindowMs: number;
}

export interface CallStateStore {
  // ── per-event transitions used by the handlers (one atomic step each) ──
  /**
   * incoming/outgoing: duplicate check, transfer match, claim or join, device reported, ring time,
   * direction. With no live call and no transfer match, a ring at or before the end of the
   * remote's most recent call (same direction) joins that call late (RingingResult.late).
   */
  ringing(account: string, input: RingingInput): Promise<RingingResult>;
  /**
   * answered: marks the device's leg answered; the first answer (or a transfer leg) owns the call.
   * With no live call, an answer at or before the end of the remote's most recent call belongs to
   * it: a call nobody had answered is live again and owned by this device; an answered one stays
   * over (owner false). null when neither applies.
   */
  answered(account: string, input: { remote: string; mac: string; eventId: string; now: number }): Promise<AnsweredResult | null>;
  /** hangup/missed/rejected: ends the device's leg; releases the claim when the logical call is over. null when unknown. */
  legEnded(account: string, input: { remote: string; mac: string; outcome: LegOutcome; now: number }): Promise<LegEndedResult | null>;
  /** The live call for the remote; `now` (default: the wall clock) decides whether its claim has expired. */
  getActiveCall(account: string, remote: string, now?: number): Promise<ActiveCall | null>;
  /** True when any device answered the call, including a call that already ended (kept for TTL_MS.recent). */
  wasAnswered(account: string, callId: string): Promise<boolean>;

  // ── the seed's call-cache operations ──
  /** First device wins: returns claimed=false and the existing call id when a live claim exists. */
  claimCall(account: string, input: { remote: string; callId: string; mac: string; direction: Direction; now: number }): Promise<{ claimed: boolean; callId: string }>;
  /** The device already reported the live call for this remote with another event (a repeat, not a new ring). */
  isDuplicateCall(account: string, input: { remote: string; mac: string; eventId: string }): Promise<boolean>;
  markDeviceReportedCall(account: string, input: { remote: string; mac: string; callId: string; eventId: string }): Promise<void>;
  /** Keeps the first ring time (set-if-absent), for the call id and the remote. */
  setRingTime(account: string, input: { callId: string; remote: string; at: number }): Promise<void>;
  getRingTime(account: string, callId: string): Promise<number | null>;
  getRingTimeByRemote(account: string, remote: string): Promise<number | null>;
  setDirection(account: string, callId: string, direction: Direction): Promise<void>;
  getDirection(account: string, callId: string): Promise<Direction | null>;
  /** One entry per call id: queueing the same call again keeps the first due time. Returns true when newly queued. */
  queueMissedCall(account: string, entry: MissedCallEntry): Promise<boolean>;
  /** Due entries, leased for TTL_MS.missedLease so a crashed taker's entries come back. */
  getReadyMissedCalls(account: string, now: number, limit?: number): Promise<MissedCallEntry[]>;
  /** Removes a taken entry once its effects are committed. */
  ackMissedCall(account: string, callId: string): Promise<void>;
  /** Accounts that have missed calls queued (the sweeper visits them). */
  accountsWithMissedCalls(): Promise<string[]>;
  createTransferFingerprint(account: string, fingerprint: TransferFingerprint): Promise<void>;
  /** Takes (removes) the newest fingerprint for the remote within the window, or null. */
  findTransferMatch(account: string, input: { remote: string; now: number; windowMs: number }): Promise<TransferFingerprint | null>;
  setRelationship(account: string, childCallId: string, parentCallId: string): Promise<void>;
  getParent(account: string, childCallId: string): Promise<string | null>;

  // ── presence ──
  setSessionHeartbeat(account: string, input: { agent: string; socketId: string; ttlMs: number; now: number }): Promise<void>;
  removeSession(account: string, socketId: string): Promise<void>;
  liveSessions(account: string, now: number): Promise<LiveSession[]>;
  setManualStatus(account: string, agent: string, status: ManualStatus): Promise<void>;
  setPhoneDnd(account: string, agent: string, dnd: boolean): Promise<void>;
  presenceRecords(account: string): Promise<AgentPresenceRecord[]>;
  /** What a presence pass reads, in one step (one round trip on Redis): liveSessions and presenceRecords. */
  presenceInputs(account: string, now: number): Promise<PresenceInputs>;

  close(): Promise<void>;
}
