import { orderingKey, type CallEvent } from '../../../domain/events/CallEvent';
import { backoffDelay } from '../../../protocol/backoff';
import type { Logger } from '../../../shared/logger';
import type { StorageWatch } from '../../../shared/storageHealth';
import { ensureIncrementalVacuum, openDatabase, reclaimFreePages, type SqliteDatabase } from '../database';
import type { Consumer, EventBus, EventHandler } from '../../../domain/bus/EventBus';
import { SpoolConsumer, type SpoolAccess, type SpoolBatchHandler, type SpoolConsumeOptions, type SpoolWork } from './SpoolConsumer';

export type { SpoolConsumeOptions } from './SpoolConsumer';
import { migrateSpool, type SpoolRow } from './schema';

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

/** A handled (done) or set-aside (dead) event whose mark is still to be written. */
type Outcome = { kind: 'done'; seq: number } | { kind: 'dead'; seq: number; attempts: number; error: string };

/** The size of a phone event in the spool, about: what the write probe inserts (and removes) to see whether one fits again. */
const PROBE_BYTES = 2_048;
const DEFAULT_WRITE_RETRY = { baseMs: 100, capMs: 5_000 };

const PRUNE_EVERY_MS = 5_000;
/**
 * Outcome marks share one transaction for up to ACK_DELAY_MS or ACK_BATCH marks: per turn was a
 * commit per two events embedded (the consumer yields after two handlers), and the commit costs
 * most. A crash in between means redeliveries (allowed); depth(), drained() and stop() write them.
 */
