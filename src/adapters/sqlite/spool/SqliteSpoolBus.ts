import { orderingKey, type CallEvent } from '../../../domain/events/CallEvent';
import type { Logger } from '../../../shared/logger';
import { openDatabase, type SqliteDatabase } from '../database';
import type { ConsumeOptions, Consumer, EventBus, EventHandler } from '../../../domain/bus/EventBus';
import { SpoolConsumer, type SpoolAccess } from './SpoolConsumer';
import { migrateSpool, type SpoolRow } from './schema';

export interface SqliteSpoolBusOptions {
  logger?: Logger;
  /** Slow poll for rows another process wrote to the same file (default 500 ms). Same-process publishes wake the consumer at once. */
  pollIntervalMs?: number;
  /** How long handled events are remembered, so publishing the same id again is still ignored (default 60 s). */
  dedupeWindowMs?: number;
  /** Rows read from the file per fetch (default 500). */
  fetchBatch?: number;
  /** WAL pages before this connection checkpoints itself (SQLite's default 1000; raise it when a WalCheckpointer runs). */
  checkpointPages?: number;
}

export interface SpoolConsumeOptions extends ConsumeOptions {
  /** Different ordering keys handled at the same time (default 1). Events of one key never overlap. */
  concurrency?: number;
  /** Upper bound of the doubling retry delay (default: none). An outbox relay that retries forever sets it. */
  maxRetryDelayMs?: number;
  /** 'debug' silences the line per retry, for a caller that reports the cause once itself (default 'warn'). */
  retryLogLevel?: 'warn' | 'debug';
}

interface PendingPublish {
  rows: Array<{ id: string; okey: string; body: string }>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const PRUNE_EVERY_MS = 5_000;
const PRUNE_CHUNK = 5_000;

/**
 * The embedded event bus: a spool table in its own SQLite file (WAL, synchronous NORMAL).
 *
 * - publish() group-commits: every publish() call made in one turn of the event loop is
 *   written in one transaction on setImmediate, then all of their promises resolve (or all
 *   reject when that write fails). Events are inserted OR IGNORE by id.
 * - One consumer per bus instance, and one consuming process per file: in-flight state lives
 *   in memory, so after a crash every event not marked done is pending again and is
 *   delivered on the next consume(). Other processes may publish to the same file; their
 *   rows are picked up by a slow poll (pollIntervalMs).
 * - A row is marked done only after its handler resolved; the done marks of one turn are
 *   written in one transaction (a kill -9 in between only means a redelivery, which is allowed).
 * - Handled rows are kept (without their body) for dedupeWindowMs, then pruned.
 */
export class SqliteSpoolBus implements EventBus {
  private queued: PendingPublish[] = [];
  private flushScheduled: Promise<void> | null = null;
  private consumer: SpoolConsumer | null = null;
  private closing: Promise<void> | null = null;
  private lastPrune = 0;
  private commitCount = 0;
  private acks: number[] = [];
  private ackScheduled = false;
  private readonly statements;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly options: SqliteSpoolBusOptions,
  ) {
    this.statements = {
      insert: db.prepare(
        "INSERT OR IGNORE INTO spool_events (id, okey, body, state, attempts, next_at, published_at) VALUES (?, ?, ?, 'pending', 0, 0, ?)",
      ),
      fetch: db.prepare(
        "SELECT seq, id, okey, body, attempts, next_at FROM spool_events WHERE state = 'pending' AND seq > ? ORDER BY seq LIMIT ?",
      ),
      done: db.prepare("UPDATE spool_events SET state = 'done', done_at = ?, body = '' WHERE seq = ?"),
      retry: db.prepare('UPDATE spool_events SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?'),
      dead: db.prepare("UPDATE spool_events SET state = 'dead', attempts = ?, last_error = ? WHERE seq = ?"),
      depth: db.prepare("SELECT COUNT(*) AS n FROM spool_events WHERE state = 'pending'"),
      maxPending: db.prepare("SELECT MAX(seq) AS seq FROM spool_events WHERE state = 'pending'"),
      deadRows: db.prepare("SELECT body FROM spool_events WHERE state = 'dead' ORDER BY seq"),
      prune: db.prepare(
        "DELETE FROM spool_events WHERE seq IN (SELECT seq FROM spool_events WHERE state = 'done' AND done_at <= ? LIMIT ?)",
      ),
    };
  }

  /** Opens (creating if needed) the spool file. Synchronous: better-sqlite3 opens and migrates in place. */
  static open(file: string, options: SqliteSpoolBusOptions = {}): SqliteSpoolBus {
    const db = openDatabase(file, { checkpointPages: options.checkpointPages });
    try {
      migrateSpool(db);
    } catch (err) {
      db.close();
      throw err;
    }
    const bus = new SqliteSpoolBus(db, options);
    bus.prune(Date.now());
    return bus;
  }

