// Cards after a reload or a reconnect (src/desktop/renderer/state/recovery.ts): the call log's ringing and
// in-progress calls for this agent become cards, and cards of calls that ended meanwhile go.
import { describe, expect, it } from 'vitest';
import type { CallView } from '../../../../src/desktop/renderer/api/types';
import { onAnswered, onRinging, type CallCard } from '../../../../src/desktop/renderer/state/cards';
import { cardFromCall, onCallWith, recoverCards, recoveryQueries, ringsForMe, type RecoveryContext } from '../../../../src/desktop/renderer/state/recovery';
import { initialState, reducer, type AppState } from '../../../../src/desktop/renderer/state/store';
import { agent, callView, leg, message, ringing } from './fixtures';

const names: Record<string, string> = { alice: 'Alice', bob: 'Bob' };
const nameOf = (id: string) => names[id] ?? null;
const context = (overrides: Partial<RecoveryContext> = {}): RecoveryContext => ({ me: 'alice', liveBefore: new Set(), now: 50_000, nameOf, ...overrides });

const ringingForAlice = (overrides: Partial<CallView> = {}) =>
  callView({ id: 'r1', status: 'ringing', startedAt: 20_000, legs: [leg({ agent: 'alice', state: 'ringing', ringAt: 20_000 })], ...overrides });
const upWithAlice = (overrides: Partial<CallView> = {}) =>
  callView({
    id: 'u1', status: 'in_progress', agent: 'alice', startedAt: 10_000, answeredAt: 14_000,
    legs: [leg({ agent: 'alice', state: 'answered', ringAt: 10_000, answeredAt: 14_000 })], ...overrides,
  });

describe('what the page asks for', () => {
  it('asks for ringing and in-progress calls of this agent', () => {
    expect(recoveryQueries('alice')).toEqual({ ringing: 'status=ringing&agent=alice&limit=200', inProgress: 'status=in_progress&agent=alice&limit=200' });
    expect(recoveryQueries('a b&c').ringing).toBe('status=ringing&agent=a+b%26c&limit=200');
  });
});

describe('which open calls are this agent’s', () => {
  it('rings for the agent while a leg of theirs rings (not once they rejected it), or when they own it without a leg', () => {
    expect(ringsForMe(ringingForAlice(), 'alice')).toBe(true);
    expect(ringsForMe(ringingForAlice({ legs: [leg({ agent: 'alice', state: 'rejected', endedAt: 21_000 }), leg({ agent: 'bob', state: 'ringing' })] }), 'alice')).toBe(false);
    expect(ringsForMe(ringingForAlice({ legs: [], agent: 'alice' }), 'alice')).toBe(true);
    expect(ringsForMe(ringingForAlice(), 'bob')).toBe(false);
    // An outgoing call ringing at the far end is not an incoming call.
    expect(ringsForMe(ringingForAlice({ direction: 'out' }), 'alice')).toBe(false);
  });

  it('is up with the agent when they own it or their leg is answered and not over', () => {
    expect(onCallWith(upWithAlice(), 'alice')).toBe(true);
    expect(onCallWith(upWithAlice({ agent: null }), 'alice')).toBe(true);
    expect(onCallWith(upWithAlice({ agent: 'bob', legs: [leg({ agent: 'alice', state: 'missed', endedAt: 12_000 }), leg({ agent: 'bob', state: 'answered' })] }), 'alice')).toBe(false);
    expect(onCallWith(upWithAlice({ status: 'answered' }), 'alice')).toBe(false);
  });
});

describe('cards from the call log', () => {
  it('a ringing call becomes an incoming card with the ring timer from its start', () => {
    const contact = { number: '+4420555000', name: 'Ann Example', company: 'Example Ltd', notes: null, crmUrl: null };
    const card = cardFromCall(ringingForAlice({ line: 'helpline', helpline: '5000', contact }), 'alice', 50_000, nameOf);
    expect(card).toMatchObject({
      callId: 'r1', phase: 'ringing', ringingSince: 20_000, answeredAt: null, closedAt: null, line: 'helpline', helpline: '5000',
      caller: { number: '+4420555000', name: 'Ann Example', company: 'Example Ltd' },
    });
  });

  it('a call up with the agent becomes the on-call card with the talk timer from their answer', () => {
    expect(cardFromCall(upWithAlice(), 'alice', 50_000, nameOf)).toMatchObject({ callId: 'u1', phase: 'on_call', ringingSince: 10_000, answeredAt: 14_000 });
    // No answer time recorded: the talk timer starts now rather than never.
    expect(cardFromCall(upWithAlice({ answeredAt: null, legs: [] }), 'alice', 50_000, nameOf)).toMatchObject({ answeredAt: 50_000 });
  });

  it('a transferred call names who transferred it', () => {
    const call = ringingForAlice({ legs: [leg({ agent: 'alice', state: 'ringing', transfer: true, transferredFrom: 'bob' })] });
    expect(cardFromCall(call, 'alice', 50_000, nameOf)?.transferredFromName).toBe('Bob');
    expect(cardFromCall(ringingForAlice({ transferredFrom: 'carol' }), 'alice', 50_000, nameOf)?.transferredFromName).toBe('carol');
  });

  it('a call that is not the agent’s gives no card', () => {
    expect(cardFromCall(ringingForAlice(), 'bob', 50_000, nameOf)).toBeNull();
  });
});

