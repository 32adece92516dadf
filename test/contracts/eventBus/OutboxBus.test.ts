import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventBus } from '../../../src/domain/bus/EventBus';
import { OutboxBus } from '../../../src/app/OutboxBus';
import type { RabbitMqBus } from '../../../src/adapters/rabbitmq/RabbitMqBus';
import { SqliteSpoolBus } from '../../../src/adapters/sqlite/spool/SqliteSpoolBus';
import { orderingKey, type CallEvent } from '../../../src/domain/events/CallEvent';
import { describeEventBusContract } from '../eventBusContract';
import { callEvent } from '../support';
import { AMQP_URL } from '../../support/services';
import { startTcpProxy, targetOf, type TcpProxy } from '../../support/tcpProxy';
import { makeTempDir } from '../../support/tmp';
import { RabbitTestRig } from '../../support/rabbit';
import { waitFor } from '../../support/wait';

/** Short relay backoff: the suite stays fast, and an outage of a moment costs the relay many attempts. */
const RELAY = { relayRetryDelayMs: 1, relayMaxRetryDelayMs: 10 };

describeEventBusContract('OutboxBus (SQLite outbox relayed to RabbitMqBus)', async () => {
  const rig = new RabbitTestRig();
  const tmp = makeTempDir('ringside-outbox-');
  const file = join(tmp.dir, 'outbox.db');
  const opened: OutboxBus[] = [];
  // A reopen is a restart of the process: a new spool on the same file, a new RabbitMqBus on the
  // same exchange, queues and handled-event ledger.
  const open = async () => {
    const shared = await rig.openBus({ ledger: rig.openLedger() });
    const bus = new OutboxBus(SqliteSpoolBus.open(file), shared, RELAY);
    opened.push(bus);
    return bus;
  };
  return {
    bus: await open(),
    reopen: open,
    cleanup: async () => {
      try {
        for (const bus of opened.splice(0)) await bus.close();
      } finally {
        await rig.cleanup();
        tmp.cleanup();
      }
    },
  };
});

/** The shared bus as the relay sees it, counting the publishes RabbitMQ did not confirm, per event. */
class CountingBus implements EventBus {
  readonly failures = new Map<string, number>();
  private checks: Array<() => void> = [];

  constructor(private readonly inner: RabbitMqBus) {}

  async publish(events: readonly CallEvent[]): Promise<void> {
    try {
      await this.inner.publish(events);
    } catch (err) {
      for (const event of events) this.failures.set(event.id, (this.failures.get(event.id) ?? 0) + 1);
      // After the relay recorded this failure (retry, or set aside) in the outbox.
      setImmediate(() => {
        for (const check of this.checks) check();
      });
      throw err;
    }
  }

  /**
   * Resolves once every one of `ids` failed to be confirmed at least `times` times; rejects as
   * soon as, after a failure, `setAside()` says the relay gave an event up, or after WAIT_MS.
   */
  failedAtLeast(ids: string[], times: number, setAside: () => Promise<boolean>): Promise<void> {
    return waitFor<void>(`each of ${ids.length} events to fail confirmation ${times} times`, (resolve, reject) => {
      const check = () => {
        void setAside().then((gaveUp) => {
          if (!this.checks.includes(check)) return;
          if (gaveUp || ids.every((id) => (this.failures.get(id) ?? 0) >= times)) this.checks = this.checks.filter((c) => c !== check);
          if (gaveUp) reject(new Error(`the relay set an event aside while the broker was away (failures: ${JSON.stringify([...this.failures.values()])})`));
          else if (!this.checks.includes(check)) resolve();
        }, reject);
      };
      this.checks.push(check);
      check();
      return () => {
        this.checks = this.checks.filter((c) => c !== check);
      };
    }, { seen: () => `failures so far: ${JSON.stringify(ids.map((id) => this.failures.get(id) ?? 0))}` });
  }

  consume: EventBus['consume'] = (handler, options) => this.inner.consume(handler, options);
  depth = () => this.inner.depth();
  deadLetters = () => this.inner.deadLetters();
  close = () => this.inner.close();
}

