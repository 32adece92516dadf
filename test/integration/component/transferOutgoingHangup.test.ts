import { describe, expect, it } from 'vitest';
import { MAC_A, MAC_B, callsFrom, newCaller, onlyCallFrom, params, phoneSays, useRingside } from './fixtures';

describe('rule 6: transfer', () => {
  const ringside = useRingside();

  it('a transferred call continues as one call with two legs and the new popup says who transferred it', async () => {
    const r = ringside();
    const alice = await r.agent('alice', { devices: [MAC_A], extension: '201', name: 'Alice' });
    const bob = await r.agent('bob', { devices: [MAC_B], extension: '202', name: 'Bob' });
    const caller = newCaller();

    await phoneSays(r, [
      ['incoming', params(MAC_A, caller, '201')], ['answered', params(MAC_A, caller, '201')],
      ['blind_transfer', params(MAC_A, caller, '201')], ['hangup', params(MAC_A, caller, '201')],
      ['incoming', params(MAC_B, caller, '202')],
    ]);

    const popup = await bob.callMessage('call.ringing', caller);
    expect(popup.transferredFrom).toBe('alice');
    expect(popup.transferredFromName).toBe('Alice');
    await alice.callMessage('call.transferred', caller);

    await phoneSays(r, [['answered', params(MAC_B, caller, '202')], ['hangup', params(MAC_B, caller, '202')]]);
    const call = await onlyCallFrom(r, caller);
    expect(call.status).toBe('answered');
    expect(call.agent).toBe('bob');
    expect(call.transferredFrom).toBe('alice');
    expect(call.legs.map((l) => [l.agent, l.transfer])).toEqual([['alice', false], ['bob', true]]);
  });

  it('a plain hang-up leaves no fingerprint: the customer calling again is a new call', async () => {
    const r = ringside();
    await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const bob = await r.agent('bob', { devices: [MAC_B], extension: '202' });
    const caller = newCaller();

    await phoneSays(r, [
      ['incoming', params(MAC_A, caller, '201')], ['answered', params(MAC_A, caller, '201')], ['hangup', params(MAC_A, caller, '201')],
      ['incoming', params(MAC_B, caller, '202')],
    ]);

    const popup = await bob.callMessage('call.ringing', caller);
    expect(popup.transferredFrom).toBeNull();
    expect(await callsFrom(r, caller)).toHaveLength(2);
  });
});

describe('rule 7: outgoing', () => {
  const ringside = useRingside();

  it('an unanswered outgoing call is "no answer", never a missed call', async () => {
    const r = ringside();
    await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const number = newCaller();

    await phoneSays(r, [['outgoing', params(MAC_A, number, '201')], ['hangup', params(MAC_A, number, '201')]]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();

    const call = await onlyCallFrom(r, number);
    expect(call.direction).toBe('out');
    expect(call.status).toBe('no_answer');
    expect(call.agent).toBe('alice');
    const missed = await r.api<{ items: unknown[] }>('GET', '/api/missed');
    expect(missed.body.items).toEqual([]);
  });

  it('an answered outgoing call is answered, with the dialling agent as owner', async () => {
    const r = ringside();
    await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const number = newCaller();

    await phoneSays(r, [['outgoing', params(MAC_A, number, '201')], ['answered', params(MAC_A, number, '201')], ['hangup', params(MAC_A, number, '201')]]);

    const call = await onlyCallFrom(r, number);
    expect([call.direction, call.status, call.agent]).toEqual(['out', 'answered', 'alice']);
  });
});

describe('rule 8: hangup', () => {
  const ringside = useRingside();

  it('writes the final row with ring, talk and hold durations and updates the statistics', async () => {
    const r = ringside();
    const alice = await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const caller = newCaller();
    const p = params(MAC_A, caller, '201');

    await phoneSays(r, [['incoming', p], ['answered', p], ['hold', p], ['unhold', p], ['hangup', p]]);

    await alice.callMessage('call.ended', caller);
    const call = await onlyCallFrom(r, caller);
    expect(call.status).toBe('answered');
    expect(call.endedAt).not.toBeNull();
    expect(call.ringMs).toBeGreaterThanOrEqual(0);
    expect(call.talkMs).toBeGreaterThanOrEqual(0);
    expect(call.holdMs).toBeGreaterThanOrEqual(0);
    expect(call.legs[0]!.state).toBe('ended');
    const stats = await r.api<{ items: Array<{ agent: string; offered: number; answered: number; missed: number }> }>('GET', '/api/stats?agent=alice');
    expect(stats.body.items).toEqual([expect.objectContaining({ agent: 'alice', offered: 1, answered: 1, missed: 0 })]);
  });
});

describe('a lost end of call (phones do not retry)', () => {
  const ringside = useRingside();

  it('an incoming call whose hangup never came becomes a missed call once its ring state expires', async () => {
    const r = ringside();
    const alice = await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller, '201')]]);

    r.advance(5 * 60_000 + 1);
    await r.settle();
    await r.settle();

    await alice.callMessage('call.missed', caller);
    expect((await onlyCallFrom(r, caller)).status).toBe('missed');
  });

  it('an answered call whose hangup never came ends, and its agent is no longer on a call', async () => {
    const r = ringside();
    const watcher = await r.agent('watcher');
    const alice = await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller, '201')], ['answered', params(MAC_A, caller, '201')]]);
    await watcher.next((m) => m.type === 'presence.changed' && m.agent === 'alice' && m.status === 'on_call', 'alice on_call');

    r.advance(4 * 60 * 60_000 + 1);
    await r.settle();
    const since = watcher.mark(); // only what comes from now on
    alice.send({ type: 'heartbeat' });
    await watcher.next((m) => m.type === 'presence.changed' && m.agent === 'alice' && m.status === 'available', 'alice available after the heartbeat', { since });

    const call = await onlyCallFrom(r, caller);
    expect(call.status).toBe('answered');
    expect(call.endedAt).not.toBeNull();
    const agents = await r.api<{ items: Array<{ id: string; presence: string }> }>('GET', '/api/agents');
    expect(agents.body.items.find((a) => a.id === 'alice')?.presence).toBe('available');
  });
});

describe('retention', () => {
  const ringside = useRingside({ retentionDays: 30 });

  it('deletes calls older than the retention setting and keeps the daily statistics', async () => {
    const r = ringside();
    await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller, '201')], ['answered', params(MAC_A, caller, '201')], ['hangup', params(MAC_A, caller, '201')]]);
    r.advance(29 * 24 * 60 * 60_000);
    await r.settle();
    expect(await callsFrom(r, caller)).toHaveLength(1);

    r.advance(2 * 24 * 60 * 60_000);
    await r.settle();

    expect(await callsFrom(r, caller)).toEqual([]);
    const stats = await r.api<{ items: Array<{ agent: string; answered: number }> }>('GET', '/api/stats?agent=alice');
    expect(stats.body.items).toEqual([expect.objectContaining({ agent: 'alice', answered: 1 })]);
  });
});
