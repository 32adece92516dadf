import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { deleteTopology, resolveTopology } from '../../src/adapters/rabbitmq/topology';
import { startTestRingside, type TestRingside } from './ringside';
import { AMQP_URL, REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from './services';
import { makeTempDir } from './tmp';
import { WaitTimeout, withTimeout } from './wait';

/**
 * An office (docs/architecture.md, Embedded and shared mode): several Ringside seats on one real Redis and one real RabbitMQ, sharing the
 * call log and directory database, under a key prefix and exchange/queue names of their own.
 */
export interface Office {
  seats: TestRingside[];
  /** The config overrides every seat runs with (for starting another one). */
  shared: Record<string, unknown>;
  /** The office's Redis key prefix, exchange name and base of its queue names. */
  root: string;
  /** Deletes every Redis key of the office on the real server (SCAN MATCH + UNLINK): Redis "restarted without persistence". */
  wipeRedis(): Promise<void>;
  /** Stops (closes) a seat and takes it out of `seats`, so settle() no longer waits for it. */
  stopSeat(seat: TestRingside): Promise<void>;
  /** Starts one more seat on the office's services (options.redisUrl/amqpUrl get its index). */
  addSeat(): Promise<TestRingside>;
  /** Waits until no seat has anything left to relay or handle (SETTLE_MS at most), then runs housekeeping on every seat. */
  settle(): Promise<void>;
  /** Moves every seat's clock forward by the same amount. */
  advance(ms: number): void;
  stop(): Promise<void>;
}

/** Shard queues of an office (every seat and process of one office must use the same count). */
export const OFFICE_SHARDS = 2;

/** How long settle() may take: seats coming back from an outage reconnect first. */
export const SETTLE_MS = 20_000;

export interface OfficeOptions {
  /** Where seat `index` reaches Redis (default the real server): a test's proxy, to take Redis away from it. */
  redisUrl?: (index: number) => string;
  /** Where seat `index` reaches RabbitMQ (default the real broker). */
  amqpUrl?: (index: number) => string;
}

export async function startOffice(seatCount: number, overrides: Record<string, unknown> = {}, options: OfficeOptions = {}): Promise<Office> {
  const root = uniqueName('office');
  const databaseDir = makeTempDir('ringside-office-');
  const shared = {
    redis: { url: REDIS_URL, callsDb: TEST_CALLS_DB, cacheDb: TEST_CACHE_DB, keyPrefix: root },
    amqp: { url: AMQP_URL, exchange: root, queue: `${root}-queue`, shards: OFFICE_SHARDS },
    database: join(databaseDir.dir, 'ringside.db'),
    ...overrides,
  };
  const seatConfig = (index: number): Record<string, unknown> => ({
    ...shared,
    ...(options.redisUrl ? { redis: { ...shared.redis, url: options.redisUrl(index) } } : {}),
    ...(options.amqpUrl ? { amqp: { ...shared.amqp, url: options.amqpUrl(index) } } : {}),
  });
  const seats: TestRingside[] = [];
  try {
    for (let i = 0; i < seatCount; i++) seats.push(await startTestRingside(seatConfig(i)));
  } catch (err) {
    for (const seat of seats) await seat.stop().catch(() => undefined);
    await deleteOfficeState(root).catch(() => undefined);
    databaseDir.cleanup();
    throw err;
  }
  const office: Office = {
    seats, shared, root,
    wipeRedis: () => deleteKeys(root),
    async addSeat() {
      const seat = await startTestRingside(seatConfig(seats.length));
      seats.push(seat);
      return seat;
    },
    async stopSeat(seat) {
      const index = seats.indexOf(seat);
      if (index >= 0) seats.splice(index, 1);
      await seat.stop();
    },
    async settle() {
      // A seat's drained() covers its own relay and the shard queues it consumes; an event handed
      // from one seat to another can make a seat busy again, so go round until a full pass was quiet.
      const deadline = performance.now() + SETTLE_MS;
      for (let quietPasses = 0; quietPasses < 2;) {
        if (performance.now() > deadline) throw new WaitTimeout(`timed out after ${SETTLE_MS} ms waiting for the office to settle: its seats kept handling events`);
        const before = await Promise.all(seats.map((s) => s.instance.metrics.eventsHandled.get()));
        for (const seat of seats) await withTimeout(seat.instance.drained(), `seat ${seats.indexOf(seat)} of the office to drain (relay and shard queues)`, { timeoutMs: Math.max(1, deadline - performance.now()) });
        const after = await Promise.all(seats.map((s) => s.instance.metrics.eventsHandled.get()));
        quietPasses = JSON.stringify(before) === JSON.stringify(after) ? quietPasses + 1 : 0;
      }
      for (const seat of seats) await seat.instance.housekeeping();
    },
    advance(ms) {
      for (const seat of seats) seat.advance(ms);
    },
    async stop() {
      try {
        for (const seat of seats) await seat.stop();
      } finally {
        await deleteOfficeState(root);
        databaseDir.cleanup();
      }
    },
  };
  return office;
}

/** Unlinks every key under `root` in the test databases of the real Redis (never through a proxy). */
export async function deleteKeys(root: string): Promise<void> {
  for (const db of [TEST_CALLS_DB, TEST_CACHE_DB]) {
    const redis = new Redis(REDIS_URL, { db });
    try {
      for await (const keys of redis.scanStream({ match: `${root}:*`, count: 500 })) {
        if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
      }
    } finally {
      redis.disconnect();
    }
  }
}

/** Deletes everything an office under `root` created: its Redis keys, queues and exchanges. */
export async function deleteOfficeState(root: string): Promise<void> {
  await deleteKeys(root);
  const model = await connect(AMQP_URL);
  try {
    const channel = await model.createChannel();
    const topology = resolveTopology({ exchange: root, queue: `${root}-queue`, shards: OFFICE_SHARDS });
    await deleteTopology(channel, topology);
  } finally {
    await model.close();
  }
}
