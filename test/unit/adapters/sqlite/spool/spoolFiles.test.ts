// The spool's files stay bounded: the space of pruned rows goes back to the file system, the WAL is
// truncated after checkpoints, and an older spool file is switched over once (docs/architecture.md,
// Files on disk).
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_SIZE_LIMIT_BYTES } from '../../../../../src/adapters/sqlite/database';
import { migrateSpool } from '../../../../../src/adapters/sqlite/spool/schema';
import { SqliteSpoolBus, type SqliteSpoolBusOptions } from '../../../../../src/adapters/sqlite/spool/SqliteSpoolBus';
import { startWalCheckpointer, type WalCheckpointer } from '../../../../../src/adapters/sqlite/walCheckpointer';
import type { CallEvent } from '../../../../../src/domain/events/CallEvent';
import { makeTempDir } from '../../../../support/tmp';
import { deferred, eventually, withTimeout } from '../../../../support/wait';

/** An incoming call event with about 1 KB of raw parameters, as a chatty phone sends them. */
function bulkyEvent(i: number): CallEvent {
  return {
    id: ulid(), account: 'acme', type: 'incoming', receivedAt: Date.now(), device: { mac: '000B82000001', ip: '10.0.0.21' }, callId: null,
    local: '201', remote: `55510${String(i).padStart(5, '0')}`, displayRemote: '', activeUser: '', transferKind: null,
    raw: { padding: 'x'.repeat(1000) },
  };
}

const EVENTS = 12_000;

const size = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

let tmp: ReturnType<typeof makeTempDir>;
let file: string;
const opened: SqliteSpoolBus[] = [];
const checkpointers: WalCheckpointer[] = [];

function open(options: SqliteSpoolBusOptions = {}): SqliteSpoolBus {
  const bus = SqliteSpoolBus.open(file, { dedupeWindowMs: 0, ...options });
  opened.push(bus);
  return bus;
}

/** What a checkpoint leaves of the database file (another connection, as the WalCheckpointer worker has). */
function checkpointedSize(): number {
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return size(file);
}

async function publishAll(bus: SqliteSpoolBus, count: number): Promise<void> {
  for (let start = 0; start < count; start += 1000) {
    await Promise.all(Array.from({ length: Math.min(1000, count - start) }, (_, i) => bus.publish([bulkyEvent(start + i)])));
  }
}

/** Every pending event handled (a consumer that accepts them all), then stopped. */
async function handleAll(bus: SqliteSpoolBus, count: number): Promise<void> {
  let handled = 0;
  const all = deferred(`the consumer to handle all ${count} events`);
  const consumer = bus.consume(async () => {
    if (++handled === count) all.resolve();
  });
  await withTimeout(all.promise, `all ${count} events handled`);
  await withTimeout(consumer.stop(), 'the consumer to stop');
}

beforeEach(() => {
  tmp = makeTempDir();
  file = join(tmp.dir, 'spool.db');
});
afterEach(async () => {
  for (const bus of opened.splice(0)) await bus.close();
  for (const checkpointer of checkpointers.splice(0)) await checkpointer.close();
  tmp.cleanup();
});

describe('the spool file gives back the space of what it pruned', () => {
  it('a backlog of 12,000 events (RabbitMQ away) handled and pruned leaves a small file, not one of the backlog size', async () => {
    const bus = open();
    await publishAll(bus, EVENTS);
    const withBacklog = checkpointedSize();
    expect(withBacklog).toBeGreaterThan(EVENTS * 1000);

    await handleAll(bus, EVENTS);
    // One pass gives back a bounded number of pages (a short write), the next passes the rest (the
    // consumer's own pass, every 5 s, may have begun on a slow machine).
    let passes = 0;
    while (bus.housekeeping(Date.now() + 1).reclaimedPages > 0) passes++;
    expect(passes).toBeLessThan(10);
    const rows = new Database(file, { readonly: true });
    try {
      expect(rows.prepare('SELECT COUNT(*) FROM spool_events').pluck().get()).toBe(0);
    } finally {
      rows.close();
    }

    const afterPruning = checkpointedSize();
    expect(afterPruning).toBeLessThan(withBacklog / 5);
    expect(afterPruning).toBeLessThan(2 * 1024 * 1024);
  });

  it('a spool file of an older Ringside (no auto_vacuum) is switched over once at open, giving back what its pruned rows left', async () => {
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    migrateSpool(old);
    const insert = old.prepare("INSERT INTO spool_events (id, okey, body, state, published_at) VALUES (?, 'k', ?, 'pending', 0)");
    old.transaction(() => {
      for (let i = 0; i < 5_000; i++) insert.run(`old-${i}`, 'y'.repeat(2000));
    })();
    old.exec('DELETE FROM spool_events');
    old.pragma('wal_checkpoint(TRUNCATE)');
    expect(old.pragma('auto_vacuum', { simple: true })).toBe(0);
    old.close();
    const before = size(file);
    expect(before).toBeGreaterThan(5_000 * 2000);

    const bus = open();
    await bus.close();
    const reopened = new Database(file, { readonly: true });
    try {
      expect(reopened.pragma('auto_vacuum', { simple: true })).toBe(2);
    } finally {
      reopened.close();
    }
    expect(size(file)).toBeLessThan(before / 10);
  });
});

