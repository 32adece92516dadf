// An event's first delivery skips the handler's handled-marker read (issue 15): the relay marks
// a message as its event's first publish, and the consumer calls a delivery first only when that
// mark is there and the broker has not delivered the message before (src/adapters/rabbitmq/firstDelivery.ts).
// Everything else must count as maybe repeated, or a handled event could be handled again.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryInfo } from '../../../src/domain/bus/EventBus';
import { OutboxBus } from '../../../src/app/OutboxBus';
import type { RabbitMqBus } from '../../../src/adapters/rabbitmq/RabbitMqBus';
import { FIRST_PUBLISH_HEADER } from '../../../src/adapters/rabbitmq/firstDelivery';
import { routingKeyFor, shardOf, shardQueue } from '../../../src/adapters/rabbitmq/topology';
import { SqliteSpoolBus } from '../../../src/adapters/sqlite/spool/SqliteSpoolBus';
import { orderingKey, type CallEvent } from '../../../src/domain/events/CallEvent';
import { callEvent } from '../support';
import { makeTempDir } from '../../support/tmp';
import { RabbitTestRig, TEST_SHARDS } from '../../support/rabbit';
import { deferred, withTimeout } from '../../support/wait';

const RELAY = { relayRetryDelayMs: 1, relayMaxRetryDelayMs: 10 };

/** Every delivery a handler saw, in order, with what the bus said about it. */
function recorder() {
  const seen: Array<{ id: string; firstDelivery: boolean | undefined }> = [];
  const waiters: Array<{ n: number; done: () => void }> = [];
  const handler = async (event: CallEvent, delivery?: DeliveryInfo) => {
    seen.push({ id: event.id, firstDelivery: delivery?.firstDelivery });
    for (const waiter of waiters) if (seen.length >= waiter.n) waiter.done();
  };
  const count = (n: number) => {
    const reached = deferred<void>(`${n} deliveries`);
    if (seen.length >= n) reached.resolve();
    else waiters.push({ n, done: () => reached.resolve() });
    return withTimeout(reached.promise, `${n} deliveries to reach the handler`);
  };
  return { seen, handler, count };
}

describe('first deliveries (the handled-marker read skipped)', () => {
  let rig: RabbitTestRig;
  let tmp: ReturnType<typeof makeTempDir>;
  let file: string;
  let shared: RabbitMqBus;
  const outboxes: OutboxBus[] = [];

  beforeEach(async () => {
    rig = new RabbitTestRig();
    tmp = makeTempDir('ringside-first-delivery-');
    file = join(tmp.dir, 'outbox.db');
    shared = await rig.openBus({ ledger: rig.openLedger() });
  });
  afterEach(async () => {
    try {
      for (const outbox of outboxes.splice(0)) await outbox.close();
    } finally {
      await rig.cleanup();
      tmp.cleanup();
    }
  });

  it('an event this process spooled and relayed once is a first delivery; one it had to retry is not', async () => {
    const outbox = new OutboxBus(SqliteSpoolBus.open(file), shared, RELAY);
    outboxes.push(outbox);
    const { seen, handler, count } = recorder();
    const failOnce = new Set<string>();
    const consumer = outbox.consume(async (event, delivery) => {
      await handler(event, delivery);
      if (failOnce.delete(event.id)) throw new Error('failed the first time');
    });
    // A first event read to the end of the outbox file, so the next ones are handed over as written.
    await outbox.publish([callEvent({ remote: '801' })]);
    await consumer.drained();
    const plain = callEvent({ remote: '802' });
    const retried = callEvent({ remote: '803' });
    failOnce.add(retried.id);
    await outbox.publish([plain, retried]);
    await count(4);
    await consumer.drained();
    expect(seen.filter((s) => s.id === plain.id)).toEqual([{ id: plain.id, firstDelivery: true }]);
    expect(seen.filter((s) => s.id === retried.id)).toEqual([{ id: retried.id, firstDelivery: true }, { id: retried.id, firstDelivery: false }]);
    await consumer.stop();
  });

  it('events spooled by an earlier run and relayed after a restart are not: that run may have published them already', async () => {
    const earlier = SqliteSpoolBus.open(file);
    const events = [callEvent({ remote: '811' }), callEvent({ remote: '812' })];
    await earlier.publish(events);
    await earlier.close();
    const outbox = new OutboxBus(SqliteSpoolBus.open(file), shared, RELAY);
    outboxes.push(outbox);
    const { seen, handler, count } = recorder();
    const consumer = outbox.consume(handler);
    await count(2);
    expect(seen.map((s) => s.firstDelivery)).toEqual([false, false]);
    await consumer.stop();
  });

  it('an event published to RabbitMQ without the outbox is not, and a marked message the broker delivered before is not', async () => {
    const direct = callEvent({ remote: '821' });
    await shared.publish([direct]);
    // Published with the relay's mark, then taken and put back (requeued): the broker flags it redelivered.
    const requeued = callEvent({ remote: '822' });
    const marked = callEvent({ remote: '823' });
    const channel = await rig.channel();
    const markedPublish = (event: CallEvent) => channel.publish(rig.topology.exchange, routingKeyFor(rig.topology, event), Buffer.from(JSON.stringify(event)), {
      persistent: true, messageId: event.id, contentType: 'application/json', headers: { [FIRST_PUBLISH_HEADER]: true },
    });
    markedPublish(requeued);
    const queue = shardQueue(rig.topology, shardOf(orderingKey(requeued), TEST_SHARDS));
    const taken = await withTimeout((async () => {
      for (;;) {
        const message = await channel.get(queue, { noAck: false });
        if (message) return message;
      }
    })(), 'the marked message to be in its queue');
    channel.nack(taken, false, true);
    markedPublish(marked);
    const { seen, handler, count } = recorder();
    const consumer = shared.consume(handler);
    await count(3);
    expect(Object.fromEntries(seen.map((s) => [s.id, s.firstDelivery]))).toEqual({ [direct.id]: false, [requeued.id]: false, [marked.id]: true });
    await consumer.stop();
  });
});
