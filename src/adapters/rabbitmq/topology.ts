import type { Channel } from 'amqplib';
import { orderingKey, type CallEvent } from '../../domain/events/CallEvent';

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
  /** Default `<exchange>.dead`. */
  deadLetterExchange?: string;
  /** Default `<queue>.dead`. */
  deadLetterQueue?: string;
}

export const DEFAULT_EXCHANGE = 'grandstream';
export const DEFAULT_QUEUE = 'grandstream-queue';
export const DEFAULT_SHARDS = 4;

export function resolveTopology(options: TopologyOptions): BusTopology {
  const exchange = options.exchange ?? DEFAULT_EXCHANGE;
  const queueBase = options.queue ?? DEFAULT_QUEUE;
  const shards = options.shards ?? DEFAULT_SHARDS;
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, got ${shards}`);
  return {
    exchange,
    deadLetterExchange: options.deadLetterExchange ?? `${exchange}.dead`,
    queueBase,
    deadLetterQueue: options.deadLetterQueue ?? `${queueBase}.dead`,
    shards,
    queueType: options.queueType ?? 'classic',
  };
}

export function shardQueue(topology: BusTopology, shard: number): string {
  return `${topology.queueBase}.${shard}`;
}

export function shardQueues(topology: BusTopology): string[] {
  return Array.from({ length: topology.shards }, (_, shard) => shardQueue(topology, shard));
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
    ...(topology.queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : {}),
  };
}

/** Declares everything; idempotent, so it runs on every (re)connect. */
export async function declareTopology(channel: Channel, topology: BusTopology): Promise<void> {
  await channel.assertExchange(topology.exchange, 'topic', { durable: true });
  await channel.assertExchange(topology.deadLetterExchange, 'topic', { durable: true });
  const queueArguments = shardQueueArguments(topology);
  for (let shard = 0; shard < topology.shards; shard++) {
    const queue = shardQueue(topology, shard);
    await channel.assertQueue(queue, { durable: true, arguments: queueArguments });
    await channel.bindQueue(queue, topology.exchange, `call.*.${shard}`);
  }
  const deadArguments = topology.queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : {};
  await channel.assertQueue(topology.deadLetterQueue, { durable: true, arguments: deadArguments });
  await channel.bindQueue(topology.deadLetterQueue, topology.deadLetterExchange, '#');
}

/** Deletes every object declareTopology made (tests, the bench and the chaos run clean up their own names). */
export async function deleteTopology(channel: Channel, topology: BusTopology): Promise<void> {
  for (const queue of [...shardQueues(topology), topology.deadLetterQueue]) await channel.deleteQueue(queue);
  for (const exchange of [topology.exchange, topology.deadLetterExchange]) await channel.deleteExchange(exchange);
}
