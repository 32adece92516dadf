import type { Message, Options } from 'amqplib';
import type { CallEvent } from '../../domain/events/CallEvent';
import { relayedOf } from '../../domain/bus/relayedEvents';
import { FIRST_PUBLISH_HEADERS } from './firstDelivery';
import type { AmqpConnection, AmqpSession } from './AmqpConnection';
import { EventBusError, errorMessage } from './EventBusError';
import { routingKeyFor, type BusTopology } from './topology';

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  /** Becomes the AMQP message-id; identifies the message in returns and logs. */
  messageId: string;
  /** As published: persistent and mandatory, with the message-id (toMessage builds them so; confirm() completes a caller's with publishOptions). */
  properties: Options.Publish;
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
  /** The send under way of each id being published: its batch's outcomes (null: confirmed) and its place in them. */
  private readonly inFlight = new Map<string, { batch: Promise<Array<EventBusError | null>>; index: number }>();
  private readonly confirmed = new Map<string, number>();
  private readonly outstanding = new Set<Promise<unknown>>();
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

  /**
   * Publishes events (persistent, message-id = event id) and resolves once all are confirmed.
   * When only some are, it rejects with the first refusal, naming every refused event
   * (`refused`, domain/bus/relayedEvents.ts): the others are on the broker.
   */
  async publish(events: readonly CallEvent[]): Promise<void> {
    const messages = events.map((event) => this.toMessage(event));
    if (messages.length === 0) return;
    const session = this.connection.current();
    if (!session) throw new EventBusError('bus_unavailable', `RabbitMQ is not connected (${this.connection.status()})`);
    this.forgetExpired(Date.now());
    const outcomes = await this.publishOnce(session, messages);
    const refused = new Map<string, EventBusError>();
    messages.forEach((message, i) => {
      const err = outcomes[i];
      if (err) refused.set(message.messageId, err);
    });
    const first = refused.values().next();
    if (!first.done) throw Object.assign(new EventBusError(first.value.code, refusalMessage(first.value, refused.size, messages.length)), { refused });
  }

  /** Publishes one message and resolves once the broker confirmed it; never hangs past timeoutMs. */
  async confirm(session: AmqpSession, message: Omit<OutgoingMessage, 'properties'> & { properties?: Options.Publish }): Promise<void> {
    const [err] = await this.confirmAll(session, [{ ...message, properties: publishOptions(message.messageId, message.properties) }]);
    if (err) throw err;
  }

  /**
   * Publishes the messages in order and resolves, never rejects, once the broker answered for
   * every one or timeoutMs passed: with each message's refusal, or null where it confirmed.
   * One timer and one promise for the lot, however many messages.
   */
  private confirmAll(session: AmqpSession, messages: readonly OutgoingMessage[]): Promise<Array<EventBusError | null>> {
    const confirmed = new Promise<Array<EventBusError | null>>((resolve) => {
      const outcomes = new Array<EventBusError | null | undefined>(messages.length);
      let waiting = messages.length;
      const finish = (i: number, err: EventBusError | null) => {
        if (outcomes[i] !== undefined) return;
        outcomes[i] = err;
        // Almost always empty: no key is built per message then.
        if (this.returned.size > 0) this.returned.delete(returnKeyOf(messages[i]!));
        if (--waiting > 0) return;
        clearTimeout(timer);
        resolve(outcomes as Array<EventBusError | null>);
      };
      const timer = setTimeout(() => {
        messages.forEach((message, i) => {
          finish(i, new EventBusError('publish_timeout', `RabbitMQ did not confirm message ${message.messageId} within ${this.options.timeoutMs} ms`));
        });
      }, this.options.timeoutMs);
      messages.forEach((message, i) => this.send(session, message, (err) => finish(i, err)));
    });
    this.outstanding.add(confirmed);
    void confirmed.then(() => this.outstanding.delete(confirmed));
    return confirmed;
  }

  private send(session: AmqpSession, message: OutgoingMessage, done: (err: EventBusError | null) => void): void {
    try {
      session.publisher.publish(message.exchange, message.routingKey, message.content, message.properties, (err: unknown) => {
        if (this.returned.size > 0 && this.returned.has(returnKeyOf(message))) done(new EventBusError('publish_unroutable', `no queue is bound for ${message.routingKey} on ${message.exchange}`));
        else if (!err) done(null);
        else if (errorMessage(err) === NACK_MESSAGE) done(new EventBusError('publish_nacked', `RabbitMQ refused message ${message.messageId}`));
        else done(new EventBusError('publish_unconfirmed', `RabbitMQ did not confirm message ${message.messageId}: ${errorMessage(err)}`));
      });
    } catch (err) {
      done(new EventBusError('bus_unavailable', `cannot publish to RabbitMQ: ${errorMessage(err)}`));
    }
  }

  /** Resolves once every publish under way has been confirmed or has failed. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.outstanding]);
  }

  /**
   * Each message's outcome: null at once for an id confirmed within the dedupe window, the
   * outcome of the send under way for an id being published, and the others sent together.
   */
  private async publishOnce(session: AmqpSession, messages: readonly OutgoingMessage[]): Promise<Array<EventBusError | null>> {
    const fresh: OutgoingMessage[] = [];
    const taken = new Set<string>();
    for (const message of messages) {
      const id = message.messageId;
      if (this.confirmed.has(id) || this.inFlight.has(id) || taken.has(id)) continue;
      taken.add(id);
      fresh.push(message);
    }
    if (fresh.length > 0) {
      const batch = this.confirmAll(session, fresh).then((outcomes) => {
        const now = Date.now();
        fresh.forEach((message, i) => {
          this.inFlight.delete(message.messageId);
          // Not confirmed: a retry must send it again.
          if (!outcomes[i]) this.confirmed.set(message.messageId, now);
        });
        return outcomes;
      });
      fresh.forEach((message, index) => this.inFlight.set(message.messageId, { batch, index }));
    }
    const sends = messages.map((message) => (this.confirmed.has(message.messageId) ? null : this.inFlight.get(message.messageId)!));
    const settled = new Map<Promise<Array<EventBusError | null>>, Array<EventBusError | null>>();
    for (const send of sends) {
      if (send && !settled.has(send.batch)) settled.set(send.batch, await send.batch);
    }
    return sends.map((send) => (send ? settled.get(send.batch)![send.index]! : null));
  }

  private toMessage(event: CallEvent): OutgoingMessage {
    if (typeof event?.id !== 'string' || event.id === '') throw new TypeError('event without an id');
    const relayed = relayedOf(event);
    return {
      exchange: this.topology.exchange,
      routingKey: routingKeyFor(this.topology, event),
      // The relay's events carry the JSON they were spooled as: the same bytes, not made again.
      content: Buffer.from(relayed?.json ?? JSON.stringify(event), 'utf8'),
      messageId: event.id,
      // Whole here (publishOptions' flags written out), so no send copies them again (issue 15).
      properties: {
        contentType: 'application/json', type: event.type, appId: 'ringside', messageId: event.id, persistent: true, mandatory: true,
        ...(relayed?.firstPublish ? { headers: FIRST_PUBLISH_HEADERS } : {}),
      },
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

/** Every message persistent and mandatory (one that no queue takes comes back rather than being dropped), with its message-id. */
function publishOptions(messageId: string, properties: Options.Publish = {}): Options.Publish {
  return { ...properties, messageId, persistent: true, mandatory: true };
}

function returnKeyOf(message: OutgoingMessage): string {
  return `${message.exchange}\n${message.messageId}`;
}

function refusalMessage(first: EventBusError, refused: number, sent: number): string {
  return refused === sent ? first.message : `${first.message} (${refused} of ${sent} events refused; the others confirmed)`;
}
