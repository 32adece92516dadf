import type { CallLog } from '../calllog/CallLog';

/**
 * The handled markers of events (CallLifecycle.handle), written together: one call-log write (one
 * commit; on PostgreSQL one statement) carries the markers of many events instead of one each,
 * which was a database write per call event of its own (issue 15).
 *
 * - `awaited` (a bus whose acknowledgement is final, RabbitMQ): the handler waits for its marker,
 *   written with the markers of the handlers that finish in the same turn of the event loop, so an
 *   event is never acknowledged before its marker is written (what a process taking over relies on).
 * - `deferred` (the spool is the bus: its own done marks wait up to 20 ms for their transaction):
 *   the handler goes on at once, and the markers of up to MARK_DELAY_MS, or MARK_BATCH of them,
 *   are written together. A marker only lets a redelivered event skip steps that are idempotent
 *   each anyway, so one lost with the process costs that event a second run, not a wrong result
 *   (docs/call-lifecycle.md, Ordering, duplicates and late events).
 */
export type HandledMarkWrites = 'awaited' | 'deferred';

export const MARK_DELAY_MS = 20;
export const MARK_BATCH = 256;

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

export class HandledMarks {
  /** Markers not yet handed to the call log. */
  private waiting = new Set<string>();
  /** Handlers waiting for the markers in `waiting` (awaited only). */
  private waiters: Waiter[] = [];
  /** Markers being written: still answered from here until the write has settled. */
  private readonly writing = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: Pick<CallLog, 'hasProcessed' | 'markAllProcessed'>,
    private readonly writes: HandledMarkWrites,
    /** A deferred write that failed: its markers are dropped (their events run again if redelivered). */
    private readonly onDeferredWriteFailed: (error: unknown, markers: number) => void,
  ) {}

  /** Whether the event was handled: a marker not yet written counts. */
  async has(marker: string): Promise<boolean> {
    return this.waiting.has(marker) || this.writing.has(marker) || this.log.hasProcessed(marker);
  }

  /** Resolves once the marker is written (awaited), or at once (deferred). */
  add(marker: string): Promise<void> {
    this.waiting.add(marker);
    if (this.writes === 'awaited') {
      this.immediate ??= setImmediate(() => void this.flush());
      return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    }
    if (this.waiting.size >= MARK_BATCH) {
      void this.flush();
    } else if (this.timer === null) {
      this.timer = setTimeout(() => void this.flush(), MARK_DELAY_MS);
      // A marker waiting never keeps a stopping process up: shutdown flushes what it needs.
      this.timer.unref?.();
    }
    return Promise.resolve();
  }

  /** Writes every marker added so far; resolves once they (and any write under way) are written. */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    if (this.waiting.size > 0) {
      const markers = [...this.waiting];
      const waiters = this.waiters;
      this.waiting = new Set();
      this.waiters = [];
      for (const marker of markers) this.writing.add(marker);
      this.flushing = this.flushing.then(() => this.write(markers, waiters));
    }
    return this.flushing;
  }

  private async write(markers: string[], waiters: Waiter[]): Promise<void> {
    try {
      await this.log.markAllProcessed(markers);
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      // Awaited: each handler fails with it, and its event is retried (as a failing marker write always did).
      for (const waiter of waiters) waiter.reject(error);
      if (this.writes === 'deferred') this.onDeferredWriteFailed(error, markers.length);
    } finally {
      for (const marker of markers) this.writing.delete(marker);
    }
  }
}
