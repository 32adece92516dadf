// Call cards after a reload or a reconnect: messages sent while the page was not connected are not
// replayed, so the calls that ring for this agent or that the agent is on are asked of the call log
// (GET /api/calls?status=ringing|in_progress&agent=<me>) and turned into cards, and cards of calls
// that are over by now are put right. Pure: the hook asks, the reducer applies.
import type { CallView, LegView } from '../api/types';
import { callerOf, isLive, newCard, put, type CallCard } from './cards';

/** What the call log says is open for this agent now. */
export interface OpenCalls {
  ringing: readonly CallView[];
  inProgress: readonly CallView[];
}

/** The most a page asks for per status (the API's limit); an agent has a handful at most. */
export const RECOVERY_LIMIT = 200;

/** The two query strings for GET /api/calls: the agent filter matches the call's owner or any leg's agent. */
export function recoveryQueries(me: string): { ringing: string; inProgress: string } {
  const query = (status: string) => new URLSearchParams({ status, agent: me, limit: String(RECOVERY_LIMIT) }).toString();
  return { ringing: query('ringing'), inProgress: query('in_progress') };
}

function myLegs(call: CallView, me: string): LegView[] {
  return call.legs.filter((l) => l.agent === me);
}

/**
 * An incoming call still ringing on one of this agent's phones (a leg of theirs rings), or one
 * owned by the agent with no leg of theirs recorded. A leg the agent rejected, or one that stopped
 * ringing, does not count.
 */
export function ringsForMe(call: CallView, me: string): boolean {
  if (call.direction !== 'in' || call.status !== 'ringing') return false;
  const legs = myLegs(call, me);
  if (legs.length === 0) return call.agent === me;
  return legs.some((l) => l.state === 'ringing' && l.endedAt === null);
}

/** A call that is up with this agent on it: they own it (answered it last, or placed it), or a leg of theirs is answered and not over. */
export function onCallWith(call: CallView, me: string): boolean {
  if (call.status !== 'in_progress') return false;
  return call.agent === me || myLegs(call, me).some((l) => l.state === 'answered' && l.endedAt === null);
}

/** When the agent's talk time started: their answered leg, else the call's answer, else now. */
function answeredAtFor(call: CallView, me: string, now: number): number {
  const leg = myLegs(call, me).filter((l) => l.answeredAt !== null).sort((a, b) => b.answeredAt! - a.answeredAt!)[0];
  return leg?.answeredAt ?? call.answeredAt ?? now;
}

/** Who transferred the call to this agent (their leg's transfer, else the call's), as a name. */
function transferredFromName(call: CallView, me: string, nameOf: (agent: string) => string | null): string | null {
  const from = myLegs(call, me).find((l) => l.transfer && l.transferredFrom)?.transferredFrom ?? call.transferredFrom;
  return from ? (nameOf(from) ?? from) : null;
}

/** A card for a call the page has none for: ringing (timer from the call's start) or on call (talk timer from the answer). */
export function cardFromCall(call: CallView, me: string, now: number, nameOf: (agent: string) => string | null): CallCard | null {
  if (ringsForMe(call, me)) {
    return { ...newCard(call, callerOf(call), call.startedAt, 'ringing'), transferredFromName: transferredFromName(call, me, nameOf) };
  }
  if (onCallWith(call, me)) {
    return { ...newCard(call, callerOf(call), call.startedAt, 'on_call'), answeredAt: answeredAtFor(call, me, now), transferredFromName: transferredFromName(call, me, nameOf) };
  }
  return null;
}

export interface RecoveryContext {
  me: string;
  /**
   * The live cards when the lists were asked for. Only those may be dropped for missing from the
   * answer: a card that arrived over the WebSocket meanwhile is newer than the lists.
   */
  liveBefore: ReadonlySet<string>;
  now: number;
  nameOf: (agent: string) => string | null;
}

/**
 * The cards once the call log's open calls are in:
 * - a call without a card gets one (ringing for this agent, or up with them);
 * - a ringing card whose call is now up becomes the on-call view (this agent answered) or closes
 *   as answered elsewhere (someone else did);
 * - a live card that was there when the lists were asked for and whose call is in neither list is
 *   over: it goes (its end was missed, so there is no outcome to show);
 * - a card the WebSocket already moved on (on call, closed) is left as it is: it is newer.
 * Returns the same array when nothing changed.
 */
export function recoverCards(cards: readonly CallCard[], open: OpenCalls, context: RecoveryContext): readonly CallCard[] {
  const { me, liveBefore, now, nameOf } = context;
  const ringing = new Map(open.ringing.map((c) => [c.id, c]));
  const up = new Map(open.inProgress.map((c) => [c.id, c]));
  let changed = false;
  let next: CallCard[] = [];
  for (const card of cards) {
    const call = up.get(card.callId);
    if (isLive(card) && liveBefore.has(card.callId) && !call && !ringing.has(card.callId)) {
      changed = true;
      continue;
    }
    if (card.phase === 'ringing' && call) {
      changed = true;
      if (onCallWith(call, me)) {
        next.push({ ...card, phase: 'on_call', answeredAt: answeredAtFor(call, me, now) });
      } else {
        const by = call.agent ? (nameOf(call.agent) ?? call.agent) : 'someone else';
        next.push({ ...card, phase: 'answered_elsewhere', answeredBy: by, closedAt: now });
      }
      continue;
    }
    next.push(card);
  }
  const known = new Set(cards.map((c) => c.callId));
  // Oldest first, so the newest ends up on top.
  const fresh = [...open.ringing, ...open.inProgress.filter((c) => !ringing.has(c.id))]
    .filter((c) => !known.has(c.id))
    .sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1));
  for (const call of fresh) {
    const card = cardFromCall(call, me, now, nameOf);
    if (!card) continue;
    changed = true;
    next = put(next, card);
  }
  return changed ? next : cards;
}
