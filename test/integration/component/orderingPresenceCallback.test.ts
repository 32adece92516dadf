import { describe, expect, it } from 'vitest';
import { MAC_A, MAC_B, newCaller, onlyCallFrom, params, phoneSays, useRingside } from './fixtures';

describe('rule 9: ordering and duplicates', () => {
  const ringside = useRingside();

  it('events of each call are applied in order while many calls interleave', async () => {
    const r = ringside();
    await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const callers = Array.from({ length: 20 }, () => newCaller());

    // Each call's events go in order; the calls run concurrently and interleave on the bus.
    await Promise.all(callers.map(async (caller) => {
      for (const event of ['incoming', 'answered', 'hold', 'unhold', 'hangup']) {
        const res = await r.phone(event, params(MAC_A, caller, '201'));
        expect(res.status).toBe(200);
      }
    }));
    await r.settle();

    for (const caller of callers) {
      const call = await onlyCallFrom(r, caller);
      expect(call.status).toBe('answered');
      expect(call.legs).toHaveLength(1);
    }
    const stats = await r.api<{ items: Array<{ offered: number; answered: number }> }>('GET', '/api/stats?agent=alice');
    expect(stats.body.items[0]).toMatchObject({ offered: 20, answered: 20 });
  });
});

describe('rule 10: presence', () => {
  const ringside = useRingside();

  it('follows heartbeats, the manual choice, the phone DND and calls in progress', async () => {
    const r = ringside();
    const watcher = await r.agent('watcher');
    const alice = await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const changes = () => watcher.received('presence.changed').filter((m) => m.agent === 'alice').map((m) => m.status);
    // Reads alice's changes in order: each reach() looks only after the change the previous one saw.
    let since = 0;
    const reach = async (status: string) => {
      const seen = await watcher.next((m) => m.type === 'presence.changed' && m.agent === 'alice' && m.status === status, `alice ${status}`, { since });
      since = watcher.messages.indexOf(seen) + 1;
    };

    await reach('available');
    alice.send({ type: 'presence.set', status: 'away' });
    await reach('away');
    alice.send({ type: 'presence.set', status: 'available' });
    await reach('available');
    await phoneSays(r, [['dnd_on', { mac: MAC_A }]]);
    await reach('dnd');
    await phoneSays(r, [['dnd_off', { mac: MAC_A }]]);
    await reach('available');
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller, '201')], ['answered', params(MAC_A, caller, '201')]]);
    await reach('on_call');
    await phoneSays(r, [['hangup', params(MAC_A, caller, '201')]]);
    await reach('available');

    // No heartbeat for longer than the session lifetime: offline (the socket may still be open).
    r.advance(r.config.heartbeatTtlMs + 1);
    watcher.send({ type: 'heartbeat' });
    await r.settle();
    await reach('offline');
    alice.send({ type: 'heartbeat' });
    await reach('available');

    const agents = await r.api<{ items: Array<{ id: string; presence: string }> }>('GET', '/api/agents');
    expect(agents.body.items.find((a) => a.id === 'alice')?.presence).toBe('available');
    expect(changes()).toEqual(['offline', 'available', 'away', 'available', 'dnd', 'available', 'on_call', 'available', 'offline', 'available']);
  });

  it('an agent whose UI closes goes offline', async () => {
    const r = ringside();
    const watcher = await r.agent('watcher');
    const alice = await r.agent('alice');
    const available = await watcher.next((m) => m.type === 'presence.changed' && m.agent === 'alice' && m.status === 'available', 'alice available');
    alice.close();
    await watcher.next((m) => m.type === 'presence.changed' && m.agent === 'alice' && m.status === 'offline', 'alice offline', { since: watcher.messages.indexOf(available) + 1 });
  });
});

describe('call-back ownership', () => {
  const ringside = useRingside();

  it('the first agent to take a missed call owns it, the others see who did, and the answered call-back closes it', async () => {
    const r = ringside();
    await r.api('POST', '/api/helplines', { body: { number: '5000', name: 'Support' } });
    const alice = await r.agent('alice', { devices: [MAC_A], name: 'Alice' });
    const bob = await r.agent('bob', { devices: [MAC_B], name: 'Bob' });
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller)], ['incoming', params(MAC_B, caller)], ['missed', params(MAC_A, caller)], ['missed', params(MAC_B, caller)]]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();
    const { callId } = (await r.api<{ items: Array<{ callId: string }> }>('GET', '/api/missed?status=open')).body.items[0]!;

    // A JSON content type with an empty body is a call-back without options.
    const won = await r.api<{ missed: { owner: string; status: string } }>('POST', `/api/missed/${callId}/callback`, { token: alice.token, raw: '', contentType: 'application/json' });
    const lost = await r.api<{ error: string }>('POST', `/api/missed/${callId}/callback`, { token: bob.token });

    expect(won.status).toBe(200);
    expect(won.body.missed).toMatchObject({ owner: 'alice', status: 'claimed' });
    expect(lost.status).toBe(409);
    expect(lost.body.error).toContain('alice');
    const seen = await bob.next((m) => m.type === 'missed.claimed', `missed.claimed for ${caller}`);
    expect(seen.missed).toMatchObject({ callId, owner: 'alice' });

    await phoneSays(r, [['outgoing', params(MAC_A, caller, '201')], ['answered', params(MAC_A, caller, '201')]]);
    const closed = await r.api<{ items: Array<{ callId: string; status: string; closedBy: string }> }>('GET', '/api/missed?status=closed');
    expect(closed.body.items).toEqual([expect.objectContaining({ callId, status: 'closed', closedBy: 'alice' })]);
    // The number as agents type it, with its plus, finds the call.
    const byNumber = await r.api<{ items: unknown[] }>('GET', `/api/calls?remote=${caller}`);
    expect(byNumber.body.items.length).toBeGreaterThan(0);
  });

  it("an agent cannot take another agent's direct missed call", async () => {
    const r = ringside();
    const alice = await r.agent('alice', { devices: [MAC_A], extension: '201' });
    await r.agent('bob', { devices: [MAC_B], extension: '202' });
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_B, caller, '202')], ['hangup', params(MAC_B, caller, '202')]]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();
    const { callId } = (await r.api<{ items: Array<{ callId: string }> }>('GET', '/api/missed?status=open')).body.items[0]!;

    const taken = await r.api<{ error: string }>('POST', `/api/missed/${callId}/callback`, { token: alice.token });
    // Not hers to see either: a 404, as GET /api/calls/:id answers; the admin acting for her is told why.
    const forHer = await r.api<{ error: string }>('POST', `/api/missed/${callId}/callback`, { body: { agent: 'alice' } });

    expect(taken.status).toBe(404);
    expect(forHer).toMatchObject({ status: 403, body: { error: expect.stringMatching(/alice may not call this missed call back: it was for bob/) } });
    const open = await r.api<{ items: Array<{ owner: string | null }> }>('GET', '/api/missed?status=open');
    expect(open.body.items).toEqual([expect.objectContaining({ owner: null })]);
  });
});
