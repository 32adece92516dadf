import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveTopology, shardQueues } from '../../../src/adapters/rabbitmq/topology';
import { OFFICE_SHARDS, startOffice, type Office, type OfficeOptions } from '../../support/office';
import type { TestRingside } from '../../support/ringside';
import { AMQP_URL, REDIS_URL, TEST_CALLS_DB } from '../../support/services';
import { startTcpProxy, targetOf, type TcpProxy } from '../../support/tcpProxy';
import { eventually } from '../../support/wait';
import { HELPLINE, MAC_A, MAC_B, callsFrom, helplineOnTwoSeats, missedCallsFrom, newCaller, params, unappliedEvents } from './fixtures';

/**
 * docs/architecture.md, Failures and outages, in an office (CI-sized chaos): seats in this process on the real Redis and RabbitMQ,
 * reached through TCP proxies the test owns, so that a service can be taken away from the seats
 * without touching the servers other test files use. "Redis restarted without persistence" is:
 * every connection cut, every key of the office deleted, Redis back.
 */

interface Health {
  status: string;
  redis: string;
  rabbitmq: string;
  spoolDepth: number;
  listener: string;
}

const MISSED_DELAY_MS = 60_000;
const A = MAC_A.replaceAll(':', '');
const B = MAC_B.replaceAll(':', '');

