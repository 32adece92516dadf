// The shard queues as quorum queues (amqp.queueType quorum, docs/architecture.md, Quorum queues):
// their declaration, the broker's delivery limit for a poison event that kills its consumer, and
// a queue that already exists with the other type.
import { connect } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../../src/domain/events/CallEvent';
import { orderingKey } from '../../../src/domain/events/CallEvent';
import { shardOf, shardQueue, shardQueues } from '../../../src/adapters/rabbitmq/topology';
import { createLogger } from '../../../src/shared/logger';
import { callEvent } from '../support';
import { droppableConnector, RabbitTestRig, TEST_SHARDS } from '../../support/rabbit';
import { eventually } from '../../support/wait';

/** Events of distinct calls that all fall in `shard`. */
function eventsOfShard(shard: number, count: number): CallEvent[] {
  const events: CallEvent[] = [];
  for (let remote = 7400; events.length < count; remote++) {
    const event = callEvent({ remote: String(remote) });
    if (shardOf(orderingKey(event), TEST_SHARDS) === shard) events.push(event);
  }
  return events;
}

/** A logger whose lines the test reads. */
function capturingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) } });
  return { logger, errors: () => lines.filter((line) => line.level >= 50).map((line) => line.msg) };
}

describe('RabbitMqBus on quorum queues', () => {
  let rig: RabbitTestRig;
  afterEach(async () => {
    await rig.cleanup();
  });

  it('declares the shard queues as quorum queues with a single active consumer, dead-lettering and a delivery limit', async () => {
    rig = new RabbitTestRig({ queueType: 'quorum', deliveryLimit: 3 });
    await rig.openBus();
    const topology = rig.topology;
    for (const queue of shardQueues(topology)) {
      // RabbitMQ refuses a declare whose arguments differ from the queue's: proof of what it has.
      const classic = await rig.channel();
      await expect(classic.assertQueue(queue, { durable: true, arguments: { 'x-single-active-consumer': true } })).rejects.toThrow(/PRECONDITION_FAILED - inequivalent arg/);
      const same = await rig.channel();
      await same.assertQueue(queue, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum', 'x-single-active-consumer': true, 'x-dead-letter-exchange': topology.deadLetterExchange,
          'x-delivery-limit': 3, 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish',
        },
      });
    }
    const dead = await rig.channel();
    await dead.assertQueue(topology.deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  });

  it('dead-letters a poison event that kills its consumer once it reaches the delivery limit; the next events of its shard go through', async () => {
    rig = new RabbitTestRig({ queueType: 'quorum', deliveryLimit: 2 });
    const connector = droppableConnector();
    // One delivery at a time per shard: the events behind the poison wait until it is set aside.
    const bus = await rig.openBus({ connect: connector.connect, prefetch: 1, ledger: rig.openLedger() });
    const poison = callEvent({ remote: '7300', raw: { poison: '1' } });
    const next = eventsOfShard(shardOf(orderingKey(poison), TEST_SHARDS), 3);
    await bus.publish([poison, ...next]);
    let poisonDeliveries = 0;
    const handled: string[] = [];
    const consumer = bus.consume(async (event) => {
      if (event.raw.poison) {
        poisonDeliveries++;
        // As a process that dies on this event: its connection goes, and the broker takes the delivery back.
        connector.drop();
        throw new Error('the process died');
      }
      handled.push(event.id);
    });
    await consumer.drained();
    expect(handled).toEqual(next.map((event) => event.id));
    // Delivered, given back twice (the limit), then set aside by the broker on the third return.
    expect(poisonDeliveries).toBe(3);
    expect(await bus.deadLetters()).toEqual([poison]);
    const channel = await rig.channel();
    const dead = await channel.get(rig.topology.deadLetterQueue, { noAck: true });
    if (dead === false) throw new Error('dead-letter queue empty');
    expect(dead.properties.messageId).toBe(poison.id);
    expect(dead.properties.headers).toMatchObject({ 'x-first-death-reason': 'delivery_limit', 'x-first-death-queue': shardQueue(rig.topology, shardOf(orderingKey(poison), TEST_SHARDS)) });
    await consumer.stop();
  });

  it('names the queue and the setting when the queues exist as classic ones, and says it once while it keeps trying', async () => {
    rig = new RabbitTestRig();
    await rig.openBus();
    const refused = rig.openBus({ queueType: 'quorum' });
    await expect(refused).rejects.toMatchObject({ name: 'EventBusError', code: 'topology_mismatch' });
    await expect(refused).rejects.toThrow(`RabbitMQ queue '${shardQueue(rig.topology, 0)}' exists as a classic queue, but amqp.queueType (RINGSIDE_AMQP_QUEUE_TYPE) is quorum`);

    // In the background, as the server runs it: down (not crashing), the reason said once, retried.
    const { logger, errors } = capturingLogger();
    let attempts = 0;
    const bus = rig.createBus({
      queueType: 'quorum', logger,
      connect: (url, socketOptions) => {
        attempts++;
        return connect(url, socketOptions);
      },
    });
    await eventually('a third connection attempt', () => attempts, (count) => count >= 3);
    expect(errors()).toEqual([expect.stringContaining(`RabbitMQ queue '${shardQueue(rig.topology, 0)}' exists as a classic queue`)]);
    expect(bus.status()).not.toBe('up');
    await expect(bus.probe()).rejects.toThrow(/exists as a classic queue, but amqp.queueType \(RINGSIDE_AMQP_QUEUE_TYPE\) is quorum/);
  });

  it('names the setting the other way round: quorum queues, and a server configured for classic ones', async () => {
    rig = new RabbitTestRig({ queueType: 'quorum' });
    await rig.openBus();
    await expect(rig.openBus({ queueType: 'classic' })).rejects.toThrow(
      `RabbitMQ queue '${shardQueue(rig.topology, 0)}' exists as a quorum queue, but amqp.queueType (RINGSIDE_AMQP_QUEUE_TYPE) is classic: set RINGSIDE_AMQP_QUEUE_TYPE=quorum on every server`,
    );
  });
});
