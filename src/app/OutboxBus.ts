import type { CallEvent } from '../domain/events/CallEvent';
import type { Logger } from '../shared/logger';
import type { ConsumeOptions, Consumer, EventBus, EventHandler } from '../domain/bus/EventBus';
import type { SqliteSpoolBus } from '../adapters/sqlite/spool/SqliteSpoolBus';

export interface OutboxBusOptions {
  logger?: Logger;
  /** Ordering keys relayed at the same time (one event per key in flight, so per-call order holds). */
  relayConcurrency?: number;
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

  constructor(
    private readonly outbox: SqliteSpoolBus,
    private readonly shared: EventBus,
    options: OutboxBusOptions = {},
  ) {
    this.relay = outbox.consume((event) => this.forward(event), {
      maxAttempts: Infinity,
      retryDelayMs: options.relayRetryDelayMs ?? 100,
      maxRetryDelayMs: options.relayMaxRetryDelayMs ?? 2_000,
      concurrency: options.relayConcurrency ?? 64,
      // One event per retry would flood the log during an outage: forward() logs the transitions.
      retryLogLevel: 'debug',
    });
    this.logger = options.logger;
  }

  publish(events: readonly CallEvent[]): Promise<void> {
    return this.outbox.publish(events);
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

  private async forward(event: CallEvent): Promise<void> {
    while (this.relayHeld) await this.relayHeld;
    const publishing = this.shared.publish([event]);
    this.forwarding.add(publishing);
    try {
      await publishing;
      if (this.refusing) {
        this.refusing = false;
        this.logger?.info('outbox: the shared bus confirms again; forwarding the spooled events');
      }
    } catch (err) {
      // Expected while the shared bus is down: the event stays spooled and is retried.
      if (!this.refusing) this.logger?.warn({ err }, 'outbox: the shared bus does not confirm; events stay spooled and are retried');
      this.refusing = true;
      throw err;
    } finally {
      this.forwarding.delete(publishing);
    }
  }
}
