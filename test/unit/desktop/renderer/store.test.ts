// The UI's reducer (src/desktop/renderer/state/store.ts) fed the server's messages, and the missed-call,
// identity and team rules it leans on.
import { describe, expect, it } from 'vitest';
import { inferAgent, agentName } from '../../../../src/desktop/renderer/state/identity';
import { markSeen, MAX_SEEN, missedFor, missedState, sortMissed, unreadCount, upsertMissed } from '../../../../src/desktop/renderer/state/missed';
import { initialState, myPresence, reducer, type Action, type AppState } from '../../../../src/desktop/renderer/state/store';
import { teamGroups } from '../../../../src/desktop/renderer/state/team';
import { agent, callView, health, message, missed, ringing } from './fixtures';

function run(actions: Action[], state: AppState = initialState(true)): AppState {
  return actions.reduce(reducer, state);
}

const phoneOf = (mac: string) => ({ mac, state: 'registered' as const, lastEvent: 'registered', lastSeenAt: 1, polling: false, reachable: null, phoneStatus: null, error: null });

describe('who is signed in', () => {
  const agents = [agent('alice', ['A1']), agent('bob', ['B1', 'B2'])];

  it('is the one agent whose phones are exactly the session’s phones', () => {
    expect(inferAgent([phoneOf('A1')], agents)).toBe('alice');
    expect(inferAgent([phoneOf('B2'), phoneOf('B1')], agents)).toBe('bob');
  });

  it('stays unknown without phones, or when the phones match nobody or several agents (an admin sees them all)', () => {
    expect(inferAgent(undefined, agents)).toBeNull();
    expect(inferAgent([], agents)).toBeNull();
    expect(inferAgent([phoneOf('A1'), phoneOf('B1'), phoneOf('B2')], agents)).toBeNull();
    expect(inferAgent([phoneOf('A1')], [...agents, agent('twin', ['A1'])])).toBeNull();
  });

  it('is found by the reducer once both the health message and the directory are in, in either order', () => {
    const healthMessage = message('health', health({ phones: [phoneOf('A1')] }));
    const loaded: Action = { type: 'agents.loaded', agents };
    expect(run([{ type: 'message', message: healthMessage, now: 0 }, loaded]).me).toBe('alice');
    expect(run([loaded, { type: 'message', message: healthMessage, now: 0 }]).me).toBe('alice');
    expect(agentName(agents, 'bob')).toBe('Bob');
    expect(agentName(agents, 'ghost')).toBe('ghost');
  });
});

describe('the reducer', () => {
  it('starts with no session when there is no token', () => {
    expect(initialState(false).connection.status).toBe('no_session');
    expect(initialState(true, ['x']).seenMissed).toEqual(['x']);
  });

  it('keeps the card, the missed list and the figures’ version in step with the call messages', () => {
    const call = callView();
    const state = run([
      { type: 'message', message: ringing(call), now: 1 },
      { type: 'message', message: message('call.ended', { call, outcome: 'unanswered', endedAt: 2 }), now: 2 },
      { type: 'message', message: message('call.missed', { call, missed: missed() }), now: 3 },
    ]);
    expect(state.cards[0]).toMatchObject({ phase: 'ended', outcome: 'unanswered' });
    expect(state.missed).toEqual([missed()]);
    expect(state.callsVersion).toBe(2);
  });

  it('closes a card still ringing when its call is missed (its call.ended was lost): the shell’s popup closes on the same messages', () => {
    const call = callView();
    const state = run([
      { type: 'message', message: ringing(call), now: 1 },
      { type: 'message', message: message('call.missed', { call, missed: missed() }), now: 3 },
    ]);
    expect(state.cards[0]).toMatchObject({ phase: 'ended', outcome: 'unanswered', closedAt: 3 });
    expect(run([{ type: 'message', message: message('call.missed', { call: null, missed: missed() }), now: 3 }], state).cards).toBe(state.cards);
  });

  it('shows who took a missed call (missed.claimed), and a call-back answer’s own view of it', () => {
    const claimed = missed({ status: 'claimed', owner: 'bob', claimedAt: 6_000 });
    let state = run([{ type: 'missed.loaded', items: [missed()] }, { type: 'message', message: message('missed.claimed', { missed: claimed }), now: 1 }]);
    expect(state.missed).toEqual([claimed]);
    state = reducer(state, { type: 'missed.updated', missed: missed({ status: 'closed', closedBy: 'bob' }) });
    expect(state.missed).toEqual([expect.objectContaining({ status: 'closed', closedBy: 'bob' })]);
  });

  it('moves presence of known agents and ignores unknown ones', () => {
    const state = run([
      { type: 'agents.loaded', agents: [agent('alice', ['A1']), agent('bob')] },
      { type: 'message', message: message('health', health({ phones: [phoneOf('A1')] })), now: 0 },
      { type: 'message', message: message('presence.changed', { agent: 'alice', status: 'away' }), now: 0 },
      { type: 'message', message: message('presence.changed', { agent: 'ghost', status: 'dnd' }), now: 0 },
    ]);
    expect(state.agents.map((a) => [a.id, a.presence])).toEqual([['alice', 'away'], ['bob', 'offline']]);
    expect(myPresence(state)).toBe('away');
  });

  it('keeps the health message without its envelope, and the server’s error until dismissed', () => {
    let state = run([{ type: 'message', message: message('health', health({ redis: 'down' })), now: 0 }]);
    expect(state.health).toEqual(health({ redis: 'down' }));
    state = run([{ type: 'message', message: message('error', { reason: 'presence.set needs an agent session' }), now: 0 }], state);
    expect(state.serverError).toBe('presence.set needs an agent session');
    expect(reducer(state, { type: 'serverError.clear' }).serverError).toBeNull();
  });

  it('closes and expires cards on request', () => {
    const state = run([{ type: 'message', message: ringing(callView()), now: 0 }]);
    expect(reducer(state, { type: 'card.close', callId: 'c1' }).cards).toEqual([]);
    expect(reducer(state, { type: 'cards.expire', now: 1e9 })).toBe(state);
  });
});

