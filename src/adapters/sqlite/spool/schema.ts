import { migrate, type SqliteDatabase } from '../database';
import type { CallEvent } from '../../../domain/events/CallEvent';

/**
 * The spool file's one table. `seq` is AUTOINCREMENT so it never goes backwards, even after
 * every row was pruned: a consumer reads `seq > lastSeen` and would otherwise miss new rows.
 *
 * state: pending (published, not yet handled or in flight: in-flight is not persisted, so a
 *        crashed process's in-flight events are simply pending again)
 *        done    (handled; body cleared, row kept for the dedupe window then pruned)
 *        dead    (failed maxAttempts times; kept with its body for deadLetters())
 */
export function migrateSpool(db: SqliteDatabase): void {
  migrate(db, 'spool', [
    (d) => {
      d.exec(`
        CREATE TABLE spool_events (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          okey TEXT NOT NULL,
          body TEXT NOT NULL,
          state TEXT NOT NULL DEFAULT 'pending',
          attempts INTEGER NOT NULL DEFAULT 0,
          next_at INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          published_at INTEGER NOT NULL,
          done_at INTEGER
        );
        CREATE INDEX spool_events_state ON spool_events (state, done_at);
      `);
    },
    // The consumer reads `state = 'pending' AND seq > ? ORDER BY seq`: without this index SQLite
    // took the (state, done_at) one and sorted every pending row on each read, so a backlog of
    // thousands of events made every fetch slower the longer the backlog grew.
    (d) => d.exec('CREATE INDEX spool_events_pending ON spool_events (state, seq)'),
    // Partial indexes in place of the two (state, ...) ones: each row is in at most one, the
    // one its state reads by. A publish adds one entry instead of two, a done mark moves one
    // (pending to done) instead of moving two, pruning removes one: less CPU per event (issue 15).
    (d) => d.exec(`
      DROP INDEX spool_events_state;
      DROP INDEX spool_events_pending;
      CREATE INDEX spool_pending ON spool_events (seq) WHERE state = 'pending';
      CREATE INDEX spool_done ON spool_events (done_at) WHERE state = 'done';
      CREATE INDEX spool_dead ON spool_events (seq) WHERE state = 'dead';
    `),
  ]);
}

export interface SpoolRow {
  seq: number;
  id: string;
  okey: string;
  body: string;
  attempts: number;
  next_at: number;
  /** A row this process has just written carries its event (a copy): the consumer need not parse the body back. */
  event?: CallEvent;
}
