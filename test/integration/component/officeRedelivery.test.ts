import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RabbitMqBus } from '../../../src/adapters/rabbitmq/RabbitMqBus';
import type { CallEvent } from '../../../src/domain/events/CallEvent';
import { TestCrmServer } from '../../support/crmServer';
import { OFFICE_SHARDS, startOffice, type Office } from '../../support/office';
import type { TestRingside } from '../../support/ringside';
import { AMQP_URL } from '../../support/services';
import { callsFrom, MAC_A } from './fixtures';

const CALLER = '+923331112223';

/** Events a seat's consumer gave its handler (a delivery the bus ledger drops never gets there). */
async function handlerRuns(seat: TestRingside): Promise<number> {
  const metric = await seat.instance.metrics.eventsHandled.get();
  return metric.values.filter((v) => v.labels.outcome === 'ok').reduce((sum, v) => sum + v.value, 0);
}

/**
 * A handled event that RabbitMQ delivers again (a connection lost before the ack, a restart) does
 * nothing a second time: no popup, no caller-card lookup, no change to the call. On the process
 * that handled it, the bus's in-memory ledger acks it without running the handler; on another
 * process the handler stops at its first step, the call log's handled marker.
 */
describe('an office: a handled event delivered again', () => {
  let crm: TestCrmServer;
  let office: Office;
  beforeEach(async () => {
    crm = await TestCrmServer.start();
    office = await startOffice(2, { crmLookupUrl: crm.urlTemplate, crmLookupTimeoutMs: 10_000 });
  });
  afterEach(async () => {
    await office.stop();
    await crm.close();
  });

  /** Publishes the event as a seat's outbox would, from a publisher of its own (a publisher drops an id it sent itself). */
  async function deliver(event: CallEvent): Promise<void> {
    const amqp = office.shared.amqp as { exchange: string; queue: string };
    const bus = await RabbitMqBus.open({ url: AMQP_URL, exchange: amqp.exchange, queue: amqp.queue, shards: OFFICE_SHARDS });
    try {
      await bus.publish([event]);
    } finally {
      await bus.close();
    }
  }

  it('is acked unhandled by the seat that handled it, and changes nothing on the seat that takes over', async () => {
    const [x, y] = office.seats as [TestRingside, TestRingside];
    // Alice's screen is on seat Y: it stays up when seat X, the shard queues' active consumer, goes.
    const alice = await y.agent('alice', { devices: [MAC_A], name: 'Alice' });
    const event: CallEvent = {
      id: ulid(), account: x.config.account, type: 'incoming', receivedAt: Date.now(), device: { mac: MAC_A.replaceAll(':', ''), ip: '10.0.0.5' },
      callId: null, local: '201', remote: CALLER, displayRemote: 'Customer', activeUser: '', transferKind: null, raw: {},
    };

    await deliver(event);
    await office.settle();
    await alice.callMessage('call.ringing', CALLER);
    expect(crm.count(CALLER)).toBe(1);
    const [handledByX, handledByY] = [await handlerRuns(x), await handlerRuns(y)];
    expect(handledByX).toBeGreaterThan(0);
    expect(handledByY).toBe(0);
    const call = await callsFrom(y, CALLER);

    await deliver(event);
    await office.settle();
    expect(await handlerRuns(x)).toBe(handledByX);

    await office.stopSeat(x);
    await deliver(event);
    await office.settle();
    expect(await handlerRuns(y)).toBe(1);

    expect(crm.count(CALLER)).toBe(1);
    expect(alice.received('call.ringing').filter((m) => (m.call as { remote: string }).remote === CALLER)).toHaveLength(1);
    expect(await callsFrom(y, CALLER)).toEqual(call);
  });
});
