import type { Channel } from 'amqplib';
import { orderingKey, type CallEvent } from '../../domain/events/CallEvent';
import { EventBusError, errorMessage } from './EventBusError';

export type QueueType = 'classic' | 'quorum';

/**
 * The broker objects of the shared bus (the seed's `grandstream` exchange and
 * `grandstream-queue`, spread over shards):
 *
 *   exchange `<exchange>` (topic, durable)
 *     ── `call.*.<i>` ──▶ queue `<queue>.<i>` (durable, x-single-active-consumer, DLX below), i in 0..shards-1
 *   exchange `<exchange>.dead` (topic, durable)
 *     ── `#` ──▶ queue `<queue>.dead` (durable)
 *
 * Queue type `classic` (one broker) or `quorum` (a RabbitMQ cluster: replicated). Quorum shard
 * queues also carry a delivery limit: a message delivered that many times without an ack (the
 * process handling it died each time) is dead-lettered by the broker to the same dead-letter
 * queue, so a poison event that crashes its consumer cannot hold its shard up forever
 * (docs/architecture.md, Failures and outages: Quorum queues).
 *
 * Messages carry routing key `call.<event type>.<shard>`. The seed's `call.<event>` prefix stays
 * so anyone can bind a queue of their own (`call.hangup.#`, `call.#`) to tap the events; the last
 * word picks the shard queue. A call's events always go to the same shard (a stable hash of its
 * ordering key), and each shard queue has one active consumer across all processes, so a call's
 * events are applied in order however many consumers run.
 *
 * Every process must use the same shard count: changing it moves calls to other queues, so
 * drain the queues first.
 */
export interface BusTopology {
  exchange: string;
  deadLetterExchange: string;
  queueBase: string;
  deadLetterQueue: string;
  shards: number;
  queueType: QueueType;
  /** Quorum only: deliveries of a message before the broker dead-letters it. */
  deliveryLimit: number;
}

export interface TopologyOptions {
  /** Topic exchange (default `grandstream`, the seed's). */
  exchange?: string;
  /** Base name of the queues (default `grandstream-queue`, the seed's). */
  queue?: string;
  /** Shard queues (default 4). */
  shards?: number;
  /** `quorum` for a RabbitMQ cluster (replicated); `classic` (default) for a single broker. */
  queueType?: QueueType;
  /** Quorum only: deliveries of a message before the broker dead-letters it (default 10). */
  deliveryLimit?: number;
  /** Default `<exchange>.dead`. */
  deadLetterExchange?: string;
  /** Default `<queue>.dead`. */
  deadLetterQueue?: string;
}

export const DEFAULT_EXCHANGE = 'grandstream';
export const DEFAULT_QUEUE = 'grandstream-queue';
export const DEFAULT_SHARDS = 4;
/**
 * A delivery that ends without an ack counts, including those given back when a consumer's
 * channel closes (a stop, a lost connection), so the limit leaves room for restarts and outages
 * while still ending a crash loop.
 */
export const DEFAULT_DELIVERY_LIMIT = 10;

