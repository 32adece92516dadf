import type { CallEvent } from '../events/CallEvent';

/** What a bus knows about one delivery of an event, beside the event. */
export interface DeliveryInfo {
  /**
   * True only when the bus knows this is the event's first delivery to any handler (published
   * once, never delivered before, not a retry): it cannot have been handled yet, so a handler may
   * skip looking for its own handled marker. False whenever the bus cannot tell.
   */
  firstDelivery: boolean;
}

/** Handles one event; `delivery` says what the bus knows about this delivery (without it: nothing). */
export type EventHandler = (event: CallEvent, delivery?: DeliveryInfo) => Promise<void>;

export interface ConsumeOptions {
  /** Attempts before an event that keeps failing is set aside as dead (default 5). */
  maxAttempts?: number;
  /** First retry delay in ms; doubles per attempt (default 100). */
  retryDelayMs?: number;
  /** Different ordering keys handled at the same time (events of one key never overlap). */
  concurrency?: number;
}

export interface Consumer {
  /** Stops taking new events and waits for the one in flight. */
  stop(): Promise<void>;
  /** Resolves once every event published so far has been handled or set aside. */
  drained(): Promise<void>;
}

/**
 * The bus port. Adapters: SqliteSpoolBus (embedded), RabbitMqBus (shared mode).
 * - publish resolves only when every event is durable (survives kill -9 of this process).
 * - delivery is at least once; an event is marked done only after its handler resolved.
 * - events with the same orderingKey are handled in publish order.
 */
export interface EventBus {
  publish(events: readonly CallEvent[]): Promise<void>;
  consume(handler: EventHandler, options?: ConsumeOptions): Consumer;
  /** Events published and not yet handled (pending or in flight). */
  depth(): Promise<number>;
  /** Events set aside after maxAttempts failures. */
  deadLetters(): Promise<CallEvent[]>;
  close(): Promise<void>;
}
