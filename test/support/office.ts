import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { resolveTopology, shardQueues } from '../../src/core/bus/amqp/topology';
import { startTestRingside, type TestRingside } from './ringside';
import { AMQP_URL, REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from './services';
import { makeTempDir } from './tmp';

/**
 * An office (SPEC 1): several Ringside seats on one real Redis and one real RabbitMQ, sharing the
 * call log and directory database, under a key prefix and exchange/queue names of their own.
 */
export interface Office {
  seats: TestRingside[];
  /** The config overrides every seat runs with (for starting another one). */
  shared: Record<string, unknown>;
  /** Waits until no seat has anything left to relay or handle, then runs housekeeping on every seat. */
  settle(): Promise<void>;
  /** Moves every seat's clock forward by the same amount. */
  advance(ms: number): void;
  stop(): Promise<void>;
}

const SHARDS = 2;

export async function startOffice(seatCount: number, overrides: Record<string, unknown> = {}): Promise<Office> {
  const root = uniqueName('office');
  const databaseDir = makeTempDir('ringside-office-');
  const shared = {
    redis: { url: REDIS_URL, callsDb: TEST_CALLS_DB, cacheDb: TEST_CACHE_DB, keyPrefix: root },
    amqpUrl: AMQP_URL,
    amqp: { exchange: root, queue: `${root}-queue`, shards: SHARDS },
    database: join(databaseDir.dir, 'ringside.db'),
    ...overrides,
  };
  const seats: TestRingside[] = [];
  for (let i = 0; i < seatCount; i++) seats.push(await startTestRingside(shared));
  const office: Office = {
    seats, shared,
    async settle() {
      // A seat's drained() covers its own relay and the shard queues it consumes; an event handed
      // from one seat to another can make a seat busy again, so go round until a full pass was quiet.
      for (let quietPasses = 0; quietPasses < 2;) {
        const before = await Promise.all(seats.map((s) => s.instance.metrics.eventsHandled.get()));
        for (const seat of seats) await seat.instance.drained();
        const after = await Promise.all(seats.map((s) => s.instance.metrics.eventsHandled.get()));
        quietPasses = JSON.stringify(before) === JSON.stringify(after) ? quietPasses + 1 : 0;
      }
      for (const seat of seats) await seat.instance.housekeeping();
    },
    advance(ms) {
      for (const seat of seats) seat.advance(ms);
    },
    async stop() {
      for (const seat of seats) await seat.stop();
      await deleteOfficeState(root);
      databaseDir.cleanup();
    },
  };
  return office;
}

async function deleteOfficeState(root: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { db: TEST_CALLS_DB });
  try {
    for await (const keys of redis.scanStream({ match: `${root}:*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
  const model = await connect(AMQP_URL);
  try {
    const channel = await model.createChannel();
    const topology = resolveTopology({ exchange: root, queue: `${root}-queue`, shards: SHARDS });
    for (const queue of [...shardQueues(topology), topology.deadLetterQueue]) await channel.deleteQueue(queue);
    for (const exchange of [topology.exchange, topology.deadLetterExchange]) await channel.deleteExchange(exchange);
  } finally {
    await model.close();
  }
}
