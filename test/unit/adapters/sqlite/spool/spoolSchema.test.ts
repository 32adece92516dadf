// A spool file written by an older Ringside (the two full (state, ...) indexes) is migrated to the
// partial indexes at open, and what it held is kept: pending events delivered in order, dead
// ones still listed, handled ids still deduplicated until pruned.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../../../../src/adapters/sqlite/database';
import { SqliteSpoolBus } from '../../../../../src/adapters/sqlite/spool/SqliteSpoolBus';
import type { CallEvent } from '../../../../../src/domain/events/CallEvent';
import { makeTempDir } from '../../../../support/tmp';
import { deferred, withTimeout } from '../../../../support/wait';

/** The spool schema as Ringside wrote it before the partial indexes (migration steps 1 and 2). */
function createOldSpool(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('auto_vacuum = INCREMENTAL');
  migrate(db, 'spool', [
    (d) => d.exec(`
      CREATE TABLE spool_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, okey TEXT NOT NULL, body TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT, published_at INTEGER NOT NULL, done_at INTEGER
      );
      CREATE INDEX spool_events_state ON spool_events (state, done_at);
    `),
    (d) => d.exec('CREATE INDEX spool_events_pending ON spool_events (state, seq)'),
  ]);
  return db;
}

function event(remote: string): CallEvent {
  return {
    id: ulid(), account: 'acme', type: 'incoming', receivedAt: Date.now(), device: { mac: '000B82000001', ip: '10.0.0.21' }, callId: null,
    local: '201', remote, displayRemote: '', activeUser: '', transferKind: null, raw: {},
  };
}

let tmp: ReturnType<typeof makeTempDir>;
let file: string;
let bus: SqliteSpoolBus | null = null;

beforeEach(() => {
  tmp = makeTempDir();
  file = join(tmp.dir, 'spool.db');
});
afterEach(async () => {
  await bus?.close();
  bus = null;
  tmp.cleanup();
});

describe('a spool file of an older Ringside', () => {
  it('opens with the partial indexes, keeps its pending, dead and handled rows, and delivers the pending ones in order', async () => {
    const pending = ['5551001', '5551002', '5551001'].map(event);
    const dead = event('5551003');
    const handled = event('5551004');
    const old = createOldSpool(file);
    const insert = old.prepare('INSERT INTO spool_events (id, okey, body, state, published_at, done_at) VALUES (?, ?, ?, ?, ?, ?)');
    const now = Date.now();
    insert.run(handled.id, 'acme:5551004', '', 'done', now, now);
    insert.run(dead.id, 'acme:5551003', JSON.stringify(dead), 'dead', now, null);
    for (const e of pending) insert.run(e.id, `acme:${e.remote}`, JSON.stringify(e), 'pending', now, null);
    old.close();

    bus = SqliteSpoolBus.open(file, { dedupeWindowMs: 60_000 });
    const indexes = new Database(file, { readonly: true });
    try {
      const names = indexes.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'spool_events' AND sql IS NOT NULL ORDER BY name").pluck().all();
      expect(names).toEqual(['spool_dead', 'spool_done', 'spool_pending']);
    } finally {
      indexes.close();
    }
    expect(await bus.depth()).toBe(3);
    expect((await bus.deadLetters()).map((e) => e.id)).toEqual([dead.id]);

    // The handled id is still remembered: published again, it is ignored.
    await bus.publish([handled]);
    expect(await bus.depth()).toBe(3);

    const seen: string[] = [];
    const all = deferred('the three pending events');
    const consumer = bus.consume(async (e) => {
      seen.push(e.id);
      if (seen.length === 3) all.resolve();
    });
    await withTimeout(all.promise, 'the old file\'s pending events to be handled');
    await consumer.stop();
    expect(seen).toEqual(pending.map((e) => e.id));
    expect(await bus.depth()).toBe(0);

    // Past the dedupe window the handled rows are pruned (through the done index); the dead one stays.
    expect(bus.housekeeping(Date.now() + 120_000).pruned).toBe(4);
    expect((await bus.deadLetters()).map((e) => e.id)).toEqual([dead.id]);
  });
});
