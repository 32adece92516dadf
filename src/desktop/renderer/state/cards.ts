// The call card: one per call that rang for this agent (or that the agent is on), from the first
// ring to a short while after it closed. Times here are the browser's clock when the message
// arrived, not the server's `at`: a headless server on another machine may be minutes off, and
// a ring timer that starts at "-2:13" helps nobody.
import type { RingingEndMessage } from '../../../protocol/rules';
import type { CallView, CallerCard, EndOutcome, ServerMessageOf } from '../api/types';

export type CardPhase = 'ringing' | 'on_call' | 'answered_elsewhere' | 'ended' | 'transferred';

export interface Caller {
  number: string;
  /** Who the number belongs to (caller card, contact, or the phone's display name); null when unknown. */
  name: string | null;
  company: string | null;
  notes: string | null;
  crmUrl: string | null;
}

export interface CallCard {
  callId: string;
  direction: CallView['direction'];
  phase: CardPhase;
  caller: Caller;
  line: CallView['line'];
  helpline: string | null;
  /** The agent's name who transferred the call here. */
  transferredFromName: string | null;
  ringingSince: number;
  answeredAt: number | null;
  closedAt: number | null;
  /** call.dismissed: who took it elsewhere. */
  answeredBy: string | null;
  outcome: EndOutcome | null;
}

/** How long a closed card stays up, so "answered by Bob" can be read. */
export const CLOSED_CARD_MS = 8_000;
/** More cards than this at once is a queue, not something to read: the oldest closed go first. */
export const MAX_CARDS = 4;

const LIVE: ReadonlySet<CardPhase> = new Set(['ringing', 'on_call']);

export function isLive(card: CallCard): boolean {
  return LIVE.has(card.phase);
}

function nonEmpty(value: string | null | undefined): string | null {
  return value && value.trim() !== '' ? value : null;
}

/** The caller as well as it is known: the server's caller card, else the call's contact, else what the phone showed. */
export function callerOf(call: CallView, card: CallerCard | null = null): Caller {
  const contact = call.contact;
  const phoneName = nonEmpty(call.remoteName);
  return {
    number: nonEmpty(card?.number) ?? call.remote,
    name: nonEmpty(card?.name) ?? nonEmpty(contact?.name) ?? (phoneName !== call.remote ? phoneName : null),
    company: nonEmpty(card?.company) ?? nonEmpty(contact?.company),
    notes: nonEmpty(card?.notes) ?? nonEmpty(contact?.notes),
    crmUrl: nonEmpty(card?.crmUrl) ?? nonEmpty(contact?.crmUrl),
  };
}

export function newCard(call: CallView, caller: Caller, now: number, phase: CardPhase): CallCard {
  return {
    callId: call.id, direction: call.direction, phase, caller, line: call.line, helpline: call.helpline,
    transferredFromName: null, ringingSince: now, answeredAt: phase === 'on_call' ? now : null, closedAt: null,
    answeredBy: null, outcome: null,
  };
}

/** Newest first; when there are too many, closed cards are dropped before live ones. */
export function put(cards: readonly CallCard[], card: CallCard): CallCard[] {
  const rest = cards.filter((c) => c.callId !== card.callId);
  const next = [card, ...rest];
  while (next.length > MAX_CARDS) {
    const closed = next.map((c, i) => [c, i] as const).reverse().find(([c]) => !isLive(c));
    next.splice(closed ? closed[1] : next.length - 1, 1);
  }
  return next;
}

/** The same array when nothing changed, so React skips the render. */
function update(cards: readonly CallCard[], callId: string, change: (card: CallCard) => CallCard | null): readonly CallCard[] {
  const card = cards.find((c) => c.callId === callId);
  const changed = card ? change(card) : null;
  return changed === null ? cards : cards.map((c) => (c.callId === callId ? changed : c));
}

export function onRinging(cards: readonly CallCard[], message: ServerMessageOf<'call.ringing'>, now: number): readonly CallCard[] {
  const caller = callerOf(message.call, message.card);
  const existing = cards.find((c) => c.callId === message.call.id);
  // Another phone of a ring group, or a repeat: the same card, timers untouched.
  if (existing && isLive(existing)) return update(cards, existing.callId, (c) => ({ ...c, caller, line: message.call.line, helpline: message.call.helpline }));
  return put(cards, { ...newCard(message.call, caller, now, 'ringing'), transferredFromName: message.transferredFromName ?? message.transferredFrom });
}

