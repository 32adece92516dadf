import type { ActiveCall, LegInfo, TransferFingerprint } from './CallStateStore';

/**
 * The leg rules of SPEC section 4, as pure functions over one live call, so that every adapter
 * (the SQLite transaction here, a Lua script in Redis) applies exactly the same decisions.
 * KEEP IN STEP: redis/lua/includes/legs.lua is a port of these functions for the Redis store;
 * the two must change together (the contract suite runs against both adapters).
 */
export interface LiveCall extends ActiveCall {
  /** The fingerprint a transfer leg of this call was matched with (later ring-group legs of the transfer join as transfer legs too). */
  transfer: TransferFingerprint | null;
  expiresAt: number;
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