describe('recovering the cards', () => {
  it('after a reload: no cards yet, the ringing and the up call come back, newest on top', () => {
    const cards = recoverCards([], { ringing: [ringingForAlice()], inProgress: [upWithAlice()] }, context());
    expect(cards.map((c) => [c.callId, c.phase])).toEqual([['r1', 'ringing'], ['u1', 'on_call']]);
  });

  it('changes nothing when the cards already match (the same array back)', () => {
    const cards = onRinging([], ringing(ringingForAlice()), 30_000);
    expect(recoverCards(cards, { ringing: [ringingForAlice()], inProgress: [] }, context({ liveBefore: new Set(['r1']) }))).toBe(cards);
    // Not even the timer moves: the card's own start stays.
    expect(recoverCards([], { ringing: [], inProgress: [] }, context())).toEqual([]);
  });

  it('a ringing card whose call was answered by this agent meanwhile becomes the on-call view', () => {
    const cards = onRinging([], ringing(ringingForAlice()), 30_000);
    const up = upWithAlice({ id: 'r1', answeredAt: 33_000, legs: [leg({ agent: 'alice', state: 'answered', answeredAt: 33_000 })] });
    expect(recoverCards(cards, { ringing: [], inProgress: [up] }, context({ liveBefore: new Set(['r1']) }))[0]).toMatchObject({ phase: 'on_call', answeredAt: 33_000, ringingSince: 30_000 });
  });

  it('a ringing card whose call someone else answered meanwhile closes as answered by them', () => {
    const cards = onRinging([], ringing(ringingForAlice()), 30_000);
    const bobs = upWithAlice({ id: 'r1', agent: 'bob', legs: [leg({ agent: 'alice', state: 'missed', endedAt: 33_000 }), leg({ agent: 'bob', state: 'answered' })] });
    expect(recoverCards(cards, { ringing: [], inProgress: [bobs] }, context({ liveBefore: new Set(['r1']) }))[0]).toMatchObject({ phase: 'answered_elsewhere', answeredBy: 'Bob', closedAt: 50_000 });
  });

  it('a live card whose call is in neither list ended meanwhile: it goes; a closed card stays to be read', () => {
    let cards: readonly CallCard[] = onRinging([], ringing(callView({ id: 'gone' })), 30_000);
    cards = onRinging(cards, ringing(callView({ id: 'closed' })), 31_000);
    cards = cards.map((c) => (c.callId === 'closed' ? { ...c, phase: 'ended' as const, outcome: 'unanswered' as const, closedAt: 40_000 } : c));
    const after = recoverCards(cards, { ringing: [], inProgress: [] }, context({ liveBefore: new Set(['gone']) }));
    expect(after.map((c) => c.callId)).toEqual(['closed']);
  });

  it('keeps a card that arrived over the WebSocket while the lists were on their way', () => {
    const cards = onRinging([], ringing(callView({ id: 'new' })), 45_000);
    expect(recoverCards(cards, { ringing: [], inProgress: [] }, context({ liveBefore: new Set() }))).toBe(cards);
  });

  it('does not move back a card the WebSocket already moved on (on call while the list still says ringing)', () => {
    const call = ringingForAlice();
    const cards = onAnswered(onRinging([], ringing(call), 30_000), message('call.answered', { call }), 32_000);
    expect(recoverCards(cards, { ringing: [call], inProgress: [] }, context({ liveBefore: new Set(['r1']) }))).toBe(cards);
  });
});

describe('recovery in the reducer', () => {
  const known = (state: AppState) => reducer(state, { type: 'session.loaded', session: { account: 'default', agent: 'alice', name: 'Alice', kind: 'agent', expiresAt: null, supervisor: false, admin: false } });

  it('applies the lists for the known agent, naming agents from the directory', () => {
    let state = known(initialState(true));
    state = reducer(state, { type: 'agents.loaded', agents: [agent('alice'), agent('bob')] });
    const transferred = ringingForAlice({ legs: [leg({ agent: 'alice', state: 'ringing', transfer: true, transferredFrom: 'bob' })] });
    state = reducer(state, { type: 'calls.recovered', me: 'alice', open: { ringing: [transferred], inProgress: [] }, liveBefore: [], now: 50_000 });
    expect(state.cards).toEqual([expect.objectContaining({ callId: 'r1', phase: 'ringing', ringingSince: 20_000, transferredFromName: 'Bob' })]);
  });

  it('drops lists asked for another agent', () => {
    const state = known(initialState(true));
    expect(reducer(state, { type: 'calls.recovered', me: 'bob', open: { ringing: [ringingForAlice()], inProgress: [] }, liveBefore: [], now: 1 })).toBe(state);
  });
});
