import type { Direction } from '../callstate/CallStateStore';
import type { Contact } from '../directory/Directory';
import type { CallStatus, CallView, LegView, Line, MissedCallView, MissedStatus } from './CallLog';

/**
 * The rows every call-log adapter stores (the same tables, cl_*, in SQLite and PostgreSQL:
 * docs/architecture.md) and how they become the views the port answers with. Pure: the adapters
 * read the rows with their own SQL and map them here, so both answer alike.
 */

export interface CallRow {
  account: string;
  id: string;
  direction: Direction;
  remote: string;
  remote_norm: string;
  remote_tail: string | null;
  remote_name: string;
  local: string;
  line: Line;
  helpline: string | null;
  agent: string | null;
  device: string | null;
  status: CallStatus;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  ring_ms: number | null;
  talk_ms: number | null;
  hold_ms: number;
  parent_id: string | null;
  transferred_from: string | null;
  rejected_by: string | null;
  /** 1 once the call was offered to an agent (a row in cl_targets). */
  targeted: number;
}

export interface LegRow {
  id: number;
  account: string;
  call_id: string;
  mac: string;
  sequence: number;
  agent: string | null;
  state: LegView['state'];
  transfer: number;
  transferred_from: string | null;
  ring_at: number;
  answered_at: number | null;
  ended_at: number | null;
  hold_ms: number;
  hold_started_at: number | null;
}

export interface MissedRow {
  account: string;
  call_id: string;
  remote_norm: string;
  remote_tail: string | null;
  at: number;
  status: MissedStatus;
  owner: string | null;
  claimed_at: number | null;
  closed_at: number | null;
  closed_by: string | null;
}

/** A missed-call row joined with what its call says of the caller and the line. */
export type MissedJoinRow = MissedRow & { remote: string; remote_name: string; line: Line; helpline: string | null };

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** Page size: 50 unless given, at least 1, at most 200. */
export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(Math.max(1, Math.trunc(limit)), MAX_LIMIT);
}

export function toLegView(row: LegRow): LegView {
  return {
    id: row.id,
    mac: row.mac,
    agent: row.agent,
    state: row.state,
    transfer: row.transfer === 1,
    transferredFrom: row.transferred_from,
    ringAt: row.ring_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    holdMs: row.hold_ms,
  };
}

export function toCallView(row: CallRow, legs: LegRow[], contact: Contact | null): CallView {
  return {
    id: row.id,
    account: row.account,
    direction: row.direction,
    remote: row.remote,
    remoteName: row.remote_name,
    local: row.local,
    line: row.line,
    helpline: row.helpline,
    agent: row.agent,
    device: row.device,
    status: row.status,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    ringMs: row.ring_ms,
    talkMs: row.talk_ms,
    holdMs: row.hold_ms,
    parentId: row.parent_id,
    transferredFrom: row.transferred_from,
    rejectedBy: row.rejected_by,
    legs: legs.map(toLegView),
    contact,
  };
}

export function toMissedView(row: MissedJoinRow, targets: string[], contact: Contact | null): MissedCallView {
  return {
    callId: row.call_id,
    account: row.account,
    remote: row.remote,
    remoteName: row.remote_name,
    line: row.line,
    helpline: row.helpline,
    at: row.at,
    status: row.status,
    owner: row.owner,
    claimedAt: row.claimed_at,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
    targets,
    contact,
  };
}

/** Rows of several calls (legs, targets) grouped by their call id, each group in the order given. */
export function groupByCall<T extends { call_id: string }>(rows: T[]): Map<string, T[]> {
  const byCall = new Map<string, T[]>();
  for (const row of rows) {
    const list = byCall.get(row.call_id);
    if (list) list.push(row);
    else byCall.set(row.call_id, [row]);
  }
  return byCall;
}

/** A call that is not what the event describes any more (pruned since): as the event gave it, ringing, without legs. */
export function callAsStarted(call: Pick<CallView, 'id' | 'account' | 'direction' | 'remote' | 'remoteName' | 'local' | 'line' | 'helpline' | 'startedAt' | 'parentId' | 'transferredFrom' | 'agent'>): CallView {
  return {
    ...call,
    device: null,
    status: 'ringing',
    answeredAt: null,
    endedAt: null,
    ringMs: null,
    talkMs: null,
    holdMs: 0,
    rejectedBy: null,
    legs: [],
    contact: null,
  };
}

/*
 * A mutation keeps the call's legs as it last read or wrote them (an INSERT or UPDATE … RETURNING *
 * gives a row as written), finds the device's leg among them and builds the view it returns from
 * them: no second read (both adapters' mutations.ts).
 */

/** The device's newest leg on the call (ended or not), among the call's legs. */
export function latestLegOf(legs: LegRow[], mac: string): LegRow | null {
  let latest: LegRow | null = null;
  for (const leg of legs) if (leg.mac === mac && (latest === null || leg.sequence > latest.sequence)) latest = leg;
  return latest;
}

/** Keeps a leg as just written in the mutation's list: in place of its old row, or added. */
export function keepLeg(legs: LegRow[], leg: LegRow): LegRow {
  const at = legs.findIndex((l) => l.id === leg.id);
  if (at === -1) legs.push(leg);
  else legs[at] = leg;
  return leg;
}

/** The legs in the order views list them (by when they rang, then as stored), as the adapters' leg reads order them. */
export function inViewOrder(legs: LegRow[]): LegRow[] {
  return [...legs].sort((a, b) => a.ring_at - b.ring_at || a.id - b.id);
}