describe('OutboxBus while RabbitMQ is unreachable', () => {
  let rig: RabbitTestRig;
  let proxy: TcpProxy;
  let tmp: ReturnType<typeof makeTempDir>;
  let spool: SqliteSpoolBus;
  let shared: CountingBus;
  let bus: OutboxBus;

  beforeEach(async () => {
    rig = new RabbitTestRig();
    proxy = await startTcpProxy(targetOf(AMQP_URL, 5672));
    tmp = makeTempDir('ringside-outbox-');
    spool = SqliteSpoolBus.open(join(tmp.dir, 'outbox.db'));
    // The consumer's bus and the relay's bus are one RabbitMqBus behind the proxy, as in Ringside.
    shared = new CountingBus(await rig.openBus({ url: proxy.url(AMQP_URL), ledger: rig.openLedger() }));
    bus = new OutboxBus(spool, shared, RELAY);
  });
  afterEach(async () => {
    // The broker comes back first, so that a test that failed mid-outage still closes at once.
    proxy.resume();
    try {
      await bus.close();
      await proxy.close();
    } finally {
      await rig.cleanup();
      tmp.cleanup();
    }
  });

  const spoolAttempts = (): Map<string, number> => {
    const db = new Database(join(tmp.dir, 'outbox.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, attempts FROM spool_events').all() as Array<{ id: string; attempts: number }>;
      return new Map(rows.map((row) => [row.id, row.attempts]));
    } finally {
      db.close();
    }
  };

  it('publish() resolves from the local outbox, the outbox grows, and after the broker returns every event is handled once, in order per call, none dead', async () => {
    const MAX_ATTEMPTS = 2;
    const handled: CallEvent[] = [];
    const consumer = bus.consume(async (event) => { handled.push(event); }, { maxAttempts: MAX_ATTEMPTS, retryDelayMs: 1 });
    await consumer.drained();

    // The broker goes away: the bus's connection is cut, and its reconnects are refused.
    const cut = proxy.pause({ newConnections: 'refuse' });
    expect(cut).toBe(1);
    await proxy.arrivals(1);

    const remotes = ['4101', '4102', '4103', '4104'];
    const types = ['incoming', 'answered', 'hold', 'unhold', 'hangup'] as const;
    const calls = remotes.map((remote) => types.map((type, n) => callEvent({ remote, type, raw: { n: String(n) } })));
    const [firstHalf, secondHalf] = [calls.map((events) => events.slice(0, 2)), calls.map((events) => events.slice(2))];

    // Every publish resolves while the broker is away: the event is durable in the local outbox.
    for (const event of firstHalf.flat()) await bus.publish([event]);
    expect(await bus.outboxDepth()).toBe(firstHalf.flat().length);
    await Promise.all(secondHalf.flat().map((event) => bus.publish([event])));
    expect(await bus.outboxDepth()).toBe(calls.flat().length);

    // The relay keeps trying: the first event of every call fails to be confirmed many more times
    // than the consumer's maxAttempts, and none of them is set aside.
    const heads = calls.map((events) => events[0]!.id);
    await shared.failedAtLeast(heads, MAX_ATTEMPTS * 5, async () => (await spool.deadLetters()).length > 0);
    expect(handled).toEqual([]);
    expect(await spool.deadLetters()).toEqual([]);
    expect(await bus.outboxDepth()).toBe(calls.flat().length);

    proxy.resume();
    await consumer.drained();

    const ids = handled.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(calls.flat().map((event) => event.id).sort());
    for (const events of calls) {
      const key = orderingKey(events[0]!);
      expect(handled.filter((event) => orderingKey(event) === key).map((event) => event.id)).toEqual(events.map((event) => event.id));
    }
    expect(await bus.outboxDepth()).toBe(0);
    expect(await bus.depth()).toBe(0);
    expect(await spool.deadLetters()).toEqual([]);
    expect(await bus.deadLetters()).toEqual([]);
    // The outbox kept count of the relay's attempts on each head event, and still forwarded it.
    const attempts = spoolAttempts();
    for (const id of heads) expect(attempts.get(id)).toBeGreaterThanOrEqual(MAX_ATTEMPTS * 5);
    await consumer.stop();
  });

  it('events being relayed when the connection is cut are each handled once, in order per call, after the broker returns', async () => {
    const handled: string[] = [];
    const consumer = bus.consume(async (event) => { handled.push(event.id); }, { maxAttempts: 2, retryDelayMs: 1 });
    await consumer.drained();

    // The cut comes as soon as the events are in the outbox, while the relay forwards them: a
    // publish the broker took but whose confirm was lost is sent again, and the consumer's ledger
    // drops the second copy. Here the broker comes back by letting the held reconnect through.
    const events = Array.from({ length: 60 }, (_, i) => callEvent({ remote: `42${i % 6}`, raw: { n: String(i) } }));
    await Promise.all(events.map((event) => bus.publish([event])));
    proxy.pause({ newConnections: 'hold' });
    await proxy.arrivals(1);
    const late = callEvent({ remote: '4299' });
    await bus.publish([late]);
    expect(await bus.outboxDepth()).toBeGreaterThan(0);
    proxy.resume();
    await consumer.drained();

    expect([...handled].sort()).toEqual([...events, late].map((event) => event.id).sort());
    for (let remote = 0; remote < 6; remote++) {
      const own = events.filter((event) => event.remote === `42${remote}`).map((event) => event.id);
      expect(handled.filter((id) => own.includes(id))).toEqual(own);
    }
    expect(await bus.deadLetters()).toEqual([]);
    expect(await spool.deadLetters()).toEqual([]);
    await consumer.stop();
  });
});
