import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOffice, type Office } from '../../../support/office';
import type { AgentClient, TestRingside } from '../../../support/ringside';
import { startSentinelTopology, type SentinelTopology } from '../../../support/redisTopology';
import { eventually } from '../../../support/wait';
import { MAC_A, MAC_B, helplineOnTwoSeats, newCaller, params, unappliedEvents, type CallBody } from '../../component/fixtures';

/**
 * docs/redis.md, Sentinel: an office of two seats (and the real RabbitMQ) whose Redis is a master
 * with one replica behind three sentinels. The master is killed (SIGKILL) in the middle of a
 * call while the phones keep sending; the sentinels promote the replica and Ringside follows:
 * every event the phones got a 200 for is applied, every call is in the call log once with its
 * outcome, and the call state recovers as after a Redis restart (docs/call-lifecycle.md,
 * Recovery after a call-state loss).
 */

const MISSED_DELAY_MS = 60_000;
const FAILOVER_MS = 30_000;

interface Health {
  status: string;
  redis: string;
}

describe('Redis Sentinel: Ringside follows a failover', () => {
  let topology: SentinelTopology;
  let office: Office;

  beforeAll(async () => {
    topology = await startSentinelTopology();
    office = await startOffice(2, {
      redis: { sentinels: topology.sentinels, sentinelMaster: topology.masterName },
      missedDelayMs: MISSED_DELAY_MS,
    });
  }, 60_000);
  afterAll(async () => {
    try {
      await office?.stop();
    } finally {
      await topology?.stop();
    }
  });

  it('the master is killed mid-call and calls keep coming: nothing lost, every call logged once with its outcome, popups after the failover', { timeout: 120_000 }, async () => {
    const { x, y, alice, bob } = await helplineOnTwoSeats(office);
    const acknowledged: string[] = [];
    const ok = async (seat: TestRingside, event: string, p: Record<string, string>) => {
      const res = await seat.phone(event, p);
      expect(res.status, `${event}: ${JSON.stringify(res.body)}`).toBe(200);
      acknowledged.push(String(res.body.id));
    };
    /** A helpline call ringing Alice's phone (seat X) and Bob's (seat Y): Alice answers, or nobody does. */
    const call = async (caller: string, answered: boolean) => {
      await ok(x, 'incoming', params(MAC_A, caller));
      await ok(y, 'incoming', params(MAC_B, caller));
      if (answered) await ok(x, 'answered', params(MAC_A, caller));
      await ok(x, answered ? 'hangup' : 'missed', params(MAC_A, caller));
      await ok(y, 'missed', params(MAC_B, caller));
    };
    const expected = new Map<string, boolean>();
    const popups = async (agent: AgentClient, callers: string[]) => {
      for (const caller of callers) await agent.callMessage('call.ringing', caller, { timeoutMs: FAILOVER_MS });
    };

    // Before: calls go through the master; both agents get their popups.
    const before = [newCaller(), newCaller()];
    for (const [i, caller] of before.entries()) {
      await call(caller, i === 0);
      expected.set(caller, i === 0);
    }
    await Promise.all([popups(alice, before), popups(bob, before)]);

    // In the middle of a call (answered by Alice, not yet over), the master dies.
    const midCall = newCaller();
    await ok(x, 'incoming', params(MAC_A, midCall));
    await ok(y, 'incoming', params(MAC_B, midCall));
    await ok(x, 'answered', params(MAC_A, midCall));
    expect((await bob.callMessage('call.dismissed', midCall)).answeredBy).toBe('Alice');
    await topology.killMaster();
    expected.set(midCall, true);

    // The phones keep sending while the sentinels fail over: every event still gets its 200.
    await ok(x, 'hangup', params(MAC_A, midCall));
    await ok(y, 'missed', params(MAC_B, midCall));
    const during = [newCaller(), newCaller(), newCaller()];
    for (const [i, caller] of during.entries()) {
      await call(caller, i !== 1);
      expected.set(caller, i !== 1);
    }

    // The replica is promoted, and both seats are on it again (commands, and the push subscribers).
    await eventually('every sentinel to name the replica as the master', () => topology.masterAsSentinelsSee(), (ports) => ports.every((p) => p === topology.replicaPort), { timeoutMs: FAILOVER_MS, intervalMs: 100 });
    for (const seat of [x, y]) {
      await eventually('the seat to report Redis up', async () => (await seat.api<Health>('GET', '/healthz')).body, (h) => h.redis === 'up' && h.status === 'ok', { timeoutMs: FAILOVER_MS, intervalMs: 100 });
    }
    // Pushes fail at once while their connection is away (docs/redis.md, Sentinel): both seats' push connections are on the new master, and their subscribers subscribed again.
    await eventually('both seats\' push connections on the new master, their subscribers subscribed', () => pushConnections(topology.replicaPort),
      (c) => c.publishers === 2 && c.subscribers === 2, { timeoutMs: FAILOVER_MS, intervalMs: 100 });

    // After: calls go through the new master, with their popups.
    const after = [newCaller(), newCaller()];
    for (const [i, caller] of after.entries()) {
      await call(caller, i === 0);
      expected.set(caller, i === 0);
    }
    await Promise.all([popups(alice, after), popups(bob, after)]);

    await office.settle();
    office.advance(MISSED_DELAY_MS * 2);
    await office.settle();

    expect(unappliedEvents(office, acknowledged)).toEqual([]);
    let logged = 0;
    for (const [caller, answered] of expected) {
      for (const seat of [x, y]) {
        const calls = (await seat.api<{ items: CallBody[] }>('GET', `/api/calls?remote=${encodeURIComponent(caller)}`)).body.items;
        expect(calls, `calls from ${caller}`).toHaveLength(1);
        expect(calls[0], `the call from ${caller}`).toMatchObject(answered ? { status: 'answered', agent: 'alice' } : { status: 'missed' });
        if (seat === x) logged += calls.length;
      }
    }
    expect(logged).toBe(expected.size);
    // Missed calls reach both agents once the grace delay is over, whenever they happened.
    const missed = [...expected].filter(([, answered]) => !answered).map(([caller]) => caller);
    for (const agent of [alice, bob]) for (const caller of missed) await agent.callMessage('call.missed', caller);
    expect(alice.received('call.missed').map((m) => (m.call as CallBody).remote).sort()).toEqual([...missed].sort());
  });
});

/** The push connections on the server at `port` (CLIENT LIST): commands, and subscribers with their pattern. */
async function pushConnections(port: number): Promise<{ publishers: number; subscribers: number; list: string[] }> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const list = String(await client.client('LIST')).split('\n').filter((line) => / name=ringside-push/.test(line));
    return {
      publishers: list.filter((line) => / name=ringside-push /.test(line)).length,
      subscribers: list.filter((line) => / name=ringside-push-sub /.test(line) && / psub=[1-9]/.test(line)).length,
      list: list.map((line) => line.replace(/^.* (name=\S+).* (psub=\d+).* (cmd=\S+).*$/, '$1 $2 $3')),
    };
  } catch (err) {
    return { publishers: -1, subscribers: -1, list: [String(err)] };
  } finally {
    client.disconnect();
  }
}