export function resolveTopology(options: TopologyOptions): BusTopology {
  const exchange = options.exchange ?? DEFAULT_EXCHANGE;
  const queueBase = options.queue ?? DEFAULT_QUEUE;
  const shards = options.shards ?? DEFAULT_SHARDS;
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, got ${shards}`);
  const deliveryLimit = options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT;
  if (!Number.isInteger(deliveryLimit) || deliveryLimit < 1) throw new RangeError(`deliveryLimit must be a positive integer, got ${deliveryLimit}`);
  return {
    exchange,
    deadLetterExchange: options.deadLetterExchange ?? `${exchange}.dead`,
    queueBase,
    deadLetterQueue: options.deadLetterQueue ?? `${queueBase}.dead`,
    shards,
    queueType: options.queueType ?? 'classic',
    deliveryLimit,
  };
}

export function shardQueue(topology: BusTopology, shard: number): string {
  return `${topology.queueBase}.${shard}`;
}

export function shardQueues(topology: BusTopology): string[] {
  return Array.from({ length: topology.shards }, (_, shard) => shardQueue(topology, shard));
}

/**
 * The shard indexes worker `index` of `workers` consumes (RINGSIDE_WORKERS): i % workers == index,
 * so the shards are spread evenly and every shard has exactly one worker of a server.
 */
export function shardsOfWorker(shards: number, workers: number, index: number): number[] {
  return Array.from({ length: shards }, (_, shard) => shard).filter((shard) => shard % workers === index);
}

/**
 * FNV-1a (32 bit) of the key's UTF-8 bytes, modulo the shard count. Every process and every
 * version must compute the same shard for a key, so this function must never change.
 */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** Event types are one lowercase word each, so they fit a topic routing key's `*`. */
const ROUTABLE_TYPE = /^[a-z_]+$/;

export function routingKeyFor(topology: BusTopology, event: CallEvent): string {
  if (typeof event.type !== 'string' || !ROUTABLE_TYPE.test(event.type)) throw new TypeError(`event ${event.id} has an invalid type`);
  return `call.${event.type}.${shardOf(orderingKey(event), topology.shards)}`;
}

function shardQueueArguments(topology: BusTopology): Record<string, unknown> {
  return {
    // One consumer per shard is active across every process; the others wait and take over
    // when it goes away, so a call's events are never handled by two consumers at once.
    'x-single-active-consumer': true,
    // Safety net: whatever rejects a message without requeueing it (another client, a
    // quorum queue's delivery limit) sends it to the dead-letter queue rather than dropping it.
    'x-dead-letter-exchange': topology.deadLetterExchange,
    // Only named for quorum: RabbitMQ compares the arguments on every declare, and queues
    // declared before this option existed carry none.
    ...(topology.queueType === 'quorum' ? quorumArguments(topology) : {}),
  };
}

function quorumArguments(topology: BusTopology): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': topology.deliveryLimit,
    // The broker's dead-lettering is confirmed by the dead-letter queue before the message
    // leaves the shard, as the consumer's own is (RabbitConsumer.deadLetter); RabbitMQ allows
    // at-least-once only with reject-publish overflow (no length limit is set, so it never applies).
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/** Declares everything; idempotent, so it runs on every (re)connect. */
export async function declareTopology(channel: Channel, topology: BusTopology): Promise<void> {
  await channel.assertExchange(topology.exchange, 'topic', { durable: true });
  await channel.assertExchange(topology.deadLetterExchange, 'topic', { durable: true });
  const queueArguments = shardQueueArguments(topology);
  for (let shard = 0; shard < topology.shards; shard++) {
    const queue = shardQueue(topology, shard);
    await declareQueue(channel, topology, queue, queueArguments);
    await channel.bindQueue(queue, topology.exchange, `call.*.${shard}`);
  }
  const deadArguments = topology.queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : {};
  await declareQueue(channel, topology, topology.deadLetterQueue, deadArguments);
  await channel.bindQueue(topology.deadLetterQueue, topology.deadLetterExchange, '#');
}

/** AMQP's reply code when a queue exists with other arguments than the declare's. */
const PRECONDITION_FAILED = 406;

/**
 * Declares one queue; a queue that exists with other arguments (RabbitMQ refuses to change a
 * queue's type or limits) becomes a topology_mismatch error naming the queue and the setting.
 */
async function declareQueue(channel: Channel, topology: BusTopology, queue: string, queueArguments: Record<string, unknown>): Promise<void> {
  try {
    await channel.assertQueue(queue, { durable: true, arguments: queueArguments });
  } catch (err) {
    if ((err as { code?: unknown }).code !== PRECONDITION_FAILED) throw err;
    throw new EventBusError('topology_mismatch', mismatchMessage(topology, queue, errorMessage(err)));
  }
}

/** Arguments only a quorum queue carries: one side of the comparison lacking one means the other type. */
const QUORUM_ARGUMENTS = new Set(['x-queue-type', 'x-delivery-limit', 'x-dead-letter-strategy', 'x-overflow']);

function mismatchMessage(topology: BusTopology, queue: string, brokerMessage: string): string {
  const wanted = topology.queueType;
  const existing = wanted === 'quorum' ? 'classic' : 'quorum';
  // "inequivalent arg 'x-queue-type' for queue 'q' in vhost '/': received the value 'quorum' of type 'longstr' but current is none"
  const [, argument, received, current] = /inequivalent arg '([^']+)'.*: received (none|the value) .*but current is (none|the value)/.exec(brokerMessage) ?? [];
  const otherType = argument !== undefined && QUORUM_ARGUMENTS.has(argument) && (received === 'none') !== (current === 'none');
  if (otherType) {
    return `RabbitMQ queue '${queue}' exists as a ${existing} queue, but amqp.queueType (RINGSIDE_AMQP_QUEUE_TYPE) is ${wanted}: `
      + `set RINGSIDE_AMQP_QUEUE_TYPE=${existing} on every server, or drain and delete the queue so that it is declared ${wanted}`;
  }
  return `RabbitMQ queue '${queue}' exists with other arguments than this Ringside declares (amqp.queueType ${wanted}, RINGSIDE_AMQP_QUEUE_TYPE; `
    + `the broker says: ${brokerMessage}): drain and delete the queue so that it is declared again`;
}

/** Deletes every object declareTopology made (tests, the bench and the chaos run clean up their own names). */
export async function deleteTopology(channel: Channel, topology: BusTopology): Promise<void> {
  for (const queue of [...shardQueues(topology), topology.deadLetterQueue]) await channel.deleteQueue(queue);
  for (const exchange of [topology.exchange, topology.deadLetterExchange]) await channel.deleteExchange(exchange);
}
