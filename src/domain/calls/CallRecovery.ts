import type { ActiveCall, CallStateStore, LegEndedResult, LegInfo, LegOutcome } from '../callstate/CallStateStore';
import { callIsOver } from '../callstate/legs';
import { TTL_MS } from '../callstate/ttl';
import type { CallLog, CallView, LegView } from '../calllog/CallLog';
import type { CallEvent } from '../events/CallEvent';
import { deviceKey } from './routing';

/**
 * docs/call-lifecycle.md, Recovery after a call-state loss: nothing acknowledged is lost when Redis restarts, and Redis may restart without
 * persistence (an embedded state.db may be lost while ringside.db survives, too). The call state
 * then has forgotten calls that the call log still shows as open. Left alone, an answer would
 * start a second call-log row for the same customer call, an end would be dropped (the call "in
 * progress" until the stale-call reaper, no call.ended, no missed call, no statistics), a
 * transfer or hold would be lost.
 *
 * The handlers therefore continue such a call from the log: when the call state has no call for
 * an event, the log's open call is written back into the call state under its own id
 * ("re-seeding"), and the handler's normal path runs on it. The live state is then as it would
 * have been, so everything after it (the end of the call, the missed-call rule) is decided by the
 * same code as without the loss.
 */

/** Each device's newest leg: a device ringing again after its leg ended has a newer one. */
function latestLegs(call: CallView): Map<string, LegView> {
  const byMac = new Map<string, LegView>();
  for (const leg of call.legs) {
    const seen = byMac.get(leg.mac);
    if (!seen || leg.id > seen.id) byMac.set(leg.mac, leg);
  }
  return byMac;
}

function legIsActive(leg: LegView): boolean {
  return leg.state === 'ringing' || leg.state === 'answered';
}

/**
 * The call as the call state would hold it, so that the state's own rule (callIsOver) decides
 * whether the log's call is still going on. A leg the log shows transferred has ended there.
 */
function asActiveCall(call: CallView): ActiveCall {
  const legs: Record<string, LegInfo> = {};
  for (const [mac, leg] of latestLegs(call)) {
    legs[mac] = { state: legIsActive(leg) ? (leg.state as LegInfo['state']) : 'ended', transfer: leg.transfer, eventId: '' };
  }
  const answered = call.answeredAt !== null;
  return {
    callId: call.id, remote: call.remote, direction: call.direction, claimedBy: call.legs[0]?.mac ?? '', startedAt: call.startedAt,
    answered, answeredBy: answered ? call.device : null, answeredAt: call.answeredAt, legs,
  };
}

/**
 * Whether the call state would still hold the call: not ended, not over by its legs, and its
 * claim not expired (it lives TTL_MS.ring after the last ring while unanswered and
 * TTL_MS.answered after its last activity once answered, as the state's claim does).
 * A call whose legs have all ended is over even while its missed-call grace delay runs (status
 * still "ringing"): a new call from the same remote is a new call, not this one.
 */
export function liveInLog(call: CallView, now: number): boolean {
  if (call.endedAt !== null || (call.status !== 'ringing' && call.status !== 'in_progress')) return false;
  if (callIsOver(asActiveCall(call))) return false;
  const last = Math.max(call.startedAt, call.answeredAt ?? 0, ...call.legs.flatMap((leg) => [leg.ringAt, leg.answeredAt ?? 0]));
  return now < last + (call.answeredAt !== null ? TTL_MS.answered : TTL_MS.ring);
}

export class CallRecovery {
  constructor(private readonly deps: { state: CallStateStore; log: CallLog; transferWindowMs: number }) {}

  /** The newest unfinished call of the event's remote (for a caller without a number: of the event's device). */
  private unfinished(event: CallEvent): Promise<CallView | null> {
    return this.deps.log.openCallOf(event.account, {
      remote: event.remote, since: event.receivedAt - TTL_MS.answered, mac: event.remote === '' ? deviceKey(event) : undefined,
    });
  }

