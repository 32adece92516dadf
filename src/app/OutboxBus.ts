import type { CallEvent } from '../domain/events/CallEvent';
import type { Logger } from '../shared/logger';
import type { ConsumeOptions, Consumer, EventBus, EventHandler } from '../domain/bus/EventBus';
import type { SqliteSpoolBus } from '../adapters/sqlite/spool/SqliteSpoolBus';
import { refusedEventsOf } from '../domain/bus/relayedEvents';

export interface OutboxBusOptions {
  logger?: Logger;
  /** Ordering keys relayed at the same time, over every batch under way (one event per key in flight, so per-call order holds). */
  relayConcurrency?: number;
  /** Events published to the shared bus together, with one wait for their confirms (one per ordering key at most). */
  relayBatchSize?: number;
  /** First retry delay of an event the shared bus did not confirm; doubles up to relayMaxRetryDelayMs. */
  relayRetryDelayMs?: number;
  relayMaxRetryDelayMs?: number;
}

/**
 * Shared mode's bus (docs/architecture.md, The event pipeline; issue 3): the local spool is the outbox. publish() is the spool's
 * durable local write, so the phone's 200 never waits for the shared bus; a relay forwards
 * spooled events to it and marks them sent only once it confirmed them. The relay never gives up
 * on an event: with the shared bus down for minutes the spool grows and drains when it returns.
 * Consumers take events from the shared bus, where every process's events meet.
 *
 * The relay forwards in batches (issue 15): the head pending event of each ready ordering key, up
 * to relayBatchSize, in one publish() to the shared bus, which confirms them together; those it
 * confirmed are marked sent in one outbox transaction, those it refused are retried with backoff.
 * One event per key is in flight at a time: had a key's earlier event been refused while a later
 * one was confirmed, sending the earlier one again would reorder the call.
 */
export class OutboxBus implements EventBus {
  private readonly relay: Consumer;
  private readonly logger: Logger | undefined;
  /** Publishes to the shared bus under way (sent, not yet confirmed or failed). */
  private readonly forwarding = new Set<Promise<void>>();
  /** Set while depth() counts: the relay starts no publish until it is released. */
  private relayHeld: Promise<void> | null = null;
  private counts: Promise<unknown> = Promise.resolve();
  /** The shared bus refused the last forward: logged once when it starts and once when it ends. */
  private refusing = false;
  private batchCount = 0;

  constructor(
    private readonly outbox: SqliteSpoolBus,
    private readonly shared: EventBus,
    options: OutboxBusOptions = {},
  ) {
    this.relay = outbox.consumeBatches((events) => this.forward(events), {
      maxAttempts: Infinity,
      retryDelayMs: options.relayRetryDelayMs ?? 100,
      maxRetryDelayMs: options.relayMaxRetryDelayMs ?? 2_000,
      concurrency: options.relayConcurrency ?? 1_024,
      batchSize: options.relayBatchSize ?? 256,
      // One event per retry would flood the log during an outage: forward() logs the transitions.
      retryLogLevel: 'debug',
    });
    this.logger = options.logger;
  }

  publish(events: readonly CallEvent[]): Promise<void> {
    return this.outbox.publish(events);
  }

  /** Batches the relay has published to the shared bus so far (each with one wait for its confirms). */
  get relayedBatches(): number {
    return this.batchCount;
  }

  consume(handler: EventHandler, options?: ConsumeOptions): Consumer {
    const consumer = this.shared.consume(handler, options);
    return {
      stop: () => consumer.stop(),
      // Everything published here is handled once the relay forwarded it and the shared bus's consumer handled it.
      drained: async () => {
        await this.relay.drained();
        await consumer.drained();
      },
    };
  }

  /**
   * Events not yet forwarded plus events on the shared bus not yet handled. An event being
   * forwarded can be in the broker's queue before its confirm is back and recorded in the outbox
   * (counted twice), and the relay forwards while the broker is being asked (counted twice
   * again), so the relay is held while counting: no publish under way, every confirmed one
   * recorded. depth() calls run one after the other.
   */
  depth(): Promise<number> {
    const count = this.counts.then(() => this.countWithRelayHeld());
    this.counts = count.catch(() => undefined);
    return count;
  }

  /** Events spooled here and not yet confirmed by the shared bus. */
  outboxDepth(): Promise<number> {
    return this.outbox.depth();
  }

  async deadLetters(): Promise<CallEvent[]> {
    return this.shared.deadLetters();
  }

  async close(): Promise<void> {
    await this.relay.stop();
    await Promise.all([this.outbox.close(), this.shared.close()]);
  }

  private async countWithRelayHeld(): Promise<number> {
    let release!: () => void;
    this.relayHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await Promise.allSettled([...this.forwarding]);
      // The relay records a confirmed forward in the outbox in promise callbacks: let them run.
      await new Promise((resolve) => setImmediate(resolve));
      const [waiting, shared] = await Promise.all([this.outbox.depth(), this.shared.depth()]);
      return waiting + shared;
    } finally {
      this.relayHeld = null;
      release();
    }
  }

  /** Publishes one batch; resolves with the events the shared bus refused (all of them when it does not say which). */
  private async forward(events: readonly CallEvent[]): Promise<ReadonlyMap<string, unknown>> {
    while (this.relayHeld) await this.relayHeld;
    const publishing = this.shared.publish(events);
    this.forwarding.add(publishing);
    this.batchCount++;
    try {
      await publishing;
      this.refusalEnded();
      return NONE_REFUSED;
    } catch (err) {
      this.refusalStarted(err);
      // Those it names were refused (e.g. unroutable) and the others confirmed; otherwise none counts as sent.
      return refusedEventsOf(err) ?? new Map(events.map((event) => [event.id, err]));
    } finally {
      this.forwarding.delete(publishing);
    }
  }

  private refusalEnded(): void {
    if (!this.refusing) return;
    this.refusing = false;
    this.logger?.info('outbox: the shared bus confirms again; forwarding the spooled events');
  }

  /** Expected while the shared bus is down: the events stay spooled and are retried. */
  private refusalStarted(err: unknown): void {
    if (this.refusing) return;
    this.refusing = true;
    this.logger?.warn({ err }, 'outbox: the shared bus does not confirm; events stay spooled and are retried');
  }
}

const NONE_REFUSED: ReadonlyMap<string, unknown> = new Map();
