import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBusError, RabbitMqBus } from '../../../src/adapters/rabbitmq/RabbitMqBus';
import { reconnectDelay } from '../../../src/adapters/rabbitmq/AmqpConnection';
import { routingKeyFor, shardOf, shardQueue, shardQueues } from '../../../src/adapters/rabbitmq/topology';
import { orderingKey, type CallEvent } from '../../../src/domain/events/CallEvent';
import { CodedError } from '../../../src/shared/errors';
import { describeEventBusContract } from '../eventBusContract';
import { callEvent } from '../support';
import { RabbitTestRig, statusReached, TEST_SHARDS } from '../../support/rabbit';

// Both queue types (amqp.queueType): the contract holds on a single broker and on a cluster's
// quorum queues alike. The quorum queues' own rules are in RabbitMqBus.quorum.test.ts.
for (const queueType of ['classic', 'quorum'] as const) {
  describeEventBusContract(`RabbitMqBus (${queueType} queues)`, async () => {
    const rig = new RabbitTestRig({ queueType });
    const open = () => rig.openBus({ ledger: rig.openLedger() });
    return { bus: await open(), reopen: open, cleanup: () => rig.cleanup() };
  });
}

describe('RabbitMqBus topology and publishing', () => {
  let rig: RabbitTestRig;
  let bus: RabbitMqBus;

  beforeEach(async () => {
    rig = new RabbitTestRig();
    bus = await rig.openBus();
  });
  afterEach(async () => {
    await rig.cleanup();
  });

  it('publishes a persistent message carrying the event id to the shard queue of its ordering key', async () => {
    const event = callEvent({ remote: '5550123', type: 'answered' });
    await bus.publish([event]);
    const shard = shardOf(orderingKey(event), TEST_SHARDS);
    const channel = await rig.channel();
    const message = await channel.get(shardQueue(rig.topology, shard), { noAck: true });
    if (message === false) throw new Error(`nothing in shard ${shard}`);
    expect(message.properties.deliveryMode).toBe(2);
    expect(message.properties.messageId).toBe(event.id);
    expect(message.fields.exchange).toBe(rig.names.exchange);
    expect(message.fields.routingKey).toBe(`call.answered.${shard}`);
    expect(JSON.parse(message.content.toString('utf8'))).toEqual(event);
    for (const queue of shardQueues(rig.topology)) expect((await channel.checkQueue(queue)).messageCount).toBe(0);
  });

  it('sends every event of one call to the same shard, and spreads calls over the shards', () => {
    const topology = rig.topology;
    const call = ['incoming', 'answered', 'hangup'] as const;
    const shardsOfOneCall = new Set(call.map((type) => routingKeyFor(topology, callEvent({ remote: '5551234', type })).split('.')[2]));
    expect(shardsOfOneCall.size).toBe(1);
    const shards = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`acme|remote:${5550000 + i}`, TEST_SHARDS)));
    expect([...shards].sort()).toEqual([0, 1, 2, 3]);
    // FNV-1a test vectors: every process and every release must pick the same shard for a key.
    expect(shardOf('', 2 ** 32)).toBe(0x811c9dc5);
    expect(shardOf('a', 2 ** 32)).toBe(0xe40c292c);
    expect(shardOf('foobar', 2 ** 32)).toBe(0xbf9cf968);
  });

  it('declares each shard queue with a single active consumer and a dead-letter exchange, idempotently', async () => {
    const topology = rig.topology;
    for (const queue of shardQueues(topology)) {
      // RabbitMQ refuses a declare whose arguments differ from the queue's: proof of what it has.
      const channel = await rig.channel();
      await expect(channel.assertQueue(queue, { durable: true })).rejects.toThrow(/PRECONDITION_FAILED - inequivalent arg/);
      const same = await rig.channel();
      await same.assertQueue(queue, { durable: true, arguments: { 'x-single-active-consumer': true, 'x-dead-letter-exchange': topology.deadLetterExchange } });
    }
    const channel = await rig.channel();
    await channel.checkQueue(topology.deadLetterQueue);
    await channel.checkExchange(topology.deadLetterExchange);
    // A second bus on the same names declares the same topology without complaint.
    const again = await rig.openBus();
    expect(again.status()).toBe('up');
  });

  it('rejects with a typed error when the broker nacks a publish, and keeps publishing afterwards', async () => {
    const channel = await rig.channel();
    const full = `${rig.names.queue}.full`;
    await channel.assertQueue(full, { durable: false, autoDelete: false, maxLength: 0, overflow: 'reject-publish' });
    await channel.bindQueue(full, rig.names.exchange, 'call.#');
    const refused = bus.publish([callEvent()]);
    await expect(refused).rejects.toBeInstanceOf(EventBusError);
    await expect(refused).rejects.toBeInstanceOf(CodedError);
    await expect(refused).rejects.toMatchObject({ code: 'publish_nacked' });
    await channel.deleteQueue(full);
    await bus.publish([callEvent({ remote: '42' })]);
  });

  it('rejects an event no queue takes (mandatory: the broker returns it) and leaves the others of its batch confirmed', async () => {
    const channel = await rig.channel();
    const lost = callEvent({ remote: '7070' });
    const kept = [1, 2, 3].map((n) => callEvent({ remote: `71${n}` })).filter((e) => shardOf(orderingKey(e), TEST_SHARDS) !== shardOf(orderingKey(lost), TEST_SHARDS));
    const shard = shardOf(orderingKey(lost), TEST_SHARDS);
    // The shard queue's binding (topology.ts) gone: the lost event's routing key reaches no queue.
    await channel.unbindQueue(shardQueue(rig.topology, shard), rig.topology.exchange, `call.*.${shard}`);
    try {
      const refused = bus.publish([lost, ...kept]);
      await expect(refused).rejects.toMatchObject({ code: 'publish_unroutable' });
      const refusedIds = await refused.catch((err: { refused: Map<string, unknown> }) => [...err.refused.keys()]);
      expect(refusedIds).toEqual([lost.id]);
    } finally {
      await channel.bindQueue(shardQueue(rig.topology, shard), rig.topology.exchange, `call.*.${shard}`);
    }
  });

  it('publishes an event again after a publish of it failed (the outbox relay retries)', async () => {
    const channel = await rig.channel();
    const full = `${rig.names.queue}.full`;
    await channel.assertQueue(full, { durable: false, maxLength: 0, overflow: 'reject-publish' });
    await channel.bindQueue(full, rig.names.exchange, 'call.#');
    const event = callEvent({ remote: '9090' });
    await expect(bus.publish([event])).rejects.toMatchObject({ code: 'publish_nacked' });
    await channel.deleteQueue(full);
    const shard = shardQueue(rig.topology, shardOf(orderingKey(event), TEST_SHARDS));
    const before = (await channel.checkQueue(shard)).messageCount;
    await bus.publish([event]);
    expect((await channel.checkQueue(shard)).messageCount).toBe(before + 1);
  });

  it('rejects an event without an id or with a type that is not a routing-key word', async () => {
    await expect(bus.publish([{ ...callEvent(), id: '' }])).rejects.toThrow(/id/);
    await expect(bus.publish([{ ...callEvent(), type: 'in.coming' } as unknown as CallEvent])).rejects.toThrow(/type/);
    expect(await bus.depth()).toBe(0);
  });

  it('rejects at once with a typed error while RabbitMQ is unreachable; close() stops the reconnecting', async () => {
    const offline = rig.createBus({ url: 'amqp://guest:guest@127.0.0.1:1', reconnectDelayMs: 1, maxReconnectDelayMs: 5 });
    await statusReached(offline, 'down');
    await expect(offline.publish([callEvent()])).rejects.toMatchObject({ name: 'EventBusError', code: 'bus_unavailable' });
    await expect(offline.depth()).rejects.toMatchObject({ code: 'bus_unavailable' });
    await expect(offline.deadLetters()).rejects.toMatchObject({ code: 'bus_unavailable' });
    await offline.close();
    expect(offline.status()).toBe('down');
    await expect(offline.publish([callEvent()])).rejects.toMatchObject({ code: 'bus_closed' });
  });

  it('open() gives up with a typed error when the broker cannot be reached in time', async () => {
    await expect(RabbitMqBus.open({ url: 'amqp://guest:guest@127.0.0.1:1', connectTimeoutMs: 50, reconnectDelayMs: 1 })).rejects.toMatchObject({ code: 'bus_unavailable' });
  });

  it('reconnect delays double per failure, stay under the cap and are jittered', () => {
    expect(reconnectDelay(0, 100, 30_000, () => 0)).toBe(50);
    expect(reconnectDelay(0, 100, 30_000, () => 1)).toBe(100);
    expect(reconnectDelay(3, 100, 30_000, () => 1)).toBe(800);
    expect(reconnectDelay(50, 100, 30_000, () => 1)).toBe(30_000);
    expect(reconnectDelay(50, 100, 30_000, () => 0)).toBe(15_000);
  });

  it('keeps the dead letters in the queue when they are read (nothing is consumed for good)', async () => {
    const poison = callEvent({ remote: '7100', raw: { poison: '1' } });
    await bus.publish([poison]);
    const consumer = bus.consume(async () => { throw new Error('never works'); }, { retryDelayMs: 1, maxAttempts: 2 });
    await consumer.drained();
    await consumer.stop();
    expect(await bus.deadLetters()).toEqual([poison]);
    expect(await bus.deadLetters()).toEqual([poison]);
    const channel = await rig.channel();
    const dead = await channel.get(rig.topology.deadLetterQueue, { noAck: true });
    if (dead === false) throw new Error('dead-letter queue empty');
    expect(dead.properties.messageId).toBe(poison.id);
    expect(dead.properties.deliveryMode).toBe(2);
    expect(dead.properties.headers).toMatchObject({ 'x-ringside-attempts': 2, 'x-ringside-error': 'never works' });
  });
});
