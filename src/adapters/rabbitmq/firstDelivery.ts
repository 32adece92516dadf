import type { ConsumeMessage } from 'amqplib';

/**
 * Whether a delivery is an event's first: the outbox relay says a message is its event's first
 * publish (a row the relay's process has just spooled and not tried before: relayedEvents.ts) with
 * this header, and the broker says it has not delivered the message before (`redelivered` unset:
 * it is set on every message that may have been delivered, requeued or recovered). Both are needed:
 * a relay that crashed after the broker confirmed a batch and before the outbox recorded it
 * publishes those events again as new messages, which the broker then delivers for the first time.
 * Anything else (a message from a publisher that does not say, a retry) counts as maybe repeated.
 */
export const FIRST_PUBLISH_HEADER = 'x-ringside-first-publish';
export const FIRST_PUBLISH_HEADERS = Object.freeze({ [FIRST_PUBLISH_HEADER]: true });

export function isFirstDelivery(message: ConsumeMessage, attempts: number): boolean {
  return attempts === 0 && !message.fields.redelivered && message.properties.headers?.[FIRST_PUBLISH_HEADER] === true;
}

/** A message's headers without the first-publish mark (a dead letter keeps the others). */
export function withoutFirstPublish(headers: ConsumeMessage['properties']['headers']): Record<string, unknown> {
  const { [FIRST_PUBLISH_HEADER]: _mark, ...others } = headers ?? {};
  return others;
}
