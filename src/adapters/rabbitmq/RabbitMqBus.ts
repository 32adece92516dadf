import type { GetMessage } from 'amqplib';
import type { CallEvent } from '../../domain/events/CallEvent';
import type { Logger } from '../../shared/logger';
import type { ConsumeOptions, Consumer, EventBus, EventHandler } from '../../domain/bus/EventBus';
import { MemoryHandledEventLedger, type HandledEventLedger } from '../../domain/bus/HandledEventLedger';
import { AmqpConnection, type AmqpSession, type BusStatus, type Connector } from './AmqpConnection';
import { ConfirmPublisher } from './ConfirmPublisher';
import { EventBusError, errorMessage } from './EventBusError';
import { RabbitConsumer } from './RabbitConsumer';
import { declareTopology, resolveTopology, shardQueue, shardQueues, type BusTopology, type TopologyOptions } from './topology';

export type { BusStatus, Connector } from './AmqpConnection';
export { EventBusError, type EventBusErrorCode } from './EventBusError';

export interface RabbitMqBusOptions extends TopologyOptions {
  /** amqp://user:password@host:port/vhost (never logged: it carries the password). */
  url: string;
  /** Ids of handled events, to ack redeliveries unhandled (default: in memory, this process only). */
  ledger?: HandledEventLedger;
  /** The shard indexes this process consumes (default all): a server's worker processes split them (RINGSIDE_WORKERS). */
  consumeShards?: readonly number[];
  /** Unacknowledged deliveries per shard consumer (default DEFAULT_PREFETCH). */
  prefetch?: number;
  /** A publish not confirmed by then is rejected (default 10 s). */
  publishTimeoutMs?: number;
  /** How long this instance ignores a second publish of a confirmed event id (default 60 s). */
  publishDedupeWindowMs?: number;
  /** First reconnect delay (default 100 ms); doubles per failed attempt, with jitter, up to maxReconnectDelayMs (default 30 s). */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** TCP connect timeout, and how long open() waits for the first connection (default 10 s). */
  connectTimeoutMs?: number;
  /** AMQP heartbeat unless the URL sets one (default 15 s): a broker that vanished is noticed within ~2 beats. */
  heartbeatSeconds?: number;
  /** drained()'s fallback poll for events only the broker sees handled (default 250 ms). */
  drainPollMs?: number;
  connect?: Connector;
  logger?: Logger;
}

export interface RabbitMqConsumeOptions extends ConsumeOptions {
  /** Ordering keys handled at the same time (default 8). Events of one key never overlap. */
  concurrency?: number;
  /** Upper bound of the doubling retry delay (default 30 s). */
  maxRetryDelayMs?: number;
}

/**
 * Unacknowledged deliveries per shard consumer: enough for the handlers of a process to keep busy
 * (callHandling.ts, 256 calls at once over 4 shards); with 32, deliveries waited in the queues while
 * handlers were free (issue 15). A consumer killed holding them only means they are redelivered.
 */
export const DEFAULT_PREFETCH = 128;

const DEFAULTS = {
  prefetch: DEFAULT_PREFETCH,
  publishTimeoutMs: 10_000,
  publishDedupeWindowMs: 60_000,
  publishDedupeLimit: 200_000,
  reconnectDelayMs: 100,
  maxReconnectDelayMs: 30_000,
  connectTimeoutMs: 10_000,
  heartbeatSeconds: 15,
  drainPollMs: 250,
  concurrency: 8,
  maxAttempts: 5,
  retryDelayMs: 100,
  maxRetryDelayMs: 30_000,
};

/**
 * The shared event bus on RabbitMQ (office and central-server modes). See amqp/topology.ts for
 * the exchanges and queues, amqp/RabbitConsumer.ts for ordering, retries, dead letters and
 * redeliveries, amqp/AmqpConnection.ts for reconnecting.
 *
 * - publish() resolves once the broker confirmed every event (persistent, message-id = event id),
 *   and rejects with an EventBusError when it cannot: never left hanging.
 * - depth() is the ready messages of the shard queues plus the deliveries this instance holds.
 * - deadLetters() reads the dead-letter queue and gives every message back.
 * - status()/onStatus() report the connection for health.
 */
