import type { CallEvent } from '../events/CallEvent';

/**
 * What the outbox relay (src/app/OutboxBus.ts) and a shared bus agree on beyond the EventBus port,
 * so that a batch goes through publish() of any EventBus (and of wrappers around one):
 *
 * - An event read from the spool carries the JSON it was spooled as; the bus sends those bytes
 *   instead of serialising the event again (they are what JSON.stringify gives for it).
 * - It also says whether this is the event's first publish: a row this process spooled and has
 *   not tried to publish before. A bus that can carry that to its consumers lets their first
 *   delivery skip the handled-marker read (DeliveryInfo.firstDelivery).
 * - A publish() of several events that the bus confirmed only in part rejects with an error
 *   naming the events it refused; every other event of the call is durable on the bus.
 */
export interface Relayed {
  /** The JSON the event was spooled as. */
  json: string;
  /** The relay knows this is the event's first publish (false when it cannot tell). */
  firstPublish: boolean;
}

const relayed = new WeakMap<CallEvent, Relayed>();

export function asRelayed(event: CallEvent, facts: Relayed): CallEvent {
  relayed.set(event, facts);
  return event;
}

/** What the relay said of the event, or null for an event that was not read from a spool. */
export function relayedOf(event: CallEvent): Relayed | null {
  return relayed.get(event) ?? null;
}

export interface PartlyRefused {
  /** Ids of the events the bus did not confirm, with why. */
  readonly refused: ReadonlyMap<string, Error>;
}

/** The refused events named by a publish() error; null when it does not say which (the caller then retries them all). */
export function refusedEventsOf(err: unknown): ReadonlyMap<string, Error> | null {
  const refused = (err as Partial<PartlyRefused> | null)?.refused;
  return refused instanceof Map ? refused : null;
}
