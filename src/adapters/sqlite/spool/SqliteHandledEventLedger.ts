import type { Logger } from '../../../shared/logger';
import { migrate, openDatabase, type SqliteDatabase } from '../database';
import { HANDLED_EVENT_WINDOW_MS, type HandledEventLedger } from '../../../domain/bus/HandledEventLedger';

export interface SqliteHandledEventLedgerOptions {
  /** How long a handled id is remembered (default HANDLED_EVENT_WINDOW_MS, 7 days): longer than any redelivery takes. */
  retentionMs?: number;
  /** How often add() prunes expired ids (default 60 s). */
  pruneEveryMs?: number;
  logger?: Logger;
}

const PRUNE_CHUNK = 5_000;

function migrateLedger(db: SqliteDatabase): void {
  migrate(db, 'handled_events', [
    (d) => {
      d.exec(`
        CREATE TABLE handled_events (
          id TEXT PRIMARY KEY,
          handled_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX handled_events_at ON handled_events (handled_at);
      `);
    },
  ]);
}

/**
 * The handled-event ledger in a local SQLite file (WAL, synchronous NORMAL: an added id survives
 * kill -9 of this process). One indexed read and one insert per event, both in-process, so it
 * costs no Redis round trip. Ids older than the retention are pruned by add() now and then.
 *
 * The file belongs to one machine: a redelivery that lands on another process (after a single
 * active consumer moved) is not found here, and the handler's own idempotency covers it.
 */
export class SqliteHandledEventLedger implements HandledEventLedger {
  private lastPrune = 0;
  private readonly statements;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly options: SqliteHandledEventLedgerOptions,
  ) {
    this.statements = {
      has: db.prepare('SELECT 1 FROM handled_events WHERE id = ?').pluck(),
      add: db.prepare('INSERT OR IGNORE INTO handled_events (id, handled_at) VALUES (?, ?)'),
      prune: db.prepare(
        'DELETE FROM handled_events WHERE id IN (SELECT id FROM handled_events WHERE handled_at <= ? LIMIT ?)',
      ),
    };
  }

  static open(file: string, options: SqliteHandledEventLedgerOptions = {}): SqliteHandledEventLedger {
    const db = openDatabase(file, { logger: options.logger });
    try {
      migrateLedger(db);
    } catch (err) {
      db.close();
      throw err;
    }
    const ledger = new SqliteHandledEventLedger(db, options);
    ledger.prune();
    return ledger;
  }

  has(id: string): boolean {
    return this.statements.has.get(id) !== undefined;
  }

  add(id: string): void {
    const now = Date.now();
    this.statements.add.run(id, now);
    if (now - this.lastPrune >= (this.options.pruneEveryMs ?? 60_000)) this.prune(now);
  }

  /** Deletes ids handled before `now` minus the retention, in chunks; returns how many. */
  prune(now = Date.now()): number {
    this.lastPrune = now;
    const before = now - (this.options.retentionMs ?? HANDLED_EVENT_WINDOW_MS);
    let removed = 0;
    try {
      for (;;) {
        const { changes } = this.statements.prune.run(before, PRUNE_CHUNK);
        removed += changes;
        if (changes < PRUNE_CHUNK) break;
      }
    } catch (err) {
      this.options.logger?.warn({ err }, 'handled-event ledger: pruning failed');
    }
    return removed;
  }

  close(): void {
    this.db.close();
  }
}