  /** Write transactions committed by publish() so far (group commit is observable in tests). */
  get commits(): number {
    return this.commitCount;
  }

  publish(events: readonly CallEvent[]): Promise<void> {
    if (this.closing) return Promise.reject(new Error('spool bus is closed'));
    let rows: PendingPublish['rows'];
    try {
      rows = events.map((event) => {
        if (typeof event?.id !== 'string' || event.id === '') throw new TypeError('event without an id');
        return { id: event.id, okey: orderingKey(event), body: JSON.stringify(event) };
      });
    } catch (err) {
      return Promise.reject(err);
    }
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ rows, resolve, reject });
      this.scheduleFlush();
    });
  }

  consume(handler: EventHandler, options: SpoolConsumeOptions = {}): Consumer {
    if (this.closing) throw new Error('spool bus is closed');
    if (this.consumer) throw new Error('this spool already has a consumer');
    const spool: SpoolAccess = {
      fetch: (afterSeq, limit) => this.statements.fetch.all(afterSeq, limit) as SpoolRow[],
      markDone: (seq) => this.recordDone(seq),
      flushAcks: () => this.flushAcks(),
      markRetry: (seq, attempts, nextAt, error) => void this.statements.retry.run(attempts, nextAt, error.slice(0, 2000), seq),
      markDead: (seq, attempts, error) => void this.statements.dead.run(attempts, error.slice(0, 2000), seq),
      maxPendingSeq: () => (this.statements.maxPending.get() as { seq: number | null }).seq,
      settlePublishes: () => this.settlePublishes(),
    };
    const consumer = new SpoolConsumer(spool, handler, {
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      retryDelayMs: Math.max(0, options.retryDelayMs ?? 100),
      maxRetryDelayMs: options.maxRetryDelayMs ?? Infinity,
      retryLogLevel: options.retryLogLevel ?? 'warn',
      concurrency: Math.max(1, options.concurrency ?? 1),
      pollIntervalMs: this.options.pollIntervalMs ?? 500,
      fetchBatch: this.options.fetchBatch ?? 500,
      logger: this.options.logger,
      onPoll: () => this.maybePrune(),
      onStopped: () => {
        if (this.consumer === consumer) this.consumer = null;
      },
    });
    this.consumer = consumer;
    return consumer;
  }

  async depth(): Promise<number> {
    // Done marks are written together at the end of the turn: write them now, so they are not counted.
    this.flushAcks();
    return (this.statements.depth.get() as { n: number }).n;
  }

  async deadLetters(): Promise<CallEvent[]> {
    const rows = this.statements.deadRows.all() as Array<{ body: string }>;
    return rows.flatMap((row) => {
      try {
        return [JSON.parse(row.body) as CallEvent];
      } catch {
        return [];
      }
    });
  }

  /** Stops the consumer (waiting for its in-flight handler), writes queued publishes, closes the file. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.consumer?.stop();
      await this.settlePublishes();
      this.db.close();
    })();
    return this.closing;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = new Promise<void>((resolve) => {
      setImmediate(() => {
        this.flushScheduled = null;
        this.flush();
        resolve();
      });
    });
  }

  /** Resolves after every publish queued so far has been written or rejected. */
  private async settlePublishes(): Promise<void> {
    while (this.flushScheduled) await this.flushScheduled;
  }

  private flush(): void {
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 0) return;
    const now = Date.now();
    try {
      this.db.transaction(() => {
        for (const pending of batch) {
          for (const row of pending.rows) this.statements.insert.run(row.id, row.okey, row.body, now);
        }
      }).immediate();
      this.commitCount++;
    } catch (err) {
      this.options.logger?.error({ err, publishes: batch.length }, 'spool write failed; the batch is rejected');
      for (const pending of batch) pending.reject(err);
      return;
    }
    for (const pending of batch) pending.resolve();
    this.consumer?.wake();
  }

  private recordDone(seq: number): void {
    this.acks.push(seq);
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => this.flushAcks());
  }

  /** Done marks of one turn in one transaction. If it fails the rows stay pending and come back on the next open. */
  private flushAcks(): void {
    this.ackScheduled = false;
    const acks = this.acks;
    if (acks.length === 0) return;
    this.acks = [];
    const now = Date.now();
    try {
      this.db.transaction(() => {
        for (const seq of acks) this.statements.done.run(now, seq);
      }).immediate();
    } catch (err) {
      this.options.logger?.error({ err, events: acks.length }, 'spool: recording handled events failed; they will be delivered again after a restart');
    }
  }

  private maybePrune(): void {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.prune(now);
  }

  private prune(now: number): void {
    this.lastPrune = now;
    const before = now - (this.options.dedupeWindowMs ?? 60_000);
    try {
      while (this.statements.prune.run(before, PRUNE_CHUNK).changes === PRUNE_CHUNK) { /* next chunk */ }
    } catch (err) {
      this.options.logger?.warn({ err }, 'spool prune failed');
    }
  }
}
