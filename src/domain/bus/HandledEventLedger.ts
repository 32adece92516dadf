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
