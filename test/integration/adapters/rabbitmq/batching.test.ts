import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { RabbitConsumer } from '../../../../src/adapters/rabbitmq/RabbitConsumer';
import { shardOf, shardQueues } from '../../../../src/adapters/rabbitmq/topology';
import { orderingKey, type CallEvent } from '../../../../src/domain/events/CallEvent';
import { callEvent } from '../../../contracts/support';
import { ackedTags, BASIC_ACK, BASIC_PUBLISH, tappingConnector, type WireTap } from '../../../support/amqpWire';
import { exited, startChildUntil } from '../../../support/childProcess';
import { RabbitTestRig, TEST_SHARDS } from '../../../support/rabbit';
import { AMQP_URL } from '../../../support/services';
import { deferred, waitFor } from '../../../support/wait';
import { handledDb, readHandled } from './fixtures/handledDb';

const CHILD = 'test/integration/adapters/rabbitmq/fixtures/batchChild.ts';

/** Resolves once the acks written on `tap` cover every tag of `tags`. */
function acksCover(tap: WireTap, tags: number[]): Promise<void> {
  const acked = () => ackedTags(tap.methods(BASIC_ACK));
  return waitFor<void>(`acks for delivery tags ${tags.join(', ')}`, (resolve) => {
    const check = () => {
      const covered = acked();
      if (tags.every((tag) => covered.has(tag))) resolve();
    };
    tap.onWrite = check;
    check();
    return () => {
      tap.onWrite = () => undefined;
    };
  }, { seen: () => `acked: ${[...acked()].join(', ')}` });
}

/** `count` events of distinct keys that go to the same shard queue as `first`. */
function sameShard(first: CallEvent, count: number, prefix: string): CallEvent[] {
  const shard = shardOf(orderingKey(first), TEST_SHARDS);
  const found: CallEvent[] = [];
  for (let i = 0; found.length < count; i++) {
    const event = callEvent({ remote: `${prefix}${i}` });
    if (shardOf(orderingKey(event), TEST_SHARDS) === shard) found.push(event);
  }
  return found;
}

