import Database from 'better-sqlite3';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteSpoolBus, type SqliteSpoolBusOptions } from '../../../src/adapters/sqlite/spool/SqliteSpoolBus';
import type { CallEvent } from '../../../src/domain/events/CallEvent';
import { makeTempDir } from '../../support/tmp';
import { describeEventBusContract } from '../eventBusContract';
import { callEvent } from '../support';
import { deferred, eventually, waitFor, withTimeout } from '../../support/wait';
import { StorageHealth } from '../../../src/shared/storageHealth';
import { killHard, startChildUntil } from '../../support/childProcess';

describeEventBusContract('SqliteSpoolBus', async () => {
  const tmp = makeTempDir();
  const file = join(tmp.dir, 'spool.db');
  const opened: SqliteSpoolBus[] = [SqliteSpoolBus.open(file)];
  return {
    bus: opened[0]!,
    reopen: async () => {
      const bus = SqliteSpoolBus.open(file);
      opened.push(bus);
      return bus;
    },
    cleanup: async () => {
      for (const bus of opened) await bus.close();
      tmp.cleanup();
    },
  };
});

describe('SqliteSpoolBus (adapter specifics)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let file: string;
  const opened: SqliteSpoolBus[] = [];
  const open = (options?: SqliteSpoolBusOptions) => {
    const bus = SqliteSpoolBus.open(file, options);
    opened.push(bus);
    return bus;
  };
  const rowCount = (where = '1') => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare(`SELECT COUNT(*) AS n FROM spool_events WHERE ${where}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    tmp = makeTempDir();
    file = join(tmp.dir, 'spool.db');
  });
  afterEach(async () => {
    for (const bus of opened.splice(0)) await bus.close();
    tmp.cleanup();
  });

  it('group-commits every publish() of one event-loop turn in a single transaction', async () => {
    const bus = open();
    const before = bus.commits;
    const events = Array.from({ length: 200 }, (_, i) => callEvent({ remote: `7${i}` }));
    await Promise.all(events.map((event) => bus.publish([event])));
    expect(bus.commits - before).toBe(1);
    expect(await bus.depth()).toBe(200);
    await bus.publish([callEvent()]);
    expect(bus.commits - before).toBe(2);
  });

  it('hands an event it has just written to its consumer as it was published, not parsed back, and not the publisher\'s object', async () => {
    const bus = open();
    const handled: CallEvent[] = [];
    const firstDeliveries: Array<boolean | undefined> = [];
    const consumer = bus.consume(async (event, delivery) => {
      handled.push(event);
      firstDeliveries.push(delivery?.firstDelivery);
    });
    // A first event handled: the consumer has read to the end of the file, so the rows this
    // process writes next are handed over without reading it.
    await bus.publish([callEvent({ remote: '70' })]);
    await consumer.drained();
    const event = callEvent({ remote: '71', raw: { event: 'incoming', remote: '71' } });
    const published = JSON.parse(JSON.stringify(event)) as CallEvent;
    const publishing = bus.publish([event]);
    // The publisher changing its object afterwards changes nothing the consumer sees.
    event.remote = 'changed';
    event.device.mac = 'changed';
    event.raw.remote = 'changed';
    await publishing;
    await consumer.drained();
    expect(handled[1]).toStrictEqual(published);
    expect(handled[1]).not.toBe(event);
    // Written by this process and not tried before: nobody can have handled it (DeliveryInfo).
    expect(firstDeliveries[1]).toBe(true);
    await consumer.stop();
  });

  it('an event read back from the file is not a first delivery: an earlier run may have handled it', async () => {
    const earlier = open();
    await earlier.publish([callEvent({ remote: '72' })]);
    await earlier.close();
    const bus = open();
    const firstDeliveries: Array<boolean | undefined> = [];
    const consumer = bus.consume(async (_event, delivery) => void firstDeliveries.push(delivery?.firstDelivery));
    await consumer.drained();
    expect(firstDeliveries).toEqual([false]);
    await consumer.stop();
  });

  it('writes the done marks of many handled events in one transaction: once 256 wait, or after a short delay', async () => {
    // The delay's timer is held, so what is written without it shows.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const bus = open();
      await bus.publish(Array.from({ length: 300 }, (_, i) => callEvent({ remote: `7${i}` })));
      const before = bus.outcomeCommits;
      let handled = 0;
      const all = deferred('300 events to be handled');
      const consumer = bus.consume(async () => {
        if (++handled === 300) all.resolve();
      });
      await withTimeout(all.promise, 'the consumer to handle 300 events');
      expect(bus.outcomeCommits - before).toBe(1);
      expect(rowCount("state = 'pending'")).toBe(300 - 256);
      vi.advanceTimersByTime(20);
      expect(bus.outcomeCommits - before).toBe(2);
      expect(rowCount("state = 'pending'")).toBe(0);
      await consumer.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('lists an event set aside a moment ago in deadLetters(), its mark not yet written', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const bus = open();
      const poison = callEvent();
      await bus.publish([poison]);
      const consumer = bus.consume(async () => {
        throw new Error('cannot handle this one');
      }, { maxAttempts: 1 });
      const dead = await eventually('the event to be listed as dead', () => bus.deadLetters(), (events) => events.length > 0);
      expect(dead.map((e) => e.id)).toEqual([poison.id]);
      await consumer.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects every publish of a batch whose write failed, and accepts the next batch', async () => {
    const bus = open();
    const saboteur = new Database(file);
    saboteur.exec("CREATE TRIGGER refuse BEFORE INSERT ON spool_events BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    const failing = [bus.publish([callEvent()]), bus.publish([callEvent({ remote: '2' })]), bus.publish([callEvent({ remote: '3' })])];
    const outcomes = await Promise.allSettled(failing);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toContain('disk says no');
    expect(await bus.depth()).toBe(0);
    saboteur.exec('DROP TRIGGER refuse');
    saboteur.close();
    await bus.publish([callEvent()]);
    expect(await bus.depth()).toBe(1);
  });

  describe('when its file cannot be written (a full or read-only disk)', () => {
    /** The bus's own connection, made read-only (PRAGMA query_only): its writes then fail with SQLITE_READONLY, as on a read-only disk. */
    const readOnly = (bus: SqliteSpoolBus, on: boolean) => void (bus as unknown as { db: Database.Database }).db.pragma(`query_only = ${on ? 'ON' : 'OFF'}`);
    /** The next change of the spool's storage health (true: up). */
    const nextChange = (storage: StorageHealth, what: string) => waitFor<boolean>(what, (resolve) => storage.listen((_store, reason) => resolve(reason === null)));

    it('keeps the mark of an event handled meanwhile and writes it once it can: the depth comes back to 0 without reopening', async () => {
      const storage = new StorageHealth();
      const bus = open({ storage: storage.watch('spool'), writeRetry: { baseMs: 10, capMs: 50 } });
      const handled = deferred<string>('the event to be handled');
      const consumer = bus.consume(async (event) => {
        // The disk turns read-only while the event is being handled: its mark cannot be written.
        readOnly(bus, true);
        handled.resolve(event.id);
      });
      const down = nextChange(storage, 'the spool to be reported down');
      const event = callEvent();
      await bus.publish([event]);
      expect(await handled.wait()).toBe(event.id);
      expect(await down).toBe(false);
      expect(storage.report()).toMatchObject({ state: 'down', reason: 'read-only', failing: ['spool'] });
      expect(bus.unrecordedOutcomes).toBe(1);
      expect(await bus.depth()).toBe(1);

      // Writable again: the retry (not a new event, not a reopen) writes the mark.
      const up = nextChange(storage, 'the spool to be reported up');
      readOnly(bus, false);
      expect(await up).toBe(true);
      expect(bus.unrecordedOutcomes).toBe(0);
      expect(await bus.depth()).toBe(0);
      await consumer.stop();
    });

    it('reports a failed publish and finds out by itself when events fit again', async () => {
      const storage = new StorageHealth();
      const bus = open({ storage: storage.watch('spool'), writeRetry: { baseMs: 10, capMs: 50 } });
      readOnly(bus, true);
      await expect(bus.publish([callEvent()])).rejects.toMatchObject({ code: 'SQLITE_READONLY' });
      expect(storage.report()).toMatchObject({ state: 'down', reason: 'read-only' });
      const up = nextChange(storage, 'the spool to be reported up without a publish');
      readOnly(bus, false);
      expect(await up).toBe(true);
      // The probe left nothing behind.
      expect(await bus.depth()).toBe(0);
      expect(rowCount()).toBe(0);
      await bus.publish([callEvent()]);
      expect(await bus.depth()).toBe(1);
    });
  });

  it('rejects a publish of an event without an id on its own, without failing the others', async () => {
    const bus = open();
    const bad = bus.publish([{ ...callEvent(), id: '' }]);
    const good = bus.publish([callEvent()]);
    await expect(bad).rejects.toThrow(/id/);
    await good;
    expect(await bus.depth()).toBe(1);
  });

  it('wakes the consumer on a publish in the same process (no polling)', async () => {
    const bus = open({ pollIntervalMs: 3_600_000 });
    const arrived = deferred<CallEvent>('the event to reach the consumer');
    const consumer = bus.consume(async (event) => arrived.resolve(event));
    await consumer.drained();
    const event = callEvent();
    await bus.publish([event]);
    expect((await arrived.wait()).id).toBe(event.id);
    await consumer.stop();
  });

  it('picks up events another process (another connection) wrote to the same file', async () => {
    const bus = open({ pollIntervalMs: 10 });
    const other = open();
    const arrived = deferred<CallEvent>('the event to reach the consumer');
    const consumer = bus.consume(async (event) => arrived.resolve(event));
    await consumer.drained();
    const event = callEvent();
    await other.publish([event]);
    expect((await arrived.wait()).id).toBe(event.id);
    await consumer.stop();
  });

  it('reads the file for another process\'s event written between this process\'s own, which it hands to the consumer without a read', async () => {
    // No poll during the test: only this process's publish makes the consumer look.
    const bus = open({ pollIntervalMs: 60_000 });
    const other = open();
    const handled: string[] = [];
    const both = deferred('both events to reach the consumer');
    const consumer = bus.consume(async (event) => {
      if (handled.push(event.id) === 2) both.resolve();
    });
    await consumer.drained();
    const theirs = callEvent({ remote: '31' });
    const ours = callEvent({ remote: '32' });
    await other.publish([theirs]);
    await bus.publish([ours]);
    await both.wait();
    expect(handled).toEqual([theirs.id, ours.id]);
    await consumer.stop();
  });

  it('handles different keys concurrently when asked, never two events of one key at once', async () => {
    const bus = open();
    const keys = ['100', '200', '300'];
    const events = keys.flatMap((remote) => [1, 2].map((n) => callEvent({ remote, raw: { n: String(n) } })));
    await bus.publish(events);
    const allStarted = deferred('three keys in flight together');
    const busyKeys = new Set<string>();
    let started = 0;
    let overlapOfOneKey = false;
    const order: string[] = [];
    const consumer = bus.consume(async (event) => {
      if (busyKeys.has(event.remote)) overlapOfOneKey = true;
      busyKeys.add(event.remote);
      if (++started === keys.length) allStarted.resolve();
      await allStarted.promise; // only resolves when three keys are in flight together
      order.push(`${event.remote}:${event.raw.n}`);
      busyKeys.delete(event.remote);
    }, { concurrency: 3 });
    await consumer.drained();
    expect(overlapOfOneKey).toBe(false);
    for (const remote of keys) expect(order.filter((x) => x.startsWith(remote))).toEqual([`${remote}:1`, `${remote}:2`]);
    await consumer.stop();
  });

  it('allows one consumer per bus at a time', async () => {
    const bus = open();
    const consumer = bus.consume(async () => {});
    expect(() => bus.consume(async () => {})).toThrow(/consumer/);
    await consumer.stop();
    const next = bus.consume(async () => {});
    await next.stop();
  });

  it('remembers handled ids for the dedupe window, then prunes them so the file does not grow', async () => {
    const bus = open();
    const event = callEvent();
    await bus.publish([event, callEvent({ remote: '42' })]);
    const seen: string[] = [];
    const consumer = bus.consume(async (e) => { seen.push(e.id); });
    await consumer.drained();
    await bus.publish([event]);
    await consumer.drained();
    expect(seen.filter((id) => id === event.id)).toHaveLength(1);
    expect(rowCount()).toBe(2);
    await bus.close();

    open({ dedupeWindowMs: 0 });
    expect(rowCount()).toBe(0);
  });

  it('delivers every event published before a kill -9 exactly once after reopening', async () => {
    const script = fileURLToPath(new URL('./fixtures/spoolChild.ts', import.meta.url));
    const { child, line } = await startChildUntil(script, ['publish', file, '300'], 'published ');
    await killHard(child);
    const published = JSON.parse(line.slice('published '.length)) as string[];
    expect(published).toHaveLength(300);

    const bus = open();
    const seen = new Map<string, number>();
    const consumer = bus.consume(async (event) => { seen.set(event.id, (seen.get(event.id) ?? 0) + 1); });
    await consumer.drained();
    expect([...seen.keys()].sort()).toEqual([...published].sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(await bus.depth()).toBe(0);
  });

  it('delivers again the event that was in flight when the consuming process was killed', async () => {
    const bus = open();
    const events = [callEvent({ remote: '900' }), callEvent({ remote: '900', type: 'hangup' })];
    await bus.publish(events);
    await bus.close();

    const script = fileURLToPath(new URL('./fixtures/spoolChild.ts', import.meta.url));
    const { child, line } = await startChildUntil(script, ['consume', file], 'handling ');
    expect(line).toBe(`handling ${events[0]!.id}`);
    await killHard(child);

    const reopened = open();
    expect(await reopened.depth()).toBe(2);
    const seen: string[] = [];
    const consumer = reopened.consume(async (event) => { seen.push(event.id); });
    await consumer.drained();
    expect(seen).toEqual(events.map((e) => e.id));
  });
});
