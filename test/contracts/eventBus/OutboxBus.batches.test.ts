import Database from 'better-sqlite3';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventBus } from '../../../src/domain/bus/EventBus';
import { refusedEventsOf } from '../../../src/domain/bus/relayedEvents';
import { OutboxBus } from '../../../src/app/OutboxBus';
import type { RabbitMqBus } from '../../../src/adapters/rabbitmq/RabbitMqBus';
import { shardOf, shardQueue } from '../../../src/adapters/rabbitmq/topology';
import { SqliteSpoolBus } from '../../../src/adapters/sqlite/spool/SqliteSpoolBus';
import { orderingKey, type CallEvent } from '../../../src/domain/events/CallEvent';
import { callEvent } from '../support';
import { killHard, nextLine, startChildUntil } from '../../support/childProcess';
import { makeTempDir } from '../../support/tmp';
import { RabbitTestRig, TEST_SHARDS } from '../../support/rabbit';
import { deferred } from '../../support/wait';

const RELAY = { relayRetryDelayMs: 1, relayMaxRetryDelayMs: 10 };

/** The shared bus as the relay sees it, keeping each publish() call: its events and the ids the broker refused. */
class RecordingBus implements EventBus {
  readonly calls: Array<{ ids: string[]; keys: string[]; refused: string[] | 'all' | null }> = [];

  constructor(private readonly inner: RabbitMqBus) {}

  async publish(events: readonly CallEvent[]): Promise<void> {
    const call = { ids: events.map((event) => event.id), keys: events.map(orderingKey), refused: null as string[] | 'all' | null };
    this.calls.push(call);
    try {
      await this.inner.publish(events);
    } catch (err) {
      const refused = refusedEventsOf(err);
      call.refused = refused ? [...refused.keys()] : 'all';
      throw err;
    }
  }

  consume: EventBus['consume'] = (handler, options) => this.inner.consume(handler, options);
  depth = () => this.inner.depth();
  deadLetters = () => this.inner.deadLetters();
  close = () => this.inner.close();
}

/** `calls` calls of `perCall` events each, in the order a call's events are published (one call's events one after the other). */
function callsOf(remotes: string[], perCall: number): CallEvent[][] {
  return remotes.map((remote) => Array.from({ length: perCall }, (_, n) => callEvent({ remote, raw: { n: String(n) } })));
}

function handledInCallOrder(handled: readonly CallEvent[], calls: CallEvent[][]): void {
  for (const events of calls) {
    const key = orderingKey(events[0]!);
    expect(handled.filter((event) => orderingKey(event) === key).map((event) => event.id)).toEqual(events.map((event) => event.id));
  }
}