describe('RabbitMQ consumer: batched acks and corked writes', () => {
  let rig: RabbitTestRig;

  beforeEach(() => {
    rig = new RabbitTestRig();
  });
  afterEach(async () => {
    await rig.cleanup();
  });

  async function queuedMessages(): Promise<number> {
    const channel = await rig.channel();
    const counts = await Promise.all(shardQueues(rig.topology).map((queue) => channel.checkQueue(queue)));
    return counts.reduce((sum, count) => sum + count.messageCount, 0);
  }

  it('acks the deliveries that finish in one turn with a single multiple ack', async () => {
    const wire = tappingConnector();
    const bus = await rig.openBus({ connect: wire.connect });
    const events = Array.from({ length: 64 }, (_, i) => callEvent({ remote: `7100${i}` }));
    await bus.publish(events);
    // Every handler waits until all 64 started, so all finish in the same turn.
    const allStarted = deferred('every handler to start');
    let started = 0;
    const consumer = bus.consume(async () => {
      if (++started === events.length) allStarted.resolve();
      await allStarted.promise;
    }, { concurrency: 64 });
    await consumer.drained();
    await consumer.stop();
    const acks = wire.taps[0]!.methods(BASIC_ACK).map((frame) => [frame.deliveryTag, frame.multiple]);
    expect(acks).toEqual([[64, true]]);
    // Acked for real: closing the consumer's channel gave nothing back to the queues.
    expect(await queuedMessages()).toBe(0);
  });

  it("writes the frames of one turn to the socket in one write (amqplib's mux corked)", async () => {
    const wire = tappingConnector();
    await rig.openBus({ connect: wire.connect });
    const tap = wire.taps[0]!;
    const channel = await tap.model.createChannel();
    for (let i = 0; i < 50; i++) channel.publish(rig.names.exchange, 'bound.to.nothing', Buffer.from(`message ${i}`));
    // A round trip on the same channel: its request is written after the publishes.
    await channel.checkExchange(rig.names.exchange);
    expect(tap.methods(BASIC_PUBLISH)).toHaveLength(50);
    expect(tap.writesCarrying(BASIC_PUBLISH)).toBe(1);
    await channel.close();
  });

  it('acks the others of a batch while a poison event is retried, then dead-letters it', async () => {
    const wire = tappingConnector();
    // Prefetch 4: the broker hands out the others only as fast as they are acked.
    const bus = await rig.openBus({ connect: wire.connect, prefetch: 4 });
    const poison = callEvent({ remote: '7200' });
    const others = sameShard(poison, 12, '721');
    await bus.publish([poison]); // first in its queue, the only queue with messages: delivery tag 1
    await bus.publish(others);
    const handled: string[] = [];
    const othersHandled = deferred('the other events to be handled');
    const poisonGate = deferred('the test to let the poison fail again');
    onTestFinished(() => poisonGate.resolve()); // lets the consumer stop should an assertion fail first
    let poisonRuns = 0;
    const consumer = bus.consume(async (event) => {
      if (event.id === poison.id) {
        if (++poisonRuns === 2) await poisonGate.promise;
        throw new Error('poison');
      }
      handled.push(event.id);
      if (handled.length === others.length) othersHandled.resolve();
    }, { concurrency: 64, maxAttempts: 3, retryDelayMs: 1 }) as RabbitConsumer;

    await othersHandled.wait();
    const tap = wire.taps[0]!;
    await acksCover(tap, others.map((_, i) => i + 2));
    // The poison, still held, was never covered: no multiple ack (tag 1 is the lowest), no ack of tag 1.
    expect(tap.methods(BASIC_ACK).filter((frame) => frame.multiple || frame.deliveryTag === 1)).toEqual([]);
    expect(consumer.held).toBe(1);

    poisonGate.resolve();
    await consumer.drained();
    expect(poisonRuns).toBe(3);
    expect(await bus.deadLetters()).toEqual([poison]);
    expect(handled.sort()).toEqual(others.map((event) => event.id).sort());
    await consumer.stop();
    expect(await queuedMessages()).toBe(0);
  });

  it('keeps per-key order and handles each event once when the connection drops mid-batch', async () => {
    const wire = tappingConnector();
    const bus = await rig.openBus({ connect: wire.connect });
    const keys = Array.from({ length: 16 }, (_, k) => `730${k}`);
    const events = Array.from({ length: 8 }, (_, n) => keys.map((remote) => callEvent({ remote, raw: { n: String(n) } }))).flat();
    await bus.publish(events);
    const runs = new Map<string, number>();
    const order = new Map<string, string[]>();
    const allHandled = deferred('every event to be handled');
    let finished = 0;
    const consumer = bus.consume(async (event) => {
      runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
      // Finishing over 0 to 2 turns mixes finished and held deliveries in every batch.
      for (let turn = 0; turn < Number(event.raw.n) % 3; turn++) await new Promise((resolve) => setImmediate(resolve));
      order.set(event.remote, [...(order.get(event.remote) ?? []), event.id]);
      if (++finished === 40) wire.drop(); // mid-batch: the pending acks of that channel are dropped
      if (runs.size === events.length) allHandled.resolve();
    }, { concurrency: 64 });
    await allHandled.wait();
    await consumer.drained();
    await consumer.stop();

    expect([...runs.values()].filter((count) => count !== 1)).toEqual([]);
    for (const remote of keys) expect(order.get(remote)).toEqual(events.filter((event) => event.remote === remote).map((event) => event.id));
    // One reconnect only: no ack ever went to a channel that did not deliver it (the broker would close it).
    expect(wire.taps).toHaveLength(2);
    expect(await queuedMessages()).toBe(0);
  });

  it('loses nothing and handles each event once when killed -9 between a commit and its batched ack', async () => {
    const bus = await rig.openBus();
    const held = callEvent({ remote: '7400' });
    const others = Array.from({ length: 20 }, (_, i) => callEvent({ remote: `741${i % 5}`, raw: { n: String(i) } }));
    const trigger = callEvent({ remote: '7420' });
    await bus.publish([held, ...others]);
    const dbFile = rig.ledgerFile('handled');
    const options = { url: AMQP_URL, ...rig.names, shards: TEST_SHARDS, reconnectDelayMs: 5, maxReconnectDelayMs: 50, drainPollMs: 20 };
    // The child's handler never finishes `held`; it prints once its acks cover the 20 others.
    const { child } = await startChildUntil(CHILD, [JSON.stringify(options), rig.ledgerFile('child'), dbFile, held.id, trigger.id, String(others.length)], 'acked ');
    await bus.publish([trigger]); // committed, then SIGKILL before the turn's ack
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');
    expect([...readHandled(dbFile).keys()].sort()).toEqual([...others, trigger].map((event) => event.id).sort());

    const again = await rig.openBus({ ledger: rig.openLedger('child') });
    const commit = handledDb(dbFile);
    const rest = deferred('the held and the trigger event to be handled after the restart');
    const seen = new Set<string>();
    const consumer = again.consume(async (event) => {
      commit(event.id);
      seen.add(event.id);
      if (seen.has(held.id) && seen.has(trigger.id)) rest.resolve();
    });
    await rest.wait();
    await consumer.drained();
    await consumer.stop();

    const runs = readHandled(dbFile);
    expect([...runs.keys()].sort()).toEqual([held, ...others, trigger].map((event) => event.id).sort());
    // The trigger came back (its ack never left) and met the idempotency; the acked ones did not come back.
    expect(runs.get(trigger.id)).toBe(2);
    expect(runs.get(held.id)).toBe(1);
    expect(others.map((event) => runs.get(event.id))).toEqual(others.map(() => 1));
    expect(await queuedMessages()).toBe(0);
  });
});
