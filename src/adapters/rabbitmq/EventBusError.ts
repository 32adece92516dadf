import { CodedError } from '../../shared/errors';

/**
 * Why the shared bus refused or could not confirm an operation. The outbox relay retries on any
 * of them; the code says what happened for logs, health and tests.
 * - bus_unavailable: no connection to RabbitMQ right now (connecting or down)
 * - bus_closed: close() was called
 * - publish_nacked: the broker refused the message (e.g. a queue at its length limit)
 * - publish_unroutable: no queue is bound for the routing key (the topology was deleted)
 * - publish_unconfirmed: the channel or connection closed before the broker confirmed
 * - publish_timeout: no confirm within publishTimeoutMs (e.g. the broker blocks publishers)
 * - topology_mismatch: a queue exists with other arguments than declared (another queue type):
 *   the bus stays down, retrying, until the queue or the setting is changed
 */
export type EventBusErrorCode =
  | 'bus_unavailable'
  | 'bus_closed'
  | 'publish_nacked'
  | 'publish_unroutable'
  | 'publish_unconfirmed'
  | 'publish_timeout'
  | 'topology_mismatch';

export class EventBusError extends CodedError<EventBusErrorCode> {}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