  /** The call the log shows still going on for the event's remote, or null. */
  async liveCall(event: CallEvent): Promise<CallView | null> {
    const call = await this.unfinished(event);
    return call && liveInLog(call, event.receivedAt) ? call : null;
  }

  /**
   * For a handler that found no live call in the call state: writes the log's live call back
   * into it and returns its id, or null when the log has none either.
   */
  async restore(event: CallEvent, remote: string): Promise<string | null> {
    const call = await this.liveCall(event);
    if (!call) return null;
    await this.reseed(event, remote, call);
    return call.id;
  }

  /**
   * Writes the call's ringing and answered legs into the call state under the call's own id:
   * the ringing steps first (the first creates the live call with the log's id as
   * `candidateCallId`, the others join it), then the answers, the log's owner first so that it
   * owns the call again. `skip` is a device whose ringing step the caller has just made.
   *
   * Step ids derive from the event id, so a redelivered event repeats exactly these steps and
   * the state answers them from its memo. Not restored (the log keeps them): the state's start
   * and answer times (now, instead) and the legs' transfer flags (a leg transferred into the call
   * joins as a plain leg; the leg it came from has ended in the log, so no rule depends on it).
   * An incoming ringing step would take a pending transfer fingerprint of the remote; there is
   * none to take here: fingerprints went with the lost state, and one made since is for a call
   * that transfer() restored first, so it is live in the state or, once its transferring leg hung
   * up, finished in the log; neither is re-seeded.
   */
  async reseed(event: CallEvent, remote: string, call: CallView, skip: string | null = null): Promise<void> {
    const { state } = this.deps;
    const now = event.receivedAt;
    const legs = [...latestLegs(call).values()].filter(legIsActive);
    for (const leg of legs) {
      if (leg.mac === skip) continue;
      await state.ringing(event.account, {
        remote, mac: leg.mac, eventId: `${event.id}:reseed:${leg.mac}`, candidateCallId: call.id, direction: call.direction, now,
        transferWindowMs: this.deps.transferWindowMs,
      });
    }
    const answered = legs.filter((leg) => leg.state === 'answered');
    answered.sort((a, b) => Number(b.mac === call.device) - Number(a.mac === call.device));
    for (const leg of answered) await state.answered(event.account, { remote, mac: leg.mac, eventId: `${event.id}:reseed:${leg.mac}`, now });
  }

  /**
   * For a leg end whose call the call state knows neither live nor recently ended. A call the
   * log shows going on is re-seeded and the end applied to it as usual. A call that is over by
   * its legs but not finished (its missed call was waiting for the grace delay in the lost
   * queue, or the first run of this event crashed before finishing it, and the state was lost
   * since) is continued like a late event of a recently ended call: finishing it again is
   * idempotent (one missed call, one final row). The device must have a leg on that call: an
   * end from a phone that had no part in a call that is over is not about it.
   */
  async legEnded(event: CallEvent, remote: string, outcome: LegOutcome): Promise<LegEndedResult | null> {
    const call = await this.unfinished(event);
    if (!call) return null;
    const now = event.receivedAt;
    const mac = deviceKey(event);
    if (liveInLog(call, now)) {
      await this.reseed(event, remote, call);
      return this.deps.state.legEnded(event.account, { remote, mac, outcome, now });
    }
    const leg = latestLegs(call).get(mac);
    // Not over but expired: a stale call, which the stale-call reaper finishes.
    if (!leg || !callIsOver(asActiveCall(call))) return null;
    return {
      callId: call.id, direction: call.direction, answered: call.legs.some((l) => l.answeredAt !== null), answeredBy: call.device,
      startedAt: call.startedAt, answeredAt: call.answeredAt,
      // A transferring agent hanging up is what ends a transferred call whose new leg has not
      // rung yet (the state kept that leg answered until now): the agents are told, once.
      callEnded: leg.state === 'transferred', late: true,
    };
  }
}