describe('missed calls', () => {
  it('lists open ones first, then newest first', () => {
    const items = sortMissed([missed({ callId: 'old', at: 1 }), missed({ callId: 'done', at: 9, status: 'closed' }), missed({ callId: 'new', at: 5 })]);
    expect(items.map((m) => m.callId)).toEqual(['new', 'old', 'done']);
    expect(upsertMissed(items, missed({ callId: 'new', at: 5, status: 'claimed', owner: 'bob' })).map((m) => m.callId)).toEqual(['old', 'done', 'new']);
  });

  it('keeps a closed missed call closed when an older view of it (the call-back answer, claimed) arrives late', () => {
    const closed = missed({ callId: 'x', status: 'closed', owner: 'alice', closedBy: 'alice' });
    const state = run([{ type: 'missed.loaded', items: [closed] }, { type: 'missed.updated', missed: missed({ callId: 'x', status: 'claimed', owner: 'alice' }) }]);
    expect(state.missed).toEqual([closed]);
  });

  it('shows an agent the calls that rang for them and every helpline call', () => {
    const items = [missed({ callId: 'mine' }), missed({ callId: 'bobs', targets: ['bob'] }), missed({ callId: 'line', line: 'helpline', helpline: '5000', targets: ['bob'] })];
    expect(missedFor(items, 'alice').map((m) => m.callId)).toEqual(['mine', 'line']);
    expect(missedFor(items, null)).toHaveLength(3);
  });

  it('counts open ones not seen yet; looking at the list sees them all', () => {
    const items = [missed({ callId: 'a' }), missed({ callId: 'b' }), missed({ callId: 'c', status: 'claimed', owner: 'bob' })];
    expect(unreadCount(items, new Set(['a']))).toBe(1);
    const seen = markSeen(items, ['older']);
    expect(seen).toEqual(['a', 'b', 'older']);
    expect(unreadCount(items, new Set(seen))).toBe(0);
    expect(markSeen(items.slice(0, 1), Array.from({ length: MAX_SEEN }, (_, i) => `x${i}`))).toHaveLength(MAX_SEEN);
    const state = run([{ type: 'missed.loaded', items }, { type: 'missed.seen' }]);
    expect([...state.seenMissed].sort()).toEqual(['a', 'b']);
  });

  it('says whose call-back it is', () => {
    expect(missedState(missed(), 'alice')).toBe('open');
    expect(missedState(missed({ status: 'claimed', owner: 'alice' }), 'alice')).toBe('mine');
    expect(missedState(missed({ status: 'claimed', owner: 'bob' }), 'alice')).toBe('someone_else');
    expect(missedState(missed({ status: 'claimed', owner: 'alice' }), null)).toBe('someone_else');
    expect(missedState(missed({ status: 'closed' }), 'alice')).toBe('closed');
  });
});

describe('the team screen', () => {
  const agents = [agent('alice'), agent('bob'), agent('carol')];

  it('groups the others by the helplines the agent is on', () => {
    const helplines = [
      { number: '5000', account: 'default', name: 'Support', agents: ['alice', 'bob'] },
      { number: '6000', account: 'default', name: 'Sales', agents: ['carol'] },
      { number: '7000', account: 'default', name: 'Everyone', agents: null },
    ];
    expect(teamGroups(agents, helplines, 'alice').map((g) => [g.title, g.members.map((m) => m.id)])).toEqual([
      ['Support (5000)', ['bob']],
      ['Everyone (7000)', ['bob', 'carol']],
    ]);
  });

  it('shows everyone else when the agent is on no helpline, or unknown', () => {
    expect(teamGroups(agents, [], 'alice')).toEqual([{ key: 'everyone', title: 'Everyone', members: [agents[1], agents[2]] }]);
    expect(teamGroups(agents, [], null)[0]!.members).toHaveLength(3);
  });
});
