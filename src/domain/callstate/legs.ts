import type { ActiveCall, AnsweredResult, Direction, LegInfo, TransferFingerprint } from './CallStateStore';

/**
 * The leg rules of docs/call-lifecycle.md (Answered, Call outcomes, Transfers, late events), as pure functions over one live call, so that every adapter
 * (the SQLite transaction here, a Lua script in Redis) applies exactly the same decisions.
 * KEEP IN STEP: redis/lua/includes/legs.lua is a port of these functions for the Redis store;
 * the two must change together (the contract suite runs against both adapters).
 */
export interface LiveCall extends ActiveCall {
  /** The fingerprint a transfer leg of this call was matched with (later ring-group legs of the transfer join as transfer legs too). */
  transfer: TransferFingerprint | null;
  expiresAt: number;
  /**
   * The latest event time at which one of its legs ended (null before any did). Leg ends can be
   * handled out of their time order (legs of one call reported through different seats): the
   * call is over at the latest of them, which is what late events are measured against.
   */
  lastEndAt: number | null;
}

export function legIsActive(leg: LegInfo): boolean {
  return leg.state === 'ringing' || leg.state === 'answered';
}

/** A transfer into this call is still ringing: a further device ringing now belongs to that transfer. */
export function transferRinging(call: LiveCall): boolean {
  return Object.values(call.legs).some((leg) => leg.transfer && leg.state === 'ringing');
}

/**
 * The logical call is over when the owner's leg has ended and no transfer leg is still ringing
 * or talking, or when no leg rings or talks any more.
 */
export function callIsOver(call: ActiveCall): boolean {
  const legs = Object.values(call.legs);
  if (!legs.some(legIsActive)) return true;
  if (!call.answered || call.answeredBy === null) return false;
  const owner = call.legs[call.answeredBy];
  const ownerEnded = owner === undefined || owner.state === 'ended';
  return ownerEnded && !legs.some((leg) => leg.transfer && legIsActive(leg));
}

/**
 * Marks `mac`'s leg answered and decides ownership: the first answer owns the call, a transfer
 * leg answering takes it over, the owner answering again stays owner, any other leg does not.
 */
export function answerLeg(call: LiveCall, mac: string, eventId: string, now: number): { owner: boolean; previousOwner: string | null } {
  const leg = call.legs[mac] ?? { state: 'ringing', transfer: false, eventId };
  call.legs[mac] = { ...leg, state: 'answered' };
  if (!call.answered || call.answeredBy === null) {
    call.answered = true;
    call.answeredBy = mac;
    call.answeredAt = call.answeredAt ?? now;
    return { owner: true, previousOwner: null };
  }
  if (call.answeredBy === mac) return { owner: true, previousOwner: null };
  if (leg.transfer) {
    const previousOwner = call.answeredBy;
    call.answeredBy = mac;
    return { owner: true, previousOwner };
  }
  return { owner: false, previousOwner: null };
}

/**
 * What the call state keeps of a call that ended (calls:recent:<remote>, cs_recent): late events
 * of the call and a blind transfer continuing it find it there. `endedAt` is the latest end the
 * call had (a reopened call can end again); `legs` and `claimedBy` are absent (empty, null) in
 * records written before late joins existed.
 */
export interface EndedCall {
  callId: string;
  direction: Direction;
  claimedBy: string | null;
  startedAt: number;
  answered: boolean;
  answeredBy: string | null;
  answeredAt: number | null;
  legs: Record<string, LegInfo>;
  endedAt: number;
  expiresAt: number;
}

/**
 * Seats relay their phones' events through their own outboxes, so the events of one call reach
 * the consumers in the order the seats forwarded them, not the order they happened: after an
 * outage, one phone's "incoming" can be handled after another phone of the same ring group
 * already ended the call. An event whose time is at or before the end of the remote's most recent
 * call (and which finds no live call) happened while that call was going on: it belongs to it.
 */
export function isLateEventOf(ended: EndedCall, now: number): boolean {
  return now <= ended.endedAt && now < ended.expiresAt;
}

/**
 * A late leg makes its call live again only while nobody has answered it: the late device may
 * still answer it (then it is answered, not missed), or end it again. An answered call that is
 * over (its owner hung up) stays over: the late leg is recorded on it and changes nothing else.
 */
export function lateLegReopens(ended: EndedCall): boolean {
  return !ended.answered;
}

/** The ended call as a live call again, with the legs it ended with. */
export function reopenedCall(ended: EndedCall, remote: string, claimant: string, expiresAt: number): LiveCall {
  return {
    callId: ended.callId, remote, direction: ended.direction, claimedBy: ended.claimedBy ?? claimant, startedAt: ended.startedAt,
    answered: ended.answered, answeredBy: ended.answeredBy, answeredAt: ended.answeredAt, legs: { ...ended.legs }, transfer: null, expiresAt,
    lastEndAt: ended.endedAt,
  };
}

/** A late answer on an answered call that is over: the leg's answer is recorded, nobody new owns the call. */
export function answerToEndedCall(ended: EndedCall, mac: string): AnsweredResult {
  return {
    callId: ended.callId, owner: false, answeredBy: ended.answeredBy ?? mac, previousOwner: null, startedAt: ended.startedAt, direction: ended.direction,
  };
}
