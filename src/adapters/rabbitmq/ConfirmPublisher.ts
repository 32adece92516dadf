import type { Message, Options } from 'amqplib';
import type { CallEvent } from '../../domain/events/CallEvent';
import type { AmqpConnection, AmqpSession } from './AmqpConnection';
import { EventBusError, errorMessage } from './EventBusError';
import { routingKeyFor, type BusTopology } from './topology';

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  /** Becomes the AMQP message-id; identifies the message in returns and logs. */
  messageId: string;
  properties?: Options.Publish;
}

export interface ConfirmPublisherOptions {
  /** A publish the broker has not confirmed by then is rejected (publish_timeout). */
  timeoutMs: number;
  /** How long a confirmed event id is remembered, so publishing it again is a no-op. */
  dedupeWindowMs: number;
  /** Upper bound of remembered ids, whatever the window. */
  dedupeLimit: number;
}

/** amqplib reports a broker nack to the confirm callback with exactly this message. */
const NACK_MESSAGE = 'message nacked';

/**
 * Publishes on the session's confirm channel and resolves only once the broker confirmed. Every
 * message is `mandatory`: one that no queue takes comes back (basic.return, before its ack) and
 * is rejected rather than silently dropped.
 *
 * Events are deduplicated by id on the way in: an id this instance is publishing or has had
 * confirmed within the dedupe window is not sent again (its caller waits for the first send).
 * Ids published by other processes meet the consumer's ledger instead.
 */
export class ConfirmPublisher {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly confirmed = new Map<string, number>();
  private readonly outstanding = new Set<Promise<void>>();
  /** `<exchange>\n<messageId>` of messages the broker returned as unroutable. */
  private readonly returned = new Set<string>();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly topology: BusTopology,
    private readonly options: ConfirmPublisherOptions,
  ) {
    connection.onSession((session) => {
      session.publisher.on('return', (message: Message) => {
        this.returned.add(`${message.fields.exchange}\n${String(message.properties.messageId)}`);
      });
    });
  }

  /** Publishes events (persistent, message-id = event id) and resolves once all are confirmed. */
  publish(events: readonly CallEvent[]): Promise<void> {
    let messages: OutgoingMessage[];
    try {
      messages = events.map((event) => this.toMessage(event));
    } catch (err) {
      return Promise.reject(err);
    }
    if (messages.length === 0) return Promise.resolve();
    const session = this.connection.current();
    if (!session) {
      return Promise.reject(new EventBusError('bus_unavailable', `RabbitMQ is not connected (${this.connection.status()})`));
    }
    this.forgetExpired(Date.now());
    return Promise.all(messages.map((message) => this.publishOnce(session, message))).then(() => undefined);
  }

  /** Publishes one message and resolves once the broker confirmed it; never hangs past timeoutMs. */
  confirm(session: AmqpSession, message: OutgoingMessage): Promise<void> {
    const confirmed = new Promise<void>((resolve, reject) => {
      const returnKey = `${message.exchange}\n${message.messageId}`;
      let settled = false;
      const finish = (err: EventBusError | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.returned.delete(returnKey);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        finish(new EventBusError('publish_timeout', `RabbitMQ did not confirm message ${message.messageId} within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      const options: Options.Publish = { ...message.properties, messageId: message.messageId, persistent: true, mandatory: true };
      try {
        session.publisher.publish(message.exchange, message.routingKey, message.content, options, (err: unknown) => {
          if (this.returned.has(returnKey)) finish(new EventBusError('publish_unroutable', `no queue is bound for ${message.routingKey} on ${message.exchange}`));
          else if (!err) finish(null);
          else if (errorMessage(err) === NACK_MESSAGE) finish(new EventBusError('publish_nacked', `RabbitMQ refused message ${message.messageId}`));
          else finish(new EventBusError('publish_unconfirmed', `RabbitMQ did not confirm message ${message.messageId}: ${errorMessage(err)}`));
        });
      } catch (err) {
        finish(new EventBusError('bus_unavailable', `cannot publish to RabbitMQ: ${errorMessage(err)}`));
      }
    });
    this.outstanding.add(confirmed);
    const forget = () => void this.outstanding.delete(confirmed);
    confirmed.then(forget, forget);
    return confirmed;
  }

  /** Resolves once every publish under way has been confirmed or has failed. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.outstanding]);
  }

  private publishOnce(session: AmqpSession, message: OutgoingMessage): Promise<void> {
    const id = message.messageId;
    if (this.confirmed.has(id)) return Promise.resolve();
    const pending = this.inFlight.get(id);
    if (pending) return pending;
    const publishing = this.confirm(session, message).then(
      () => {
        this.inFlight.delete(id);
        this.confirmed.set(id, Date.now());
      },
      (err: unknown) => {
        // Not confirmed: a retry must send it again.
        this.inFlight.delete(id);
        throw err;
      },
    );
    this.inFlight.set(id, publishing);
    return publishing;
  }

  private toMessage(event: CallEvent): OutgoingMessage {
    if (typeof event?.id !== 'string' || event.id === '') throw new TypeError('event without an id');
    return {
      exchange: this.topology.exchange,
      routingKey: routingKeyFor(this.topology, event),
      content: Buffer.from(JSON.stringify(event), 'utf8'),
      messageId: event.id,
      properties: { contentType: 'application/json', type: event.type, appId: 'ringside' },
    };
  }

  /** Ids are confirmed in about insertion order, so the oldest are at the front of the map. */
  private forgetExpired(now: number): void {
    const before = now - this.options.dedupeWindowMs;
    for (const [id, at] of this.confirmed) {
      if (at > before && this.confirmed.size <= this.options.dedupeLimit) break;
      this.confirmed.delete(id);
    }
  }
}