const ACK_DELAY_MS = 20;
const ACK_BATCH = 256;
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
 *   are allowed).
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
  private outcomeCommitCount = 0;
  private acks: Outcome[] = [];
  /** Outcome marks wait for their transaction: ACK_DELAY_MS, or the next turn once ACK_BATCH wait. */
  private ackTimer: NodeJS.Timeout | null = null;
  private ackImmediate: NodeJS.Immediate | null = null;
  /** Outcome marks whose write failed (a full disk): kept and written again until they are, so the depth comes back to 0 without a restart. */
  private unrecorded: Outcome[] = [];
  /** The last publish write failed (the phones got 503s): a probe write finds out when one fits again. */
  private publishFailing = false;
  private writeFailures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
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
      done: db.prepare("UPDATE spool_events SET state = 'done', done_at = ?, body = '' WHERE seq = ?"),
      retry: db.prepare('UPDATE spool_events SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?'),
      dead: db.prepare("UPDATE spool_events SET state = 'dead', attempts = ?, last_error = ? WHERE seq = ?"),
      depth: db.prepare("SELECT COUNT(*) AS n FROM spool_events WHERE state = 'pending'"),
      maxPending: db.prepare("SELECT MAX(seq) AS seq FROM spool_events WHERE state = 'pending'"),
      deadRows: db.prepare("SELECT body FROM spool_events WHERE state = 'dead' ORDER BY seq"),
      probeInsert: db.prepare("INSERT INTO spool_events (id, okey, body, state, published_at, done_at) VALUES (?, '', ?, 'done', 0, 0)"),
      probeDelete: db.prepare('DELETE FROM spool_events WHERE id = ?'),
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
    return this.outcomeCommitCount;
  }

  publish(events: readonly CallEvent[]): Promise<void> {
    if (this.closing) return Promise.reject(new Error('spool bus is closed'));
    let rows: PendingPublish['rows'];
    try {
      rows = events.map((event) => {
        if (typeof event?.id !== 'string' || event.id === '') throw new TypeError('event without an id');
        return { seq: 0, id: event.id, okey: orderingKey(event), body: JSON.stringify(event), attempts: 0, next_at: 0 };
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
      markDone: (seq) => this.recordOutcome({ kind: 'done', seq }),
      flushAcks: () => this.flushAcks(),
      markRetry: (seq, attempts, nextAt, error) => void this.statements.retry.run(attempts, nextAt, error.slice(0, 2000), seq),
      markDead: (seq, attempts, error) => this.recordOutcome({ kind: 'dead', seq, attempts, error: error.slice(0, 2000) }),
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
    return this.unrecorded.length;
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
      if (this.retryTimer) clearTimeout(this.retryTimer);
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
      this.publishFailing = true;
      this.writeFailed(err);
      return;
    }
    this.publishFailing = false;
    this.writeSucceeded();
    for (const pending of batch) pending.resolve();
    this.consumer?.wake(written);
  }

  private recordOutcome(outcome: Outcome): void {
    this.acks.push(outcome);
    if (this.ackImmediate) return;
    // Enough for one transaction: the rest of this turn's marks (a relayed batch) still join it.
    if (this.acks.length >= ACK_BATCH) this.ackImmediate = setImmediate(() => this.flushAcks());
    else this.ackTimer ??= setTimeout(() => this.flushAcks(), ACK_DELAY_MS);
  }

  /**
   * Waiting outcome marks (ACK_DELAY_MS) in one transaction, with those whose write failed before. When
   * it fails (a full disk) they are kept and written again with backoff, so the events stop counting
   * as pending as soon as there is space, without a restart; until then a kill -9 only means
   * they are delivered again (handlers are idempotent).
   */
  private flushAcks(): void {
    if (this.ackImmediate) clearImmediate(this.ackImmediate);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackImmediate = this.ackTimer = null;
    if (this.acks.length === 0 && this.unrecorded.length === 0) return;
    const outcomes = [...this.unrecorded, ...this.acks];
    this.acks = [];
    const now = Date.now();
    try {
      this.db.transaction(() => {
        for (const o of outcomes) {
          if (o.kind === 'done') this.statements.done.run(now, o.seq);
          else this.statements.dead.run(o.attempts, o.error, o.seq);
        }
      }).immediate();
      this.outcomeCommitCount++;
    } catch (err) {
      if (this.unrecorded.length === 0) {
        this.options.logger?.error({ err, events: outcomes.length }, 'spool: recording handled events failed; retrying until it can be written');
      }
      this.unrecorded = outcomes;
      this.writeFailed(err);
      return;
    }
    if (this.unrecorded.length > 0) this.options.logger?.info({ events: this.unrecorded.length }, 'spool: handled events recorded after all');
    this.unrecorded = [];
    this.writeSucceeded();
    // Pruning follows the work (at most every PRUNE_EVERY_MS); the slow poll prunes what is left after it.
    this.maybePrune();
  }

  private writeFailed(err: unknown): void {
    this.options.storage?.failed(err);
    this.scheduleRetry(this.writeFailures++);
  }

  /** Up again once neither publishing nor an outcome mark is failing. */
  private writeSucceeded(): void {
    if (this.publishFailing || this.unrecorded.length > 0) return;
    this.writeFailures = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.options.storage?.succeeded();
  }

  private scheduleRetry(attempt: number): void {
    if (this.closing || this.retryTimer) return;
    const delay = backoffDelay(attempt, this.options.writeRetry ?? DEFAULT_WRITE_RETRY);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.closing) return;
      if (this.unrecorded.length > 0) this.flushAcks();
      else if (this.publishFailing) this.probe();
    }, delay);
    this.retryTimer.unref();
  }

  /**
   * While publishing fails, whether an event would fit now: a row of an event's size written and
   * removed in one transaction (it needs the space, and leaves nothing). The phones' next
   * requests are then accepted, and health says so before they come.
   */
  private probe(): void {
    const id = `probe:${process.pid}:${Date.now()}`;
    try {
      this.db.transaction(() => {
        this.statements.probeInsert.run(id, 'x'.repeat(PROBE_BYTES));
        this.statements.probeDelete.run(id);
      }).immediate();
    } catch (err) {
      this.writeFailed(err);
      return;
    }
    this.publishFailing = false;
    this.writeSucceeded();
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
