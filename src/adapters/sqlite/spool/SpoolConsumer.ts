import type { CallEvent } from '../../../domain/events/CallEvent';
import { asRelayed } from '../../../domain/bus/relayedEvents';
import { backoffDelay } from '../../../protocol/backoff';
import type { Logger } from '../../../shared/logger';
import type { ConsumeOptions, Consumer, EventHandler } from '../../../domain/bus/EventBus';
import type { SpoolRow } from './schema';

/** What the consumer needs from the spool file (implemented by SqliteSpoolBus). */
export interface SpoolAccess {
  /** Pending rows with seq > afterSeq in seq order. */
  fetch(afterSeq: number, limit: number): SpoolRow[];
  /** Records a handled row; written with others in one transaction shortly after (SpoolOutcomes.ts, ACK_DELAY_MS) or by flushAcks. */
  markDone(seq: number): void;
  /** Writes the recorded done marks now. */
  flushAcks(): void;
  markRetry(seq: number, attempts: number, nextAt: number, error: string): void;
  markDead(seq: number, attempts: number, error: string): void;
  /** Highest seq still pending in the file (any process), or null. */
  maxPendingSeq(): number | null;
  /** Resolves once publishes queued in this process so far are committed (or failed). */
  settlePublishes(): Promise<void>;
}

/** What SqliteSpoolBus.consume() and consumeBatches() are asked for. */
export interface SpoolConsumeOptions extends ConsumeOptions {
  /** Different ordering keys handled at the same time (default 1). Events of one key never overlap. */
  concurrency?: number;
  /** Upper bound of the doubling retry delay (default: none). An outbox relay that retries forever sets it. */
  maxRetryDelayMs?: number;
  /** 'debug' silences the line per retry, for a caller that reports the cause once itself (default 'warn'). */
  retryLogLevel?: 'warn' | 'debug';
}

/**
 * Handles several events of different ordering keys at once (the outbox relay) and resolves with
 * the ids of those it could not handle, with why; rejecting fails them all. The events come in
 * seq order, carrying the JSON they were spooled as (domain/bus/relayedEvents.ts).
 */
export type SpoolBatchHandler = (events: readonly CallEvent[]) => Promise<ReadonlyMap<string, unknown>>;

/** One event at a time per handler call, or batches of the head events of up to `size` keys. */
export type SpoolWork = { each: EventHandler } | { batches: SpoolBatchHandler; size: number };

export interface SpoolConsumerOptions {
  maxAttempts: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** Different ordering keys handled at the same time (one event per key at most), batches included. */
  concurrency: number;
  /** Slow poll for rows written by another process on the same file. */
  pollIntervalMs: number;
  fetchBatch: number;
  logger?: Logger;
  /** Level of the line logged for each retry ('debug' where the caller reports outages itself). */
  retryLogLevel: 'warn' | 'debug';
  /** Periodic housekeeping (pruning done rows), called from the poll timer. */
  onPoll?: () => void;
  onStopped: () => void;
}

/** FIFO of keys whose head event can run now. */
class KeyQueue {
  private items: string[] = [];
  private head = 0;
  get length(): number { return this.items.length - this.head; }
  push(key: string): void { this.items.push(key); }
  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
    return key;
  }
}

interface DrainWaiter { target: number; generation: number; resolve: () => void; reject: (err: Error) => void }

/**
 * One consumer of a spool. Rows are read in seq order into per-key queues; each key is in
 * exactly one of: the ready queue, the delayed map (backing off after a failure), or in flight.
 * Only the head of a key's queue ever runs, so a key's events are handled in publish order,
 * and a key that backs off never holds up the others.
 */
/** Handlers run back to back before the consumer lets pending I/O in. */
const HANDLERS_PER_TURN = 2;

export class SpoolConsumer implements Consumer {
  private readonly queues = new Map<string, SpoolRow[]>();
  private readonly ready = new KeyQueue();
  private readonly delayed = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private lastSeq = 0;
  private exhausted = false;
  /** Counts fetches that reached the end of the pending rows (drained() uses it). */
  private exhaustedGeneration = 0;
  private stopped = false;
  private stopping: Promise<void> | null = null;
  private burst = 0;
  private pumpScheduled = false;
  private delayTimer: NodeJS.Timeout | null = null;
  private delayTimerAt = Infinity;
  private readonly pollTimer: NodeJS.Timeout;
  private waiters: DrainWaiter[] = [];

  constructor(
    private readonly spool: SpoolAccess,
    private readonly work: SpoolWork,
    private readonly options: SpoolConsumerOptions,
  ) {
    this.pollTimer = setInterval(() => {
      this.options.onPoll?.();
      this.wake();
    }, options.pollIntervalMs);
    this.pollTimer.unref();
    this.schedulePump();
  }