export class RabbitMqBus implements EventBus {
  private readonly topology: BusTopology;
  private readonly connection: AmqpConnection;
  private readonly publisher: ConfirmPublisher;
  private readonly ledger: HandledEventLedger;
  private consumer: RabbitConsumer | null = null;
  private closing: Promise<void> | null = null;
  /** deadLetters() calls run one after the other: each gives back what it read before the next reads. */
  private deadLetterReads: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: RabbitMqBusOptions) {
    this.topology = resolveTopology(options);
    this.ledger = options.ledger ?? new MemoryHandledEventLedger();
    this.connection = new AmqpConnection({
      url: withHeartbeat(options.url, options.heartbeatSeconds ?? DEFAULTS.heartbeatSeconds),
      connect: options.connect,
      setup: (admin) => declareTopology(admin, this.topology),
      initialDelayMs: options.reconnectDelayMs ?? DEFAULTS.reconnectDelayMs,
      maxDelayMs: options.maxReconnectDelayMs ?? DEFAULTS.maxReconnectDelayMs,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      logger: options.logger,
    });
    this.publisher = new ConfirmPublisher(this.connection, this.topology, {
      timeoutMs: options.publishTimeoutMs ?? DEFAULTS.publishTimeoutMs,
      dedupeWindowMs: options.publishDedupeWindowMs ?? DEFAULTS.publishDedupeWindowMs,
      dedupeLimit: DEFAULTS.publishDedupeLimit,
    });
  }

  /** Returns at once and connects in the background (the app starts while RabbitMQ is down). */
  static create(options: RabbitMqBusOptions): RabbitMqBus {
    const bus = new RabbitMqBus(options);
    bus.connection.start();
    return bus;
  }

  /** Resolves once connected with the topology declared; rejects (and closes) after connectTimeoutMs. */
  static async open(options: RabbitMqBusOptions): Promise<RabbitMqBus> {
    const bus = RabbitMqBus.create(options);
    try {
      await bus.whenUp(options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs);
    } catch (err) {
      await bus.close();
      throw err;
    }
    return bus;
  }

  status(): BusStatus {
    return this.connection.status();
  }

  /** Calls `listener` on every status change; returns the unsubscribe function. */
  onStatus(listener: (status: BusStatus) => void): () => void {
    return this.connection.onStatus(listener);
  }

  async whenUp(timeoutMs: number): Promise<void> {
    await this.connection.whenUp(timeoutMs);
  }

  publish(events: readonly CallEvent[]): Promise<void> {
    if (this.closing) return Promise.reject(closedError());
    return this.publisher.publish(events);
  }

  consume(handler: EventHandler, options: RabbitMqConsumeOptions = {}): Consumer {
    if (this.closing) throw closedError();
    if (this.consumer) throw new Error('this bus already has a consumer');
    const consumer = new RabbitConsumer({
      connection: this.connection,
      topology: this.topology,
      queues: this.options.consumeShards?.map((shard) => shardQueue(this.topology, shard)) ?? shardQueues(this.topology),
      publisher: this.publisher,
      ledger: this.ledger,
      handler,
      settings: {
        prefetch: Math.max(1, this.options.prefetch ?? DEFAULTS.prefetch),
        concurrency: Math.max(1, options.concurrency ?? DEFAULTS.concurrency),
        maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts),
        retryDelayMs: Math.max(0, options.retryDelayMs ?? DEFAULTS.retryDelayMs),
        maxRetryDelayMs: Math.max(0, options.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs),
        drainPollMs: Math.max(1, this.options.drainPollMs ?? DEFAULTS.drainPollMs),
      },
      logger: this.options.logger,
      onStopped: () => {
        if (this.consumer === consumer) this.consumer = null;
      },
    });
    this.consumer = consumer;
    return consumer;
  }

  async depth(): Promise<number> {
    if (this.closing) throw closedError();
    return brokerCall('queue depth', async () => {
      const snapshot = await this.consumer?.brokerSnapshot();
      if (snapshot) return snapshot.ready + snapshot.held;
      const session = this.requireSession();
      const counts = await Promise.all(shardQueues(this.topology).map((queue) => session.admin.checkQueue(queue)));
      return counts.reduce((sum, count) => sum + count.messageCount, 0) + (this.consumer?.held ?? 0);
    });
  }

  /**
   * Asks the broker now, on the live connection (the settings screen's Test): opens a channel,
   * checks the exchange passively and closes the channel. Rejects with an EventBusError when
   * not connected or when the broker does not answer so.
   */
  async probe(): Promise<void> {
    if (this.closing) throw closedError();
    const session = this.requireSession();
    await brokerCall('probe', async () => {
      const channel = await session.model.createChannel();
      // A failed check closes the channel with an error event; the rejection below reports it.
      channel.on('error', () => undefined);
      try {
        await channel.checkExchange(this.topology.exchange);
      } finally {
        await channel.close().catch(() => undefined);
      }
    });
  }

  async deadLetters(): Promise<CallEvent[]> {
    if (this.closing) throw closedError();
    const session = this.requireSession();
    const read = this.deadLetterReads.then(() => brokerCall('dead letters', () => this.readDeadLetters(session)));
    this.deadLetterReads = read.catch(() => undefined);
    return read;
  }

  /** Stops the consumer (waiting for its handlers), waits for publishes under way, closes the connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.consumer?.stop();
      await this.publisher.settle();
      await this.connection.close();
    })();
    return this.closing;
  }

  /**
   * Takes every message of the dead-letter queue without acking, then gives them all back with
   * one nack (requeue) on the same channel: RabbitMQ puts them back in their places, and a later
   * read on this channel is ordered after the requeue. Meant for a queue of a few hundred
   * events at most (it is an alarm, not a store); several processes reading at once see parts.
   */
  private async readDeadLetters(session: AmqpSession): Promise<CallEvent[]> {
    const channel = session.admin;
    const events: CallEvent[] = [];
    let last: GetMessage | null = null;
    try {
      for (;;) {
        const message = await channel.get(this.topology.deadLetterQueue, { noAck: false });
        if (message === false) break;
        last = message;
        const event = parseEvent(message.content);
        if (event) events.push(event);
      }
    } finally {
      if (last) {
        try {
          channel.nack(last, true, true);
        } catch {
          // The channel closed: the broker requeues what it had handed out anyway.
        }
      }
    }
    return events;
  }

  private requireSession(): AmqpSession {
    const session = this.connection.current();
    if (!session) {
      const refusal = this.connection.refused();
      throw new EventBusError('bus_unavailable', `RabbitMQ is not connected (${this.connection.status()})${refusal ? `: ${refusal.message}` : ''}`);
    }
    return session;
  }
}

function closedError(): EventBusError {
  return new EventBusError('bus_closed', 'the RabbitMQ bus is closed');
}

/** Broker errors (a channel closed mid-call) become bus_unavailable; typed errors pass through. */
async function brokerCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof EventBusError) throw err;
    throw new EventBusError('bus_unavailable', `${what} unavailable: ${errorMessage(err)}`);
  }
}

function parseEvent(content: Buffer): CallEvent | null {
  try {
    return JSON.parse(content.toString('utf8')) as CallEvent;
  } catch {
    return null;
  }
}

function withHeartbeat(url: string, seconds: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(seconds));
  return parsed.toString();
}