/** This agent answered (or placed) the call: the on-call view with a talk timer. */
export function onAnswered(cards: readonly CallCard[], message: ServerMessageOf<'call.answered'>, now: number): readonly CallCard[] {
  const existing = cards.find((c) => c.callId === message.call.id);
  if (existing && existing.phase === 'on_call') return cards;
  if (existing && existing.phase === 'ringing') return update(cards, existing.callId, (c) => ({ ...c, phase: 'on_call', answeredAt: now }));
  // A call placed from Ringside (a call-back) carries no caller card: the number's earlier card knows who it is.
  const caller = callerOf(message.call);
  const known = cards.find((c) => c.caller.number === caller.number && c.caller.name !== null)?.caller;
  return put(cards, newCard(message.call, caller.name === null && known ? known : caller, now, 'on_call'));
}

export function onDismissed(cards: readonly CallCard[], message: ServerMessageOf<'call.dismissed'>, now: number): readonly CallCard[] {
  return update(cards, message.call.id, (c) => (c.phase === 'ringing'
    ? { ...c, phase: 'answered_elsewhere', answeredBy: message.answeredBy ?? message.answeredByAgent ?? 'someone else', closedAt: now }
    : null));
}

export function onEnded(cards: readonly CallCard[], message: ServerMessageOf<'call.ended'>, now: number): readonly CallCard[] {
  return update(cards, message.call.id, (c) => (isLive(c) ? { ...c, phase: 'ended', outcome: message.outcome, closedAt: now } : null));
}

export function onTransferred(cards: readonly CallCard[], message: ServerMessageOf<'call.transferred'>, now: number): readonly CallCard[] {
  return update(cards, message.call.id, (c) => (isLive(c) ? { ...c, phase: 'transferred', closedAt: now } : null));
}

/** The call rang out unanswered: a card still ringing for it (its call.ended was lost) closes as unanswered. */
export function onMissed(cards: readonly CallCard[], message: ServerMessageOf<'call.missed'>, now: number): readonly CallCard[] {
  if (message.call === null) return cards;
  return update(cards, message.call.id, (c) => (c.phase === 'ringing' ? { ...c, phase: 'ended', outcome: 'unanswered', closedAt: now } : null));
}

/**
 * A message after which the call no longer rings for this agent (endsRinging in
 * src/protocol/rules.ts, the shell's popup closes on the same ones): this agent answered it (the
 * card becomes the on-call view), someone else did, it ended, it was missed, or it was
 * transferred away.
 */
export function onRingingEnd(cards: readonly CallCard[], message: RingingEndMessage, now: number): readonly CallCard[] {
  switch (message.type) {
    case 'call.answered':
      return onAnswered(cards, message, now);
    case 'call.dismissed':
      return onDismissed(cards, message, now);
    case 'call.ended':
      return onEnded(cards, message, now);
    case 'call.missed':
      return onMissed(cards, message, now);
    case 'call.transferred':
      return onTransferred(cards, message, now);
  }
}

/**
 * Closed cards leave `closeAfterMs` after they closed (the agent's preference, CLOSED_CARD_MS by
 * default); null: they stay until closed by hand.
 */
export function expireCards(cards: readonly CallCard[], now: number, closeAfterMs: number | null = CLOSED_CARD_MS): readonly CallCard[] {
  if (closeAfterMs === null) return cards;
  const kept = cards.filter((c) => c.closedAt === null || now - c.closedAt < closeAfterMs);
  return kept.length === cards.length ? cards : kept;
}

/** When the next closed card is due to leave (for one timer instead of polling), or null. */
export function nextExpiry(cards: readonly CallCard[], closeAfterMs: number | null = CLOSED_CARD_MS): number | null {
  if (closeAfterMs === null) return null;
  const due = cards.filter((c) => c.closedAt !== null).map((c) => c.closedAt! + closeAfterMs);
  return due.length > 0 ? Math.min(...due) : null;
}