  /**
   * New rows may exist: `written`, just committed by this process, or any (the poll timer fired:
   * no `written`). Written rows that directly follow the last one read are taken as they are,
   * saving a read of the file; otherwise (another process's rows in between) the file is read.
   */
  wake(written?: readonly SpoolRow[]): void {
    if (this.stopped) return;
    if (!written || !this.exhausted || !this.take(written)) this.exhausted = false;
    this.schedulePump();
  }

  /** Queues the rows while each one is the next seq after the last read; false at the first that is not. */
  private take(rows: readonly SpoolRow[]): boolean {
    const now = Date.now();
    for (const row of rows) {
      if (row.seq !== this.lastSeq + 1) return false;
      this.enqueue(row, now);
    }
    return true;
  }

  async drained(): Promise<void> {
    if (this.stopped) throw new Error('consumer stopped');
    await this.spool.settlePublishes();
    const target = this.spool.maxPendingSeq();
    // In-flight rows are still pending in the file, so nothing pending means nothing to wait for.
    if (target === null) return;
    return new Promise((resolve, reject) => {
      this.waiters.push({ target, generation: this.exhaustedGeneration, resolve, reject });
      this.wake();
    });
  }

  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopped = true;
    clearInterval(this.pollTimer);
    if (this.delayTimer) clearTimeout(this.delayTimer);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(new Error('consumer stopped before the spool drained'));
    this.stopping = Promise.allSettled([...this.inFlight.values()]).then(() => {
      this.spool.flushAcks();
      this.options.onStopped();
    });
    return this.stopping;
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.burst = 0;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped) return;
    try {
      for (;;) {
        this.promoteDelayed(Date.now());
        while (this.inFlight.size < this.options.concurrency && this.ready.length > 0) {
          if ('each' in this.work) this.start(this.ready.shift()!, this.work.each);
          else this.startBatch(this.work.batches, this.work.size);
        }
        if (this.inFlight.size >= this.options.concurrency || this.exhausted) break;
        if (this.fetch() === 0) break;
      }
    } catch (err) {
      this.options.logger?.error({ err }, 'spool consumer: reading the spool failed');
    }
    this.armDelayTimer();
    this.checkDrained();
  }

  private fetch(): number {
    const rows = this.spool.fetch(this.lastSeq, this.options.fetchBatch);
    if (rows.length < this.options.fetchBatch) {
      this.exhausted = true;
      this.exhaustedGeneration++;
    }
    const now = Date.now();
    for (const row of rows) this.enqueue(row, now);
    return rows.length;
  }

  private enqueue(row: SpoolRow, now: number): void {
    this.lastSeq = row.seq;
    const queue = this.queues.get(row.okey);
    if (queue) { queue.push(row); return; }
    this.queues.set(row.okey, [row]);
    if (row.next_at > now) this.delayed.set(row.okey, row.next_at);
    else this.ready.push(row.okey);
  }

  private promoteDelayed(now: number): void {
    for (const [key, at] of this.delayed) {
      if (at <= now) { this.delayed.delete(key); this.ready.push(key); }
    }
  }

  private armDelayTimer(): void {
    let next = Infinity;
    for (const at of this.delayed.values()) next = Math.min(next, at);
    if (next === this.delayTimerAt) return;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimer = null;
    this.delayTimerAt = next;
    if (next === Infinity || this.stopped) return;
    this.delayTimer = setTimeout(() => {
      this.delayTimer = null;
      this.delayTimerAt = Infinity;
      this.pump();
    }, Math.max(0, next - Date.now()));
    this.delayTimer.unref();
  }

  private start(key: string, handler: EventHandler): void {
    const row = this.queues.get(key)![0]!;
    const run = this.run(key, row, handler).finally(() => {
      this.inFlight.delete(key);
      if (this.stopped) return;
      // Yield to I/O between handlers: with a backlog, the phone's requests (whose 200 only
      // waits for the spool write) must not queue behind event handling.
      if (++this.burst < HANDLERS_PER_TURN) this.pump();
      else this.schedulePump();
    });
    this.inFlight.set(key, run);
  }

  private async run(key: string, row: SpoolRow, handler: EventHandler): Promise<void> {
    const event = this.read(key, row);
    if (!event) return;
    try {
      await handler(event, { firstDelivery: isFirstAttempt(row) });
    } catch (err) {
      this.failed(key, row, event, err);
      return;
    }
    this.settle(key, row, () => this.spool.markDone(row.seq), true);
  }

  /**
   * The head rows of up to `size` ready keys, handed to the handler together in seq order; each
   * key is in flight until the whole batch is answered, so a key still has one event at a time.
   */
  private startBatch(handler: SpoolBatchHandler, size: number): void {
    const rows: SpoolRow[] = [];
    const room = Math.min(size, this.options.concurrency - this.inFlight.size);
    while (rows.length < room && this.ready.length > 0) rows.push(this.queues.get(this.ready.shift()!)![0]!);
    rows.sort((a, b) => a.seq - b.seq);
    const run = this.runBatch(rows, handler).finally(() => {
      // A key whose row was set aside unread has run again meanwhile: that run is its own.
      for (const row of rows) if (this.inFlight.get(row.okey) === run) this.inFlight.delete(row.okey);
      this.schedulePump();
    });
    for (const row of rows) this.inFlight.set(row.okey, run);
  }

  private async runBatch(rows: SpoolRow[], handler: SpoolBatchHandler): Promise<void> {
    const taken: Array<{ row: SpoolRow; event: CallEvent }> = [];
    for (const row of rows) {
      const event = this.read(row.okey, row);
      if (event) taken.push({ row, event: asRelayed(event, { json: row.body, firstPublish: isFirstAttempt(row) }) });
    }
    if (taken.length === 0) return;
    let refused: ReadonlyMap<string, unknown>;
    try {
      refused = await handler(taken.map(({ event }) => event));
    } catch (err) {
      refused = new Map(taken.map(({ event }) => [event.id, err]));
    }
    for (const { row, event } of taken) {
      if (refused.has(event.id)) this.failed(row.okey, row, event, refused.get(event.id));
      else this.settle(row.okey, row, () => this.spool.markDone(row.seq), true);
    }
  }

  /** The row's event; null for a row that is not one, which is set aside as dead. */
  private read(key: string, row: SpoolRow): CallEvent | null {
    if (row.event) return row.event;
    try {
      return JSON.parse(row.body) as CallEvent;
    } catch (err) {
      this.settle(key, row, () => this.spool.markDead(row.seq, row.attempts + 1, `unreadable event: ${String(err)}`), true);
      return null;
    }
  }

  private failed(key: string, row: SpoolRow, event: CallEvent, err: unknown): void {
    const attempts = row.attempts + 1;
    const message = err instanceof Error ? err.message : String(err);
    const log = { eventId: event.id, type: event.type, attempts, err: message };
    if (attempts >= this.options.maxAttempts) {
      this.options.logger?.error(log, 'event set aside as dead after repeated handler failures');
      this.settle(key, row, () => this.spool.markDead(row.seq, attempts, message), true);
      return;
    }
    const nextAt = Date.now() + backoffDelay(attempts - 1, { baseMs: this.options.retryDelayMs, capMs: this.options.maxRetryDelayMs });
    this.options.logger?.[this.options.retryLogLevel](log, 'event handler failed; will retry');
    this.settle(key, row, () => this.spool.markRetry(row.seq, attempts, nextAt, message), false);
    row.attempts = attempts;
    row.next_at = nextAt;
    this.delayed.set(key, nextAt);
  }

  /** Writes the outcome; when the row leaves the key's queue, the key's next row becomes ready. */
  private settle(key: string, row: SpoolRow, write: () => void, leaves: boolean): void {
    try {
      write();
    } catch (err) {
      // The row stays pending in the file and comes back on the next open; keep order in memory.
      this.options.logger?.error({ err, eventId: row.id }, 'spool consumer: recording an outcome failed');
    }
    if (!leaves) return;
    const queue = this.queues.get(key)!;
    queue.shift();
    if (queue.length === 0) { this.queues.delete(key); return; }
    const head = queue[0]!;
    if (head.next_at > Date.now()) this.delayed.set(key, head.next_at);
    else this.ready.push(key);
  }

  private checkDrained(): void {
    if (this.waiters.length === 0) return;
    let lowest = Infinity;
    for (const queue of this.queues.values()) lowest = Math.min(lowest, queue[0]!.seq);
    const done = (w: DrainWaiter) => (this.lastSeq >= w.target || this.exhaustedGeneration > w.generation) && lowest > w.target;
    if (!this.waiters.some(done)) return;
    // Drained means handled and recorded: depth() right after drained() must not count them.
    this.spool.flushAcks();
    this.waiters = this.waiters.filter((w) => {
      if (!done(w)) return true;
      w.resolve();
      return false;
    });
  }
}

/**
 * A row this process has just written (it carries its event: SqliteSpoolBus.publish) and not yet
 * tried: nobody can have handled or published it before. A row read from the file may have been
 * tried by an earlier run of this process, and a row tried before may have got half-way.
 */
function isFirstAttempt(row: SpoolRow): boolean {
  return row.event !== undefined && row.attempts === 0;
}
