/**
 * How long the mark of a handled event is kept (the call log's markers, cl_processed_events, and
 * SqliteHandledEventLedger), counted from when the event was handled: 7 days.
 *
 * Why that is safe (docs/call-lifecycle.md, Ordering, duplicates and late events): a mark only
 * has to outlive the redeliveries of its event. RabbitMQ redelivers an unacknowledged event as
 * soon as the consumer's connection goes (minutes at most, heartbeats); the spool delivers an
 * event again only while it is pending, and an event still pending keeps the marks of everything
 * handled after it was published (server.ts); a phone that repeats a request does so within
 * seconds. Nothing redelivers days later, so a week is a wide margin, and the marks no longer
 * grow for the whole call retention (365 days: 7 rows per call).
 */
export const HANDLED_EVENT_WINDOW_MS = 7 * 24 * 60 * 60_000;

/**
 * Markers written before this time may go: older than the window, and older than the oldest event
 * still pending in the spool (published before its handling, so its marker, if a crash took only
 * its done mark, is newer than that and stays until the event comes again).
 */
export function handledMarkerCutoff(now: number, oldestPendingAt: number | null): number {
  const windowStart = now - HANDLED_EVENT_WINDOW_MS;
  return oldestPendingAt === null ? windowStart : Math.min(windowStart, oldestPendingAt);
}

/**
 * The ids of events whose handler committed, consulted before a delivery is handled: RabbitMQ
 * redelivers an event whose ack it never got (connection lost, kill -9 between the handler's
 * commit and the ack), and a redelivery whose id is here is acked without running the handler.
 *
 * Handlers stay idempotent by event id (docs/call-lifecycle.md, Ordering, duplicates and late events); the ledger saves their work and the side
 * effects that cannot be undone twice (pushes to agents). It must be cheap and local: the call
 * state budget allows no extra Redis round trip per event. Sync or async implementations both work.
 */
export interface HandledEventLedger {
  has(id: string): boolean | Promise<boolean>;
  add(id: string): void | Promise<void>;
}

/**
 * In-process ledger, the default when none is given: it covers redeliveries after a lost
 * connection, not after a restart (SqliteHandledEventLedger does). Bounded by count.
 */
export class MemoryHandledEventLedger implements HandledEventLedger {
  private readonly ids = new Set<string>();

  constructor(private readonly limit = 100_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    // Sets iterate in insertion order: the first entries are the oldest.
    for (const oldest of this.ids) {
      if (this.ids.size <= this.limit) break;
      this.ids.delete(oldest);
    }
  }
}
