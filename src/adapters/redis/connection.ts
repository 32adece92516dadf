import { Cluster, Redis } from 'ioredis';
import { backoffDelay } from '../../protocol/backoff';
import type { Logger } from '../../shared/logger';
import type { RedisClient } from './scripts';

export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where Redis is (docs/redis.md, Sentinel and Cluster): one server by URL; the master that
 * Sentinel names (ioredis asks the sentinels again on every reconnect, so it follows a
 * failover); or a Cluster from its seed nodes.
 */
export type RedisTarget =
  | { kind: 'url'; url: string }
  | { kind: 'sentinel'; sentinels: readonly RedisNode[]; master: string; password?: string }
  | { kind: 'cluster'; nodes: readonly RedisNode[]; password?: string };

export interface RedisConnectionOptions {
  target: RedisTarget;
  /** The database (a Cluster has only 0: ignored there). */
  db: number;
  /** Shown by CLIENT LIST, so an operator can tell Ringside's connections apart. */
  name: string;
  logger: Logger;
  /**
   * true (call state): a command issued while Redis is away waits for the reconnect instead of
   * failing, so an event handler pauses rather than burning its retries and being set aside.
   * false (pushes): a command fails at once; a popup delivered minutes late is worse than none.
   */
  waitThroughOutages: boolean;
}

const MAX_RECONNECT_DELAY_MS = 2_000;

/** Reconnect delay: doubling from 50 ms, capped, with equal jitter so many seats do not reconnect in step. */
export function reconnectDelay(attempt: number): number {
  return Math.round(backoffDelay(attempt, { baseMs: 50, capMs: MAX_RECONNECT_DELAY_MS, jitter: 'equal' }));
}

/**
 * One ioredis connection as Ringside uses them, whatever the topology. Auto-pipelining sends the
 * commands issued in one turn of the event loop in one write (per node on a Cluster), so
 * independent reads (presence: sessions and records) cost one round trip together.
 */
export function connectRedis(options: RedisConnectionOptions): RedisClient {
  const redis = openClient(options);
  if (redis instanceof Redis) restartWhenGivenUp(redis, options);
  // Log transitions only: a reconnect loop during an outage closes the socket on every attempt.
  // At debug: the process logs Redis going down and coming back once (src/app/dependencyLog.ts), not per connection.
  let everReady = false;
  let ready = false;
  redis.on('ready', () => {
    if (everReady) options.logger.debug({ connection: options.name }, 'Redis connection restored');
    everReady = ready = true;
  });
  // Without a listener ioredis reports every failed reconnect as an unhandled error.
  redis.on('error', (err: Error) => options.logger.debug({ err, connection: options.name }, 'Redis connection error'));
  redis.on('close', () => {
    if (ready) options.logger.debug({ connection: options.name }, 'Redis connection lost; reconnecting');
    ready = false;
  });
  return redis;
}

function openClient(options: RedisConnectionOptions): RedisClient {
  const { target } = options;
  const common = {
    connectionName: options.name,
    maxRetriesPerRequest: options.waitThroughOutages ? null : 0,
  };
  switch (target.kind) {
    case 'url':
      return new Redis(target.url, { ...common, db: options.db, enableAutoPipelining: true, retryStrategy: reconnectDelay, enableOfflineQueue: options.waitThroughOutages });
    case 'sentinel':
      return new Redis({
        ...common, db: options.db, enableAutoPipelining: true, retryStrategy: reconnectDelay, enableOfflineQueue: options.waitThroughOutages,
        sentinels: target.sentinels.map((node) => ({ ...node })), name: target.master, password: target.password,
        sentinelRetryStrategy: reconnectDelay,
        // Sentinel's +switch-master moves the connection at once, not only when the old master's socket dies.
        failoverDetector: true,
      });
    case 'cluster':
      return new Cluster(target.nodes.map((node) => ({ ...node })), {
        enableAutoPipelining: true, clusterRetryStrategy: reconnectDelay, enableOfflineQueue: options.waitThroughOutages,
        redisOptions: { ...common, password: target.password },
      });
  }
}

/**
 * Starts a connection again when ioredis has given up on it without being asked to. With Sentinel,
 * a failover notice (+switch-master) that arrives while a reconnect is asking a sentinel for the
 * master makes ioredis's SentinelConnector reject that connect ("Connection is closed."), and the
 * client then ends for good (ioredis 5, Redis#connect): one seat's push connection stayed away
 * after a failover under load (test/integration/adapters/redis/sentinel.test.ts). A connection
 * closed by Ringside (quit, disconnect) is left closed.
 */
function restartWhenGivenUp(redis: Redis, options: RedisConnectionOptions): void {
  let closedByRingside = false;
  for (const method of ['quit', 'disconnect'] as const) {
    const close = redis[method].bind(redis) as (...args: unknown[]) => unknown;
    (redis as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      // disconnect(true) asks for a reconnect: not a close.
      if (method === 'quit' || args[0] !== true) closedByRingside = true;
      return close(...args);
    };
  }
  let attempt = 0;
  redis.on('ready', () => {
    attempt = 0;
  });
  redis.on('end', () => {
    if (closedByRingside) return;
    options.logger.debug({ connection: options.name }, 'Redis connection given up by the client; starting it again');
    setTimeout(() => {
      if (!closedByRingside && redis.status === 'end') redis.connect().catch(() => undefined);
    }, reconnectDelay(++attempt)).unref();
  });
}
