/**
 * The embedded event bus (class comment below): publishing with group commit, consumers, pruning.
 * Its outcome marks and write retries are in SpoolOutcomes.ts, its consumer in SpoolConsumer.ts.
 */
import { copyCallEvent, orderingKey, type CallEvent } from '../../../domain/events/CallEvent';
import type { Logger } from '../../../shared/logger';
import type { StorageWatch } from '../../../shared/storageHealth';
import { ensureIncrementalVacuum, openDatabase, reclaimFreePages, type SqliteDatabase } from '../database';
import type { Consumer, EventBus, EventHandler } from '../../../domain/bus/EventBus';
import { SpoolConsumer, type SpoolAccess, type SpoolBatchHandler, type SpoolConsumeOptions, type SpoolWork } from './SpoolConsumer';

export type { SpoolConsumeOptions } from './SpoolConsumer';
import { migrateSpool, type SpoolRow } from './schema';
import { SpoolOutcomes } from './SpoolOutcomes';

export interface SqliteSpoolBusOptions {
  logger?: Logger;
  /**
   * Slow poll for rows another process wrote to the same file, and for pruning once the work has
   * stopped (default 30 s). Same-process publishes wake the consumer at once, so an idle process
   * does not wake for the spool (docs/architecture.md, Idle).
   */
  pollIntervalMs?: number;
  /** How long handled events are remembered, so publishing the same id again is still ignored (default 60 s). */
  dedupeWindowMs?: number;
  /** Rows read from the file per fetch (default 500). */
  fetchBatch?: number;
  /** WAL pages before this connection checkpoints itself (SQLite's default 1000; raise it when a WalCheckpointer runs). */
  checkpointPages?: number;
  /** Told of every write's outcome (health: a full disk shows as the spool down, with its reason). */
  storage?: StorageWatch;
  /** Retry timing of outcome writes that failed, and of the write probe while publishing fails (default 100 ms doubling to 5 s). */
  writeRetry?: { baseMs: number; capMs: number };
}

interface PendingPublish {
  /** Their seq is set once written. */
  rows: SpoolRow[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

const PRUNE_EVERY_MS = 5_000;
const DEFAULT_POLL_MS = 30_000;
const PRUNE_CHUNK = 5_000;
/**
 * The spool file gives back what pruning frees (incremental auto_vacuum): a backlog of hours
 * (RabbitMQ away) no longer leaves a file of its size behind once forwarded. A few free pages
 * are kept for the next writes; each pass gives back at most RECLAIM_MAX_PAGES (a short write).
 */
const RECLAIM_KEEP_PAGES = 256;
const RECLAIM_MAX_PAGES = 4_096;

/**
 * The embedded event bus: a spool table in its own SQLite file (WAL, synchronous NORMAL).
 *
 * - publish() group-commits: every publish() call made in one turn of the event loop is
 *   written in one transaction on setImmediate, then all of their promises resolve (or all
 *   reject when that write fails). Events are inserted OR IGNORE by id.
 * - One consumer per bus instance, and one consuming process per file: in-flight state lives
 *   in memory, so after a crash every event not marked done is pending again and is
 *   delivered on the next consume(). Other processes may publish to the same file; their
 *   rows are picked up by a slow poll (pollIntervalMs, 30 s).
 * - A row is marked done only after its handler resolved; the done marks of up to 20 ms (or 256
 *   marks) are written in one transaction (a kill -9 in between only means redeliveries, which
 *   are allowed); see SpoolOutcomes.ts.
 * - Handled rows are kept (without their body) for dedupeWindowMs, then pruned, and the pages
 *   they took are given back to the file system (incremental auto_vacuum), so the file shrinks
 *   back after a backlog.
 */
export class SqliteSpoolBus implements EventBus {
  private queued: PendingPublish[] = [];
  private flushScheduled: Promise<void> | null = null;
  private consumer: SpoolConsumer | null = null;
  private closing: Promise<void> | null = null;
  private lastPrune = 0;
  private commitCount = 0;
  /** Done/dead marks, batched and retried; also the write health (StorageWatch, probe) publishing reports to. */
  private readonly outcomes: SpoolOutcomes;
  private readonly statements;
  /** flush()'s write, made once: better-sqlite3 builds four wrapper functions for every db.transaction(). */
  private readonly insertBatch: (batch: PendingPublish[], now: number, written: SpoolRow[]) => void;

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
      retry: db.prepare('UPDATE spool_events SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?'),
      depth: db.prepare("SELECT COUNT(*) AS n FROM spool_events WHERE state = 'pending'"),
      maxPending: db.prepare("SELECT MAX(seq) AS seq FROM spool_events WHERE state = 'pending'"),
      deadRows: db.prepare("SELECT body FROM spool_events WHERE state = 'dead' ORDER BY seq"),
      prune: db.prepare(
        "DELETE FROM spool_events WHERE seq IN (SELECT seq FROM spool_events WHERE state = 'done' AND done_at <= ? LIMIT ?)",
      ),
      oldestPending: db.prepare("SELECT MIN(published_at) AS at FROM spool_events WHERE state = 'pending'"),
    };
    this.insertBatch = db.transaction((batch: PendingPublish[], now: number, written: SpoolRow[]) => {
      for (const pending of batch) {
        for (const row of pending.rows) {
          const { changes, lastInsertRowid } = this.statements.insert.run(row.id, row.okey, row.body, now);
          // Handed to the consumer as they are (SpoolConsumer.wake); an id already spooled is not written again.
          if (changes === 1) written.push(Object.assign(row, { seq: Number(lastInsertRowid) }));
        }
      }
    }).immediate;
    this.outcomes = new SpoolOutcomes(db, {
      logger: options.logger,
      storage: options.storage,
      writeRetry: options.writeRetry,
      isClosing: () => this.closing !== null,
      onRecorded: () => this.maybePrune(),
    });
  }