describe('an office through outages of Redis and RabbitMQ', () => {
  let office: Office | null = null;
  let redisProxy: TcpProxy;
  let amqpProxy: TcpProxy;
  /** Ids of the events the phones got a 200 for. */
  let acknowledged: string[];

  beforeEach(async () => {
    redisProxy = await startTcpProxy(targetOf(REDIS_URL, 6379));
    amqpProxy = await startTcpProxy(targetOf(AMQP_URL, 5672));
    acknowledged = [];
  });
  afterEach(async () => {
    // Services come back first, so that every seat can close cleanly.
    redisProxy.resume();
    amqpProxy.resume();
    try {
      await office?.stop();
    } finally {
      office = null;
      await redisProxy.close();
      await amqpProxy.close();
    }
  });

  async function open(options: OfficeOptions): Promise<Office> {
    office = await startOffice(2, { missedDelayMs: MISSED_DELAY_MS }, options);
    return office;
  }

  /** A phone event, acknowledged with 200 (its id is kept: it must be applied). */
  async function ok(seat: TestRingside, event: string, p: Record<string, string>): Promise<void> {
    const res = await seat.phone(event, p);
    expect(res.status, `${event}: ${JSON.stringify(res.body)}`).toBe(200);
    acknowledged.push(String(res.body.id));
  }

  async function health(seat: TestRingside): Promise<Health> {
    const res = await seat.api<Health>('GET', '/healthz');
    expect(res.status).toBe(200);
    return res.body;
  }



  async function keysOf(root: string): Promise<number> {
    const redis = new Redis(REDIS_URL, { db: TEST_CALLS_DB });
    try {
      let count = 0;
      for await (const keys of redis.scanStream({ match: `${root}:*`, count: 500 })) count += (keys as string[]).length;
      return count;
    } finally {
      redis.disconnect();
    }
  }

  /** Takes a service away: cuts every connection, and returns once every client has noticed (it reconnected into the held proxy). */
  async function takeAway(proxy: TcpProxy): Promise<void> {
    const cut = proxy.pause({ newConnections: 'hold' });
    expect(cut).toBeGreaterThan(0);
    await proxy.arrivals(cut);
  }

  it('Redis restarted without persistence mid-call: no event lost, one answered row for Alice, no missed call; health says redis down, then up', async () => {
    const o = await open({ redisUrl: () => redisProxy.url(REDIS_URL) });
    const { x, y, alice, bob } = await helplineOnTwoSeats(o);
    const caller = newCaller();

    await ok(x, 'incoming', params(MAC_A, caller));
    await ok(y, 'incoming', params(MAC_B, caller));
    const [aliceRing, bobRing] = await Promise.all([alice.callMessage('call.ringing', caller), bob.callMessage('call.ringing', caller)]);
    expect((aliceRing.call as { id: string }).id).toBe((bobRing.call as { id: string }).id);
    await ok(x, 'answered', params(MAC_A, caller));
    expect((await bob.callMessage('call.dismissed', caller)).answeredBy).toBe('Alice');
    await o.settle();
    expect(await keysOf(o.root)).toBeGreaterThan(0);

    // Redis goes down...
    await takeAway(redisProxy);
    for (const seat of [x, y]) expect(await health(seat)).toMatchObject({ status: 'degraded', redis: 'down', rabbitmq: 'up' });
    // ...and comes back empty.
    await o.wipeRedis();
    expect(await keysOf(o.root)).toBe(0);
    redisProxy.resume();

    await ok(x, 'hangup', params(MAC_A, caller));
    await o.settle();
    // Bob's phone reports, late, through the other seat, that it stopped ringing.
    await ok(y, 'missed', params(MAC_B, caller));
    await o.settle();
    for (const seat of [x, y]) expect(await health(seat)).toMatchObject({ status: 'ok', redis: 'up' });
    o.advance(MISSED_DELAY_MS * 2);
    await o.settle();

    expect(unappliedEvents(o, acknowledged)).toEqual([]);
    for (const seat of [x, y]) {
      const calls = await callsFrom(seat, caller);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ status: 'answered', agent: 'alice' });
      expect(calls[0]!.talkMs).not.toBeNull();
      expect(calls[0]!.legs.map((l) => [l.mac, l.state]).sort()).toEqual([[A, 'ended'], [B, 'ended']]);
      expect(await missedCallsFrom(seat, caller)).toEqual([]);
    }
    expect(alice.received('call.missed')).toEqual([]);
    expect(bob.received('call.missed')).toEqual([]);
    const stats = await x.api<{ items: Array<{ agent: string; answered: number; missed: number }> }>('GET', '/api/stats?agent=alice');
    expect(stats.body.items).toEqual([expect.objectContaining({ agent: 'alice', answered: 1, missed: 0 })]);
  });

  it('RabbitMQ unreachable during calls: phones keep getting 200, health says rabbitmq down with a spool; afterwards every call completes once, and an unanswered one is one missed call', async () => {
    const o = await open({ amqpUrl: () => amqpProxy.url(AMQP_URL) });
    const { x, y, alice, bob } = await helplineOnTwoSeats(o);
    const answered = newCaller();
    const ringGroupMissed = newCaller();
    const lonelyMissed = newCaller();

    // Two helpline calls ring both phones before the outage.
    for (const caller of [answered, ringGroupMissed]) {
      await ok(x, 'incoming', params(MAC_A, caller));
      await ok(y, 'incoming', params(MAC_B, caller));
      await Promise.all([alice.callMessage('call.ringing', caller), bob.callMessage('call.ringing', caller)]);
    }
    await o.settle();

    await takeAway(amqpProxy);
    // Alice answers the first and hangs up; Bob's phone stops ringing. Nobody answers the second.
    // A third call rings Alice's phone and ends unanswered, all while RabbitMQ is unreachable.
    await ok(x, 'answered', params(MAC_A, answered));
    await ok(y, 'missed', params(MAC_B, answered));
    await ok(x, 'hangup', params(MAC_A, answered));
    await ok(x, 'missed', params(MAC_A, ringGroupMissed));
    await ok(y, 'missed', params(MAC_B, ringGroupMissed));
    await ok(x, 'incoming', params(MAC_A, lonelyMissed));
    await ok(x, 'missed', params(MAC_A, lonelyMissed));

    for (const seat of [x, y]) {
      const h = await health(seat);
      expect(h).toMatchObject({ status: 'degraded', redis: 'up', rabbitmq: 'down' });
      expect(h.spoolDepth).toBeGreaterThan(0);
    }
    // Nothing sent during the outage has been applied yet: the events wait in the seats' outboxes.
    expect((await callsFrom(x, answered))[0]).toMatchObject({ status: 'ringing' });
    expect(await callsFrom(x, lonelyMissed)).toEqual([]);

    amqpProxy.resume();
    await o.settle();
    for (const seat of [x, y]) expect(await health(seat)).toMatchObject({ status: 'ok', rabbitmq: 'up', spoolDepth: 0 });
    expect((await callsFrom(y, answered))[0]).toMatchObject({ status: 'answered', agent: 'alice' });

    o.advance(MISSED_DELAY_MS + 1_000);
    await o.settle();
    expect(unappliedEvents(o, acknowledged)).toEqual([]);

    const [answeredCall] = await callsFrom(x, answered);
    expect(await callsFrom(x, answered)).toHaveLength(1);
    expect(answeredCall).toMatchObject({ status: 'answered', agent: 'alice' });
    // Bob's "missed" and Alice's hangup reach RabbitMQ through different seats, in either order.
    expect(answeredCall!.legs.map((l) => l.mac).sort()).toEqual([A, B]);
    expect(answeredCall!.legs.find((l) => l.mac === A)!.state).toBe('ended');
    expect(['missed', 'ended']).toContain(answeredCall!.legs.find((l) => l.mac === B)!.state);
    expect(await missedCallsFrom(x, answered)).toEqual([]);

    for (const caller of [ringGroupMissed, lonelyMissed]) {
      const calls = await callsFrom(y, caller);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ status: 'missed' });
      expect(await missedCallsFrom(y, caller)).toHaveLength(1);
    }
    await Promise.all([alice.callMessage('call.missed', ringGroupMissed), bob.callMessage('call.missed', ringGroupMissed)]);
    for (const client of [alice, bob]) {
      const missedRemotes = client.received('call.missed').map((m) => (m.call as { remote: string }).remote);
      expect(missedRemotes.filter((r) => r === ringGroupMissed)).toHaveLength(1);
      expect(missedRemotes.filter((r) => r === lonelyMissed).length).toBeLessThanOrEqual(1);
      expect(missedRemotes).not.toContain(answered);
    }
  });

  it('a seat stopped while it holds unacknowledged deliveries: the other seat takes its shards over and every acknowledged event is applied once', async () => {
    // Seat X reaches Redis through the proxy, seat Y directly: pausing the proxy stops X's
    // handlers at their first Redis command, so X holds what RabbitMQ delivers to it, unacknowledged.
    const o = await open({ redisUrl: (seat) => (seat === 0 ? redisProxy.url(REDIS_URL) : REDIS_URL) });
    const [x, y] = o.seats as [TestRingside, TestRingside];
    await y.api('POST', '/api/helplines', { body: { number: HELPLINE, name: 'Support' } });
    const alice = await y.agent('alice', { devices: [MAC_A], name: 'Alice', helplines: [HELPLINE] });
    const bob = await y.agent('bob', { devices: [MAC_B], name: 'Bob', helplines: [HELPLINE] });
    await o.settle();

    await takeAway(redisProxy);
    // Each call's events go through one seat (its outbox keeps their order); calls alternate between the seats.
    const answeredByAlice = [newCaller(), newCaller(), newCaller(), newCaller()];
    const answeredByBob = [newCaller(), newCaller()];
    const missed = [newCaller(), newCaller()];
    const script = (seat: TestRingside, caller: string, steps: Array<[event: string, mac: string]>) => ({ seat, caller, steps });
    const calls = [
      ...answeredByAlice.map((c, i) => script(i % 2 ? y : x, c, [['incoming', MAC_A], ['answered', MAC_A], ['hangup', MAC_A]])),
      ...answeredByBob.map((c, i) => script(i % 2 ? x : y, c, [['incoming', MAC_A], ['incoming', MAC_B], ['answered', MAC_B], ['missed', MAC_A], ['hangup', MAC_B]])),
      ...missed.map((c, i) => script(i % 2 ? y : x, c, [['incoming', MAC_A], ['incoming', MAC_B], ['missed', MAC_A], ['missed', MAC_B]])),
    ];
    await Promise.all(calls.map(async ({ seat, caller, steps }) => {
      for (const [event, mac] of steps) await ok(seat, event, params(mac, caller));
    }));
    const total = acknowledged.length;

    // Wait until both outboxes forwarded everything and RabbitMQ handed it all out: X, the active
    // consumer of every shard (it subscribed first), holds every event unacknowledged.
    const broker = await connect(AMQP_URL);
    try {
      const channel = await broker.createChannel();
      const queues = shardQueues(resolveTopology({ exchange: o.root, queue: `${o.root}-queue`, shards: OFFICE_SHARDS }));
      const ready = async () => (await Promise.all(queues.map((q) => channel.checkQueue(q)))).reduce((n, q) => n + q.messageCount, 0);
      // Polled: no event reaches the test from the broker's queues.
      const held = await eventually('both spools empty and no message ready in the shard queues', async () => ({ x: (await health(x)).spoolDepth, y: (await health(y)).spoolDepth, ready: await ready() }),
        (s) => s.x === 0 && s.y === 0 && s.ready === 0);
      expect(held).toEqual({ x: 0, y: 0, ready: 0 });
    } finally {
      await broker.close();
    }
    expect(await handledBy(y)).toBe(0);
    expect(await handledBy(x)).toBe(0);

    // X is stopped now, with Redis still away: after its grace period it gives up the handlers
    // that wait for Redis without acknowledging their events, so every delivery it holds goes
    // back to its queue, and Y (which reaches Redis directly) takes them.
    await o.stopSeat(x);
    redisProxy.resume();
    await o.settle();
    o.advance(MISSED_DELAY_MS + 1_000);
    await o.settle();

    expect(await handledBy(y)).toBeGreaterThan(0);
    expect((await handledBy(x)) + (await handledBy(y))).toBeGreaterThanOrEqual(total);
    expect(unappliedEvents(o, acknowledged)).toEqual([]);
    for (const caller of answeredByAlice) {
      const rows = await callsFrom(y, caller);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'answered', agent: 'alice' });
      expect(rows[0]!.legs.map((l) => [l.mac, l.state])).toEqual([[A, 'ended']]);
    }
    for (const caller of answeredByBob) {
      const rows = await callsFrom(y, caller);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'answered', agent: 'bob' });
      expect(rows[0]!.legs.map((l) => [l.mac, l.state]).sort()).toEqual([[A, 'missed'], [B, 'ended']]);
    }
    const clients = { alice, bob };
    for (const caller of missed) {
      const rows = await callsFrom(y, caller);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'missed' });
      const records = await missedCallsFrom(y, caller);
      expect(records).toHaveLength(1);
      // The agents it was offered to were told once each; the others not at all.
      expect(records[0]!.targets.length).toBeGreaterThan(0);
      for (const [agent, client] of Object.entries(clients)) {
        if (records[0]!.targets.includes(agent)) await client.callMessage('call.missed', caller);
        expect(client.received('call.missed').filter((m) => (m.call as { remote: string }).remote === caller))
          .toHaveLength(records[0]!.targets.includes(agent) ? 1 : 0);
      }
    }
    const stats = await y.api<{ items: Array<{ agent: string; answered: number }> }>('GET', '/api/stats');
    const answeredBy = Object.fromEntries(stats.body.items.map((s) => [s.agent, s.answered]));
    expect(answeredBy).toMatchObject({ alice: answeredByAlice.length, bob: answeredByBob.length });
  });

  it('a UI is told when Redis goes away and when it is back; seats whose handlers wait for Redis still shut down, and a seat started later applies their events', async () => {
    const o = await open({ redisUrl: () => redisProxy.url(REDIS_URL) });
    const { x, alice } = await helplineOnTwoSeats(o);

    const beforeOutage = alice.mark();
    await takeAway(redisProxy);
    const down = await alice.next((m) => m.type === 'health' && m.redis === 'down', 'a health message with Redis down', { since: beforeOutage });
    expect(down).toMatchObject({ status: 'degraded' });
    redisProxy.resume();
    await alice.next((m) => m.type === 'health' && m.redis === 'up', 'a health message with Redis up again', { since: alice.messages.indexOf(down) + 1 });

    await takeAway(redisProxy);
    const caller = newCaller();
    await ok(x, 'incoming', params(MAC_A, caller));
    // Forwarded to RabbitMQ and delivered to a seat, whose handler now waits for Redis.
    await eventually("seat x's spool empty and no message ready in the shard queues", async () => (await health(x)).spoolDepth + (await readyMessages(o)), (n) => n === 0);
    for (const seat of [...o.seats]) await o.stopSeat(seat);

    redisProxy.resume();
    const z = await o.addSeat();
    await o.settle();
    expect(unappliedEvents(o, acknowledged)).toEqual([]);
    expect(await callsFrom(z, caller)).toHaveLength(1);
    // Each stopping seat gives its stuck handlers a grace period before interrupting them.
  }, 60_000);

  /** Ready (not yet delivered) messages in the office's shard queues. */
  async function readyMessages(o: Office): Promise<number> {
    const broker = await connect(AMQP_URL);
    try {
      const channel = await broker.createChannel();
      const topology = resolveTopology({ exchange: o.root, queue: `${o.root}-queue`, shards: OFFICE_SHARDS });
      let ready = 0;
      for (const queue of shardQueues(topology)) ready += (await channel.checkQueue(queue)).messageCount;
      return ready;
    } finally {
      await broker.close();
    }
  }
});

/** Events a seat's consumer handled (its own metric). */
async function handledBy(seat: TestRingside): Promise<number> {
  const metric = await seat.instance.metrics.eventsHandled.get();
  return metric.values.filter((v) => v.labels.outcome === 'ok').reduce((n, v) => n + v.value, 0);
}