describe('OutboxBus relays in batches', () => {
  let rig: RabbitTestRig;
  let tmp: ReturnType<typeof makeTempDir>;
  let spool: SqliteSpoolBus;
  let shared: RecordingBus;
  let bus: OutboxBus;

  beforeEach(async () => {
    rig = new RabbitTestRig();
    tmp = makeTempDir('ringside-outbox-batches-');
    spool = SqliteSpoolBus.open(join(tmp.dir, 'outbox.db'));
    shared = new RecordingBus(await rig.openBus({ ledger: rig.openLedger() }));
    bus = new OutboxBus(spool, shared, RELAY);
  });
  afterEach(async () => {
    try {
      await bus.close();
    } finally {
      await rig.cleanup();
      tmp.cleanup();
    }
  });

  it('events of many calls, several each, go out in few batches of one event per call, and arrive in order per call', async () => {
    const calls = callsOf(Array.from({ length: 40 }, (_, i) => `61${i}`), 5);
    const all = calls.flat();
    const handled: CallEvent[] = [];
    const consumer = bus.consume(async (event) => { handled.push(event); }, { concurrency: 16 });
    const outcomesBefore = spool.outcomeCommits;

    // Spooled as the phones' requests would be: a call's events one after the other, the calls at once.
    for (let n = 0; n < 5; n++) await Promise.all(calls.map((events) => bus.publish([events[n]!])));
    await consumer.drained();

    expect(handled.map((event) => event.id).sort()).toEqual(all.map((event) => event.id).sort());
    handledInCallOrder(handled, calls);
    // One publish (one wait for confirms) and one outbox transaction per batch, not per event.
    expect(shared.calls.length).toBeLessThanOrEqual(all.length / 4);
    expect(spool.outcomeCommits - outcomesBefore).toBeLessThanOrEqual(all.length / 4);
    expect(bus.relayedBatches).toBe(shared.calls.length);
    // A batch never carries two events of one call: had the first been refused and the second
    // confirmed, sending the first again would reorder the call.
    for (const call of shared.calls) expect(new Set(call.keys).size).toBe(call.keys.length);
    expect(await bus.depth()).toBe(0);
    await consumer.stop();
  });

  it('events the broker refuses in a batch are retried in their call\'s order while the batch\'s others go on', async () => {
    const remotes = Array.from({ length: 24 }, (_, i) => `62${i}`);
    const blockedShard = shardOf(orderingKey(callEvent({ remote: remotes[0]! })), TEST_SHARDS);
    const calls = callsOf(remotes, 3);
    const blocked = calls.filter((events) => shardOf(orderingKey(events[0]!), TEST_SHARDS) === blockedShard);
    const flowing = calls.filter((events) => !blocked.includes(events));
    const blockedIds = new Set(blocked.flat().map((event) => event.id));
    expect(flowing.length).toBeGreaterThan(0);

    // No queue takes the blocked shard's routing key: the broker returns those messages (mandatory).
    const channel = await rig.channel();
    const binding = [shardQueue(rig.topology, blockedShard), rig.names.exchange, `call.*.${blockedShard}`] as const;
    await channel.unbindQueue(...binding);

    const handled: CallEvent[] = [];
    const othersHandled = deferred('every event of the other shards handled');
    const flowingCount = flowing.flat().length;
    const consumer = bus.consume(async (event) => {
      handled.push(event);
      if (handled.filter((e) => !blockedIds.has(e.id)).length === flowingCount) othersHandled.resolve();
    });
    for (let n = 0; n < 3; n++) await Promise.all(calls.map((events) => bus.publish([events[n]!])));
    await othersHandled.wait();

    // The others went through; of the blocked calls nothing was handled and only their first
    // events were ever sent (one per call in flight), refused while other events of their batch were confirmed.
    expect(handled.filter((event) => blockedIds.has(event.id))).toEqual([]);
    const heads = new Set(blocked.map((events) => events[0]!.id));
    const sentBlocked = shared.calls.flatMap((call) => call.ids.filter((id) => blockedIds.has(id)));
    expect(new Set(sentBlocked)).toEqual(heads);
    const mixed = shared.calls.filter((call) => Array.isArray(call.refused) && call.refused.length > 0 && call.refused.length < call.ids.length);
    expect(mixed.length).toBeGreaterThan(0);
    for (const call of mixed) expect((call.refused as string[]).every((id) => heads.has(id))).toBe(true);

    await channel.bindQueue(...binding);
    await consumer.drained();
    expect(handled.map((event) => event.id).sort()).toEqual(calls.flat().map((event) => event.id).sort());
    handledInCallOrder(handled, calls);
    expect(await spool.deadLetters()).toEqual([]);
    await consumer.stop();
  });

  it('sends the spooled bytes as they are, with the message properties consumers expect', async () => {
    const file = join(tmp.dir, 'other.db');
    SqliteSpoolBus.open(file).close();
    const event = callEvent({ remote: '6301', type: 'answered' });
    // Spooled in a layout of its own (another writer's): proof that the relay does not serialise the event again.
    const body = JSON.stringify(event, null, 1);
    const db = new Database(file);
    db.prepare("INSERT INTO spool_events (id, okey, body, published_at) VALUES (?, ?, ?, 0)").run(event.id, orderingKey(event), body);
    db.close();

    const rabbit = await rig.openBus();
    const relayed = deferred('the relay\'s publish confirmed');
    const signalling: EventBus = {
      publish: async (events) => { await rabbit.publish(events); relayed.resolve(); },
      consume: (handler, options) => rabbit.consume(handler, options),
      depth: () => rabbit.depth(),
      deadLetters: () => rabbit.deadLetters(),
      close: () => rabbit.close(),
    };
    const other = new OutboxBus(SqliteSpoolBus.open(file), signalling, RELAY);
    try {
      await relayed.wait();
      const channel = await rig.channel();
      const message = await channel.get(shardQueue(rig.topology, shardOf(orderingKey(event), TEST_SHARDS)), { noAck: true });
      if (message === false) throw new Error('nothing in the shard queue');
      expect(message.content.toString('utf8')).toBe(body);
      expect(message.fields.routingKey).toBe(`call.answered.${shardOf(orderingKey(event), TEST_SHARDS)}`);
      expect(message.properties).toMatchObject({ messageId: event.id, type: 'answered', contentType: 'application/json', appId: 'ringside', deliveryMode: 2 });
    } finally {
      await other.close();
    }
  });

  it('after a kill -9 between the broker\'s confirm of a batch and the outbox\'s record of it, the batch is sent again: nothing lost, order kept', async () => {
    const script = fileURLToPath(new URL('./fixtures/relayChild.ts', import.meta.url));
    const file = join(tmp.dir, 'killed.db');
    const { child, line } = await startChildUntil(script, [file, rig.names.exchange, rig.names.queue, '12', '3'], 'spooled ');
    const confirmed = JSON.parse((await nextLine(child, 'confirmed ')).slice('confirmed '.length)) as string[];
    await killHard(child);
    const spooled = JSON.parse(line.slice('spooled '.length)) as string[];
    expect(confirmed.length).toBeGreaterThan(1);
    // The broker has the batch, the outbox still has every event pending.
    const db = new Database(file, { readonly: true });
    const pending = db.prepare("SELECT COUNT(*) AS n FROM spool_events WHERE state = 'pending'").get() as { n: number };
    db.close();
    expect(pending.n).toBe(spooled.length);

    const restarted = new OutboxBus(SqliteSpoolBus.open(file), await rig.openBus({ ledger: rig.openLedger('restarted') }), RELAY);
    try {
      const handled: string[] = [];
      const consumer = restarted.consume(async (event) => { handled.push(event.id); });
      await consumer.drained();
      // Every event at least once (the confirmed batch may come twice); per call, in spool order.
      expect([...new Set(handled)].sort()).toEqual([...spooled].sort());
      const firsts = [...new Set(handled)];
      const perCall = new Map<string, string[]>();
      spooled.forEach((id, i) => perCall.set(String(i % 12), [...(perCall.get(String(i % 12)) ?? []), id]));
      for (const ids of perCall.values()) expect(firsts.filter((id) => ids.includes(id))).toEqual(ids);
      await consumer.stop();
    } finally {
      await restarted.close();
    }
  });
});
