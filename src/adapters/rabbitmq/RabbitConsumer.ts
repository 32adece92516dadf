import type { Channel, ConsumeMessage } from 'amqplib';
import { orderingKey, type CallEvent } from '../../domain/events/CallEvent';
import { backoffDelay } from '../../protocol/backoff';
import type { Logger } from '../../shared/logger';
import type { Consumer, EventHandler } from '../../domain/bus/EventBus';
import { isFirstDelivery, withoutFirstPublish } from './firstDelivery';
import type { HandledEventLedger } from '../../domain/bus/HandledEventLedger';
import type { AmqpConnection, AmqpSession } from './AmqpConnection';
import { AckBatcher } from './AckBatcher';
import type { ConfirmPublisher } from './ConfirmPublisher';
import { DrainWatcher } from './DrainWatcher';
import { EventBusError, errorMessage } from './EventBusError';
import { KeyedScheduler, type RunOutcome } from './KeyedScheduler';
import { shardQueues, type BusTopology } from './topology';

export interface RabbitConsumerSettings {
  /** Unacknowledged deliveries per shard consumer. */
  prefetch: number;
  /** Ordering keys handled at the same time. */
  concurrency: number;
  maxAttempts: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** Fallback poll of drained() for what only the broker sees. */
  drainPollMs: number;
}

export interface RabbitConsumerDeps {
  connection: AmqpConnection;
  topology: BusTopology;
  /** The shard queues this consumer subscribes to (a worker process's share, or all of them). */
  queues: readonly string[];
  publisher: ConfirmPublisher;
  ledger: HandledEventLedger;
  handler: EventHandler;
  settings: RabbitConsumerSettings;
  logger?: Logger;
  onStopped: () => void;
}

/** One message taken from a shard queue, held until it is acked, dead-lettered or given back. */
interface Delivery {
  /** The channel that delivered it: the only one its ack may go to. */
  channel: Channel;
  message: ConsumeMessage;
  event: CallEvent | null;
  /** Why `event` is null (the message cannot be read). */
  problem: string;
  key: string;
  attempts: number;
  lastError: string;
}

/** Ready messages in the shard queues and deliveries this consumer holds, taken together. */
export interface BrokerSnapshot {
  ready: number;
  held: number;
}

/**
 * Consumes its shard queues (deps.queues: every one, or a worker process's share) on one channel (prefetch per consumer), and hands deliveries to a
 * per-key scheduler: a key's events are handled strictly in order, different keys concurrently.
 *
 * - ack only after the handler resolved and its id went into the ledger, on the delivering channel;
 *   the acks of one event-loop turn go out together (AckBatcher: one multiple ack up to the first
 *   delivery still held, single acks beyond it);
 * - a failing event is retried in process with doubling backoff, holding up only its own key;
 * - after maxAttempts it is published to the dead-letter exchange (with publisher confirm) and then
 *   acked. Publishing rather than nack(requeue=false): the attempt count and last error travel with
 *   it as headers, and the dead letter is confirmed before the original is acked, whereas a classic
 *   queue's own dead-lettering is at-most-once;
 * - a delivery whose id is in the ledger (a redelivery of a handled event) is acked unhandled;
 * - if the channel or connection is lost, held deliveries are forgotten (the broker redelivers them
 *   in queue order); a handler still running keeps its key busy, so a redelivered later event of
 *   the same key cannot overtake it, and its own redelivery meets the ledger.
 */
export class RabbitConsumer implements Consumer {
  private channel: Channel | null = null;
  /** Set once every shard consumer is registered on `channel`. */
  private subscribed: Channel | null = null;
  private subscribing: Promise<void> | null = null;
  private stopped = false;
  private stopping: Promise<void> | null = null;
  private unreadable = 0;
  private readonly scheduler: KeyedScheduler<Delivery>;
  private readonly drain: DrainWatcher;
  private readonly acks = new AckBatcher();
  private readonly unsubscribeSessions: () => void;

  constructor(private readonly deps: RabbitConsumerDeps) {
    const { settings, logger } = deps;
    this.scheduler = new KeyedScheduler<Delivery>({
      concurrency: settings.concurrency,
      run: (delivery) => this.run(delivery),
      onDone: () => {
        if (this.scheduler.size === 0) this.drain.nudge();
      },
      onRunError: (err) => logger?.error({ err }, 'bus consumer: unexpected failure; retrying the event'),
    });
    this.drain = new DrainWatcher(() => this.isQuiet(), settings.drainPollMs, logger);
    this.unsubscribeSessions = deps.connection.onSession((session) => this.onSession(session));
  }