describe('the WAL stays small', () => {
  it('after a burst and a checkpoint, the next write truncates the WAL to the limit', async () => {
    // The server's hot connections checkpoint themselves only after 10,000 pages: the worker does it.
    const bus = open({ checkpointPages: 10_000 });
    await publishAll(bus, 8_000);
    expect(size(`${file}-wal`)).toBeGreaterThan(2 * JOURNAL_SIZE_LIMIT_BYTES);
    const worker = new Database(file);
    try {
      expect(worker.pragma('wal_checkpoint(PASSIVE)')).toEqual([expect.objectContaining({ busy: 0 })]);
    } finally {
      worker.close();
    }
    await bus.publish([bulkyEvent(0)]);
    expect(size(`${file}-wal`)).toBeLessThanOrEqual(JOURNAL_SIZE_LIMIT_BYTES);
  });

  it('a WAL left large by a burst with no write after it is emptied by the checkpointer', async () => {
    const bus = open({ checkpointPages: 10_000 });
    await publishAll(bus, 8_000);
    expect(size(`${file}-wal`)).toBeGreaterThan(2 * JOURNAL_SIZE_LIMIT_BYTES);
    checkpointers.push(startWalCheckpointer([file], 20));
    await eventually('the idle spool WAL to be truncated by the checkpointer', () => size(`${file}-wal`), (bytes) => bytes <= JOURNAL_SIZE_LIMIT_BYTES);
    expect(await bus.depth()).toBe(8_000);
  });

  it('a WAL written to lately is checkpointed but not emptied: the TRUNCATE would hold the write lock its writes wait for', async () => {
    const bus = open({ checkpointPages: 10_000 });
    await publishAll(bus, 8_000);
    const checkpointed = size(file);
    // Everything above was written within the quiet period: the WAL counts as still being written.
    const checkpointer = startWalCheckpointer([file], 20, { quietMs: 60_000 });
    try {
      await eventually('the burst to be copied into the database file', () => size(file), (bytes) => bytes > checkpointed);
    } finally {
      // close() waits for the round under way: the one that copied the WAL is over, emptying included.
      await checkpointer.close();
    }
    expect(size(`${file}-wal`)).toBeGreaterThan(2 * JOURNAL_SIZE_LIMIT_BYTES);
    // Its writer starts it over once it is copied, truncating it to the limit itself.
    await bus.publish([bulkyEvent(0)]);
    expect(size(`${file}-wal`)).toBeLessThanOrEqual(JOURNAL_SIZE_LIMIT_BYTES);
  });

  it('a WAL written past the limit is checkpointed at once, not a round later, so its writer starts it over near the limit', async () => {
    const bus = open({ checkpointPages: 10_000 });
    // A round is a minute away: only a write past the limit may bring one sooner.
    checkpointers.push(startWalCheckpointer([file], 60_000));
    const checkpointed = size(file);
    // About twice the limit (the tests above): past it half-way.
    await publishAll(bus, 8_000);
    await eventually('the burst to be copied into the database file', () => size(file), (bytes) => bytes > checkpointed);
  });

  it('a WAL written after the checkpointer went idle is checkpointed: it follows the writes without polling', async () => {
    const bus = open({ checkpointPages: 10_000 });
    await publishAll(bus, 8_000);
    checkpointers.push(startWalCheckpointer([file], 20));
    await eventually('the first burst\'s WAL to be truncated', () => size(`${file}-wal`), (bytes) => bytes <= JOURNAL_SIZE_LIMIT_BYTES);
    // Nothing written since: the checkpointer is idle. Only a checkpoint grows the database file
    // (this connection's own threshold is 10,000 pages): a second burst must wake it.
    const checkpointed = size(file);
    await publishAll(bus, 2_000);
    await eventually('the second burst to be copied into the database file', () => size(file), (bytes) => bytes > checkpointed);
  });
});

describe('oldestPendingAt', () => {
  it('is when the oldest event not yet handled was published, and null once every event is handled', async () => {
    const bus = open();
    expect(bus.oldestPendingAt()).toBeNull();
    const before = Date.now();
    await publishAll(bus, 3);
    const oldest = bus.oldestPendingAt();
    expect(oldest).not.toBeNull();
    expect(oldest!).toBeGreaterThanOrEqual(before);
    expect(oldest!).toBeLessThanOrEqual(Date.now());
    await handleAll(bus, 3);
    expect(bus.oldestPendingAt()).toBeNull();
  });
});