  /** Opens (creating if needed) the spool file. Synchronous: better-sqlite3 opens and migrates in place. */
  static open(file: string, options: SqliteSpoolBusOptions = {}): SqliteSpoolBus {
    const db = openDatabase(file, { checkpointPages: options.checkpointPages, autoVacuum: 'incremental', logger: options.logger });
    try {
      migrateSpool(db);
      // A spool file of an older Ringside has no auto_vacuum: switched once (a VACUUM), which
      // also gives back whatever its pruned rows had left.
      if (ensureIncrementalVacuum(db)) options.logger?.info({ file }, 'spool: switched to incremental vacuum (once)');
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

  /** Transactions that recorded handled (or set-aside) events so far: a relayed batch's marks share one. */
  get outcomeCommits(): number {
    return this.outcomes.commits;
  }

  publish(events: readonly CallEvent[]): Promise<void> {
    if (this.closing) return Promise.reject(new Error('spool bus is closed'));
    let rows: PendingPublish['rows'];
    try {
      rows = events.map((event) => {
        if (typeof event?.id !== 'string' || event.id === '') throw new TypeError('event without an id');
        return { seq: 0, id: event.id, okey: orderingKey(event), body: JSON.stringify(event), attempts: 0, next_at: 0, event: copyCallEvent(event) };
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
    return this.startConsumer({ each: handler }, options);
  }

  /** Consumes in batches (the outbox relay): the next events of up to `batchSize` ordering keys at once, one per key. */
  consumeBatches(handler: SpoolBatchHandler, options: SpoolConsumeOptions & { batchSize: number }): Consumer {
    return this.startConsumer({ batches: handler, size: Math.max(1, options.batchSize) }, options);
  }

  private startConsumer(work: SpoolWork, options: SpoolConsumeOptions): Consumer {
    if (this.closing) throw new Error('spool bus is closed');
    if (this.consumer) throw new Error('this spool already has a consumer');
    const spool: SpoolAccess = {
      fetch: (afterSeq, limit) => this.statements.fetch.all(afterSeq, limit) as SpoolRow[],
      markDone: (seq) => this.outcomes.record({ kind: 'done', seq }),
      flushAcks: () => this.flushAcks(),
      markRetry: (seq, attempts, nextAt, error) => void this.statements.retry.run(attempts, nextAt, error.slice(0, 2000), seq),
      markDead: (seq, attempts, error) => this.outcomes.record({ kind: 'dead', seq, attempts, error: error.slice(0, 2000) }),
      maxPendingSeq: () => (this.statements.maxPending.get() as { seq: number | null }).seq,
      settlePublishes: () => this.settlePublishes(),
    };
    const consumer = new SpoolConsumer(spool, work, {
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      retryDelayMs: Math.max(0, options.retryDelayMs ?? 100),
      maxRetryDelayMs: options.maxRetryDelayMs ?? Infinity,
      retryLogLevel: options.retryLogLevel ?? 'warn',
      concurrency: Math.max(1, options.concurrency ?? 1),
      pollIntervalMs: this.options.pollIntervalMs ?? DEFAULT_POLL_MS,
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

  /** Handled or set-aside events whose mark could not be written yet (they still count in depth()); retried in the background. */
  get unrecordedOutcomes(): number {
    return this.outcomes.unrecordedCount;
  }

  /**
   * When the oldest event still pending here was published (epoch ms), or null. Its handling may
   * have committed before a crash took its done mark: such an event comes again, so the handled
   * markers of anything newer must outlive it (server.ts, handled markers).
   */
  oldestPendingAt(): number | null {
    this.flushAcks();
    return (this.statements.oldestPending.get() as { at: number | null }).at;
  }

  /** Prunes handled rows past the dedupe window and gives their pages back now (tests; otherwise after handling, at most every 5 s, and on the slow poll). */
  housekeeping(now = Date.now()): { pruned: number; reclaimedPages: number } {
    this.flushAcks();
    return this.prune(now);
  }

  async deadLetters(): Promise<CallEvent[]> {
    // An event set aside a moment ago has its mark still waiting: written first, so it is listed.
    this.flushAcks();
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
      this.outcomes.stopRetry();
      // Marks still unwritten leave their events pending: they are delivered again after a restart.
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
    const written: SpoolRow[] = [];
    try {
      this.insertBatch(batch, now, written);
      this.commitCount++;
    } catch (err) {
      this.options.logger?.error({ err, publishes: batch.length }, 'spool write failed; the batch is rejected');
      for (const pending of batch) pending.reject(err);
      this.outcomes.publishFailed(err);
      return;
    }
    this.outcomes.publishSucceeded();
    for (const pending of batch) pending.resolve();
    this.consumer?.wake(written);
  }

  /** Writes the outcome marks waiting for their transaction now (SpoolOutcomes.flush). */
  private flushAcks(): void {
    this.outcomes.flush();
  }

  private maybePrune(): void {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.prune(now);
  }

  private prune(now: number): { pruned: number; reclaimedPages: number } {
    this.lastPrune = now;
    const before = now - (this.options.dedupeWindowMs ?? 60_000);
    let pruned = 0;
    let reclaimedPages = 0;
    try {
      for (;;) {
        const { changes } = this.statements.prune.run(before, PRUNE_CHUNK);
        pruned += changes;
        if (changes < PRUNE_CHUNK) break;
      }
      reclaimedPages = reclaimFreePages(this.db, { keepPages: RECLAIM_KEEP_PAGES, maxPages: RECLAIM_MAX_PAGES });
    } catch (err) {
      this.options.logger?.warn({ err }, 'spool prune failed');
    }
    return { pruned, reclaimedPages };
  }
}