  /** Deliveries this consumer holds (waiting, backing off or being handled). */
  get held(): number {
    return this.scheduler.size;
  }

  drained(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('consumer stopped'));
    return this.drain.wait();
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /**
   * Ready counts of the shard queues, then one more round trip on the same channel as a barrier:
   * a delivery the broker dispatched before counting is written to this channel before the
   * barrier's reply, so it is already held here. Exact for this consumer; null when not subscribed.
   */
  async brokerSnapshot(): Promise<BrokerSnapshot | null> {
    const channel = this.subscribed;
    if (!channel) return null;
    const counts = await Promise.all(shardQueues(this.deps.topology).map((queue) => channel.checkQueue(queue)));
    await channel.checkExchange(this.deps.topology.exchange);
    return { ready: counts.reduce((sum, count) => sum + count.messageCount, 0), held: this.scheduler.size };
  }

  private async isQuiet(): Promise<boolean> {
    if (this.scheduler.size > 0) return false;
    const snapshot = await this.brokerSnapshot();
    return snapshot !== null && snapshot.ready === 0 && snapshot.held === 0;
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribeSessions();
    this.drain.close(new Error('consumer stopped before the bus drained'));
    await this.scheduler.pause();
    await this.subscribing;
    const channel = this.channel;
    this.channel = null;
    this.subscribed = null;
    // What finished is acked before the close gives the rest back (the frames keep their order).
    this.acks.flush();
    // Closing (rather than cancelling first) gives the held deliveries back to their queues, in
    // order, before the broker activates another process's waiting consumer: with a cancel first,
    // that consumer would get the next messages before these came back.
    if (channel) {
      await channel.close().catch(() => undefined);
      this.acks.drop(channel);
    }
    this.scheduler.clear();
    this.deps.onStopped();
  }

  private onSession(session: AmqpSession): void {
    if (this.stopped) return;
    this.subscribing = this.subscribe(session)
      .catch((err: unknown) => {
        this.deps.logger?.warn({ err: errorMessage(err) }, 'bus consumer: subscribing failed; reconnecting');
        if (!this.stopped) this.deps.connection.recycle('consumer could not subscribe', session);
      })
      .finally(() => {
        this.subscribing = null;
      });
  }

  private async subscribe(session: AmqpSession): Promise<void> {
    const channel = await session.model.createChannel();
    channel.on('error', (err: Error) => this.deps.logger?.warn({ err: err.message }, 'bus consumer: channel error'));
    channel.on('close', () => this.onChannelClosed(channel, session));
    if (this.stopped) {
      await channel.close().catch(() => undefined);
      return;
    }
    this.channel = channel;
    this.acks.keepOnly(channel);
    await channel.prefetch(this.deps.settings.prefetch);
    for (const queue of this.deps.queues) {
      await channel.consume(queue, (message) => this.onMessage(channel, session, queue, message), { noAck: false });
    }
    if (this.channel !== channel) return;
    this.subscribed = channel;
    this.drain.nudge();
  }

  private onChannelClosed(channel: Channel, session: AmqpSession): void {
    if (this.channel !== channel) return; // closed on purpose by stop(), or an older one
    this.channel = null;
    this.subscribed = null;
    this.acks.drop(channel);
    const dropped = this.scheduler.discard((delivery) => delivery.channel === channel);
    this.deps.logger?.warn({ dropped }, 'bus consumer: channel closed; the broker redelivers what it held');
    this.deps.connection.recycle('consumer channel closed', session);
  }

