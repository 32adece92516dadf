// The call card's life (src/desktop/renderer/state/cards.ts): ring, answer here or elsewhere, end, leave.
import { describe, expect, it } from 'vitest';
import {
  callerOf, CLOSED_CARD_MS, expireCards, MAX_CARDS, nextExpiry, onAnswered, onDismissed, onEnded, onRinging, onTransferred, type CallCard,
} from '../../../../src/desktop/renderer/state/cards';
import { callView, message, ringing } from './fixtures';

const contact = { number: '+4420555000', name: 'Ann Example', company: 'Example Ltd', notes: 'VIP', crmUrl: 'https://crm.example/ann' };

describe('the caller on the card', () => {
  it('prefers the server caller card, then the contact, then what the phone showed', () => {
    const card = { number: '+4420555000', name: 'From CRM', company: 'CRM Co', notes: null, crmUrl: null, source: 'crm' as const };
    expect(callerOf(callView({ contact }), card)).toEqual({ number: '+4420555000', name: 'From CRM', company: 'CRM Co', notes: 'VIP', crmUrl: 'https://crm.example/ann' });
    expect(callerOf(callView({ contact }))).toMatchObject({ name: 'Ann Example', company: 'Example Ltd' });
    expect(callerOf(callView({ remoteName: 'Desk display' }))).toMatchObject({ name: 'Desk display', company: null });
  });

  it('shows no name rather than the number twice or an empty one', () => {
    expect(callerOf(callView({ remoteName: '' })).name).toBeNull();
    expect(callerOf(callView({ remote: '123', remoteName: '123' })).name).toBeNull();
  });
});

describe('a card from ring to close', () => {
  const call = callView({ line: 'helpline', helpline: '5000' });

  it('rings with a timer from when it arrived; another phone of the ring group keeps the same card and timer', () => {
    let cards = onRinging([], ringing(call, { transferredFromName: 'Bob' }), 100);
    expect(cards).toEqual([expect.objectContaining({ callId: 'c1', phase: 'ringing', ringingSince: 100, line: 'helpline', helpline: '5000', transferredFromName: 'Bob' })]);
    cards = onRinging(cards, ringing(call), 900);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.ringingSince).toBe(100);
  });

  it('turns into the on-call view with a talk timer when this agent answers', () => {
    const cards = onAnswered(onRinging([], ringing(call), 100), message('call.answered', { call }), 4_100);
    expect(cards[0]).toMatchObject({ phase: 'on_call', ringingSince: 100, answeredAt: 4_100 });
    // A repeated answer does not restart the talk timer.
    expect(onAnswered(cards, message('call.answered', { call }), 9_000)[0]!.answeredAt).toBe(4_100);
  });

  it('closes with who answered when someone else takes it, and a later end does not overwrite that', () => {
    let cards = onDismissed(onRinging([], ringing(call), 100), message('call.dismissed', { call, answeredBy: 'Bob', answeredByAgent: 'bob' }), 2_000);
    expect(cards[0]).toMatchObject({ phase: 'answered_elsewhere', answeredBy: 'Bob', closedAt: 2_000 });
    cards = onEnded(cards, message('call.ended', { call, outcome: 'answered', endedAt: 1 }), 3_000);
    expect(cards[0]).toMatchObject({ phase: 'answered_elsewhere', closedAt: 2_000 });
  });

  it('falls back to the agent id, then to "someone else", when the answerer has no name', () => {
    const base = onRinging([], ringing(call), 100);
    expect(onDismissed(base, message('call.dismissed', { call, answeredBy: null, answeredByAgent: 'bob' }), 1)[0]!.answeredBy).toBe('bob');
    expect(onDismissed(base, message('call.dismissed', { call, answeredBy: null, answeredByAgent: null }), 1)[0]!.answeredBy).toBe('someone else');
  });

  it('ends with the outcome; a transferred call closes as transferred', () => {
    const live = onRinging([], ringing(call), 100);
    expect(onEnded(live, message('call.ended', { call, outcome: 'unanswered', endedAt: 1 }), 500)[0]).toMatchObject({ phase: 'ended', outcome: 'unanswered', closedAt: 500 });
    const onCall = onAnswered(live, message('call.answered', { call }), 200);
    expect(onTransferred(onCall, message('call.transferred', { call, kind: 'blind' }), 700)[0]).toMatchObject({ phase: 'transferred', closedAt: 700 });
  });

  it('ignores messages about calls it has no card for (they were for someone else)', () => {
    const cards = onRinging([], ringing(call), 100);
    const other = callView({ id: 'c2' });
    expect(onDismissed(cards, message('call.dismissed', { call: other, answeredBy: 'Bob', answeredByAgent: 'bob' }), 1)).toBe(cards);
    expect(onEnded(cards, message('call.ended', { call: other, outcome: 'answered', endedAt: 1 }), 1)).toBe(cards);
  });

  it('opens an on-call card for a call this agent placed, named from an earlier card of the same number', () => {
    const missedCard = onEnded(onRinging([], ringing(callView({ remoteName: 'Carol' })), 100), message('call.ended', { call: callView(), outcome: 'unanswered', endedAt: 1 }), 200);
    const callBack = callView({ id: 'out1', direction: 'out', remoteName: '' });
    const cards = onAnswered(missedCard, message('call.answered', { call: callBack }), 300);
    expect(cards[0]).toMatchObject({ callId: 'out1', direction: 'out', phase: 'on_call', answeredAt: 300, caller: expect.objectContaining({ name: 'Carol' }) });
    expect(cards).toHaveLength(2);
  });
});

describe('closed cards', () => {
  function closedCard(id: string, closedAt: number | null): CallCard {
    const [card] = onRinging([], ringing(callView({ id })), 0);
    return { ...card!, phase: closedAt === null ? 'ringing' : 'ended', closedAt };
  }

  it(`leave ${CLOSED_CARD_MS} ms after they closed; live ones stay`, () => {
    const cards = [closedCard('a', 1_000), closedCard('b', 5_000), closedCard('c', null)];
    expect(nextExpiry(cards)).toBe(1_000 + CLOSED_CARD_MS);
    expect(expireCards(cards, 1_000 + CLOSED_CARD_MS).map((c) => c.callId)).toEqual(['b', 'c']);
    expect(expireCards(cards, 0)).toBe(cards);
    expect(nextExpiry([closedCard('c', null)])).toBeNull();
  });

  it("leave after the agent's chosen time instead, or never when they keep them", () => {
    const cards = [closedCard('a', 1_000), closedCard('c', null)];
    expect(nextExpiry(cards, 30_000)).toBe(31_000);
    expect(expireCards(cards, 1_000 + CLOSED_CARD_MS, 30_000)).toBe(cards);
    expect(expireCards(cards, 31_000, 30_000).map((c) => c.callId)).toEqual(['c']);
    expect(nextExpiry(cards, null)).toBeNull();
    expect(expireCards(cards, 1e12, null)).toBe(cards);
  });

  it(`make room first when more than ${MAX_CARDS} calls are up`, () => {
    let cards = onEnded(onRinging([], ringing(callView({ id: 'old' })), 0), message('call.ended', { call: callView({ id: 'old' }), outcome: 'answered', endedAt: 1 }), 1);
    for (let i = 0; i < MAX_CARDS; i++) cards = onRinging(cards, ringing(callView({ id: `live${i}` })), 10 + i);
    expect(cards).toHaveLength(MAX_CARDS);
    expect(cards.map((c) => c.callId)).not.toContain('old');
    expect(cards[0]!.callId).toBe(`live${MAX_CARDS - 1}`);
  });
});
