/**
 * The spool's outcome marks and its write health, owned by SqliteSpoolBus: done/dead marks
 * batched into one transaction (up to ACK_DELAY_MS or ACK_BATCH marks), marks whose write failed
 * kept and written again with backoff, and while publishing fails a probe write that finds out
 * when an event fits again. Every write's outcome is told to the StorageWatch.
 */
import { backoffDelay } from '../../../protocol/backoff';
import type { Logger } from '../../../shared/logger';
import type { StorageWatch } from '../../../shared/storageHealth';
import type { SqliteDatabase } from '../database';

/** A handled (done) or set-aside (dead) event whose mark is still to be written. */
export type Outcome = { kind: 'done'; seq: number } | { kind: 'dead'; seq: number; attempts: number; error: string };

export interface SpoolOutcomesOptions {
  logger?: Logger;
  storage?: StorageWatch;
  writeRetry?: { baseMs: number; capMs: number };
  /** The bus is closing: no retry is scheduled or run any more. */
  isClosing: () => boolean;
  /** After marks were written: pruning follows the work. */
  onRecorded: () => void;
}

/** The size of a phone event in the spool, about: what the write probe inserts (and removes) to see whether one fits again. */
const PROBE_BYTES = 2_048;
const DEFAULT_WRITE_RETRY = { baseMs: 100, capMs: 5_000 };

/**
 * Outcome marks share one transaction for up to ACK_DELAY_MS or ACK_BATCH marks: per turn was a
 * commit per two events embedded (the consumer yields after two handlers), and the commit costs
 * most. A crash in between means redeliveries (allowed); depth(), drained() and stop() write them.
 */
const ACK_DELAY_MS = 20;
const ACK_BATCH = 256;

export class SpoolOutcomes {
  private commitCount = 0;
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

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: SpoolOutcomesOptions,
  ) {
    this.statements = {
      done: db.prepare("UPDATE spool_events SET state = 'done', done_at = ?, body = '' WHERE seq = ?"),
      dead: db.prepare("UPDATE spool_events SET state = 'dead', attempts = ?, last_error = ? WHERE seq = ?"),
      probeInsert: db.prepare("INSERT INTO spool_events (id, okey, body, state, published_at, done_at) VALUES (?, '', ?, 'done', 0, 0)"),
      probeDelete: db.prepare('DELETE FROM spool_events WHERE id = ?'),
    };
  }

  /** Transactions that recorded handled (or set-aside) events so far. */
  get commits(): number {
    return this.commitCount;
  }

  /** Marks whose write failed so far, still to be written. */
  get unrecordedCount(): number {
    return this.unrecorded.length;
  }

  record(outcome: Outcome): void {
    this.acks.push(outcome);
    if (this.ackImmediate) return;
    // Enough for one transaction: the rest of this turn's marks (a relayed batch) still join it.
    if (this.acks.length >= ACK_BATCH) this.ackImmediate = setImmediate(() => this.flush());
    else this.ackTimer ??= setTimeout(() => this.flush(), ACK_DELAY_MS);
  }

  /**
   * Waiting outcome marks (ACK_DELAY_MS) in one transaction, with those whose write failed before. When
   * it fails (a full disk) they are kept and written again with backoff, so the events stop counting
   * as pending as soon as there is space, without a restart; until then a kill -9 only means
   * they are delivered again (handlers are idempotent).
   */
  flush(): void {
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
      this.commitCount++;
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
    // Pruning follows the work (the bus's, at most every PRUNE_EVERY_MS); the slow poll prunes what is left after it.
    this.options.onRecorded();
  }

  /** A publish write failed: health goes down and the probe retries with backoff. */
  publishFailed(err: unknown): void {
    this.publishFailing = true;
    this.writeFailed(err);
  }

  publishSucceeded(): void {
    this.publishFailing = false;
    this.writeSucceeded();
  }

  /** On close: marks still unwritten leave their events pending (delivered again after a restart). */
  stopRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
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
    if (this.options.isClosing() || this.retryTimer) return;
    const delay = backoffDelay(attempt, this.options.writeRetry ?? DEFAULT_WRITE_RETRY);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.options.isClosing()) return;
      if (this.unrecorded.length > 0) this.flush();
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
}