  private onMessage(channel: Channel, session: AmqpSession, queue: string, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (queue deleted): a new connection re-declares it.
      this.deps.connection.recycle(`consumer of ${queue} cancelled by the broker`, session);
      return;
    }
    // A late delivery on a channel given up: never acked here, the broker requeues it.
    if (channel !== this.channel) return;
    const delivery = this.readDelivery(channel, message);
    this.acks.track(channel, message);
    this.scheduler.add(delivery.key, delivery);
  }

  private readDelivery(channel: Channel, message: ConsumeMessage): Delivery {
    const delivery: Delivery = { channel, message, event: null, problem: '', key: '', attempts: 0, lastError: '' };
    try {
      const event = JSON.parse(message.content.toString('utf8')) as CallEvent;
      if (typeof event?.id !== 'string' || event.id === '') throw new Error('event without an id');
      delivery.key = orderingKey(event);
      delivery.event = event;
    } catch (err) {
      delivery.problem = `unreadable event: ${errorMessage(err)}`;
      delivery.key = `unreadable:${++this.unreadable}`;
    }
    return delivery;
  }

  private async run(delivery: Delivery): Promise<RunOutcome> {
    // Its channel is gone: the broker redelivers it, in order, to whoever consumes next.
    if (delivery.channel !== this.channel) return 'done';
    const event = delivery.event;
    if (!event) return this.deadLetter(delivery, delivery.problem);
    // Still >= maxAttempts only when dead-lettering failed before: try that again.
    if (delivery.attempts >= this.deps.settings.maxAttempts) return this.deadLetter(delivery, delivery.lastError);
    if (await this.alreadyHandled(event.id)) {
      this.deps.logger?.debug({ eventId: event.id }, 'bus consumer: redelivery of a handled event; acked');
      this.ack(delivery);
      return 'done';
    }
    try {
      await this.deps.handler(event, { firstDelivery: isFirstDelivery(delivery.message, delivery.attempts) });
    } catch (err) {
      return this.failed(delivery, event, err);
    }
    await this.remember(event.id);
    this.ack(delivery);
    return 'done';
  }

  private failed(delivery: Delivery, event: CallEvent, err: unknown): Promise<RunOutcome> | RunOutcome {
    delivery.attempts++;
    delivery.lastError = errorMessage(err);
    const log = { eventId: event.id, type: event.type, attempts: delivery.attempts, err: delivery.lastError };
    if (delivery.attempts >= this.deps.settings.maxAttempts) {
      this.deps.logger?.error(log, 'event set aside as dead after repeated handler failures');
      return this.deadLetter(delivery, delivery.lastError);
    }
    this.deps.logger?.warn(log, 'event handler failed; will retry');
    return { retryAt: Date.now() + this.retryDelay(delivery.attempts) };
  }

  private retryDelay(attempts: number): number {
    const { retryDelayMs, maxRetryDelayMs } = this.deps.settings;
    // attempts is Infinity while a dead letter of an unlimited consumer is retried: the helper caps it.
    return backoffDelay(attempts - 1, { baseMs: retryDelayMs, capMs: maxRetryDelayMs });
  }

  /** Publishes the message to the dead-letter exchange, confirmed, then acks the original. */
  private async deadLetter(delivery: Delivery, reason: string): Promise<RunOutcome> {
    const { message } = delivery;
    const messageId = String(message.properties.messageId ?? delivery.event?.id ?? `unreadable-${message.fields.deliveryTag}`);
    try {
      const session = this.deps.connection.current();
      if (!session) throw new EventBusError('bus_unavailable', 'RabbitMQ is not connected');
      await this.deps.publisher.confirm(session, {
        exchange: this.deps.topology.deadLetterExchange,
        routingKey: message.fields.routingKey,
        content: message.content,
        messageId,
        properties: {
          contentType: message.properties.contentType,
          type: message.properties.type,
          headers: {
            // A dead letter put back on a shard queue by hand is not a first delivery any more.
            ...withoutFirstPublish(message.properties.headers),
            'x-ringside-attempts': delivery.attempts,
            'x-ringside-error': reason.slice(0, 500),
            'x-ringside-dead-at': Date.now(),
          },
        },
      });
    } catch (err) {
      if (delivery.channel !== this.channel) return 'done';
      this.deps.logger?.error({ err: errorMessage(err), eventId: messageId }, 'bus consumer: dead-lettering failed; will retry');
      delivery.attempts = Math.max(delivery.attempts, this.deps.settings.maxAttempts);
      return { retryAt: Date.now() + this.retryDelay(delivery.attempts) };
    }
    this.ack(delivery);
    return 'done';
  }

  private async alreadyHandled(id: string): Promise<boolean> {
    try {
      return await this.deps.ledger.has(id);
    } catch (err) {
      // The handler is idempotent by id anyway: better to run it than to stall.
      this.deps.logger?.warn({ err: errorMessage(err), eventId: id }, 'bus consumer: handled-event ledger unreadable');
      return false;
    }
  }

  private async remember(id: string): Promise<void> {
    try {
      await this.deps.ledger.add(id);
    } catch (err) {
      this.deps.logger?.warn({ err: errorMessage(err), eventId: id }, 'bus consumer: could not record a handled event');
    }
  }

  /** Acked at the end of the turn, with the others finished meanwhile. */
  private ack(delivery: Delivery): void {
    this.acks.finish(delivery.channel, delivery.message);
  }
}
