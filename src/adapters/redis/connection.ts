import { Redis } from 'ioredis';
import { backoffDelay } from '../../protocol/backoff';
import type { Logger } from '../../shared/logger';

export interface RedisConnectionOptions {
  url: string;
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
 * One ioredis connection as Ringside uses them. Auto-pipelining sends the commands issued in one
 * turn of the event loop in one write, so independent reads (presence: sessions and records)
 * cost one round trip together.
 */
export function connectRedis(options: RedisConnectionOptions): Redis {
  const redis = new Redis(options.url, {
    db: options.db,
    connectionName: options.name,
    enableAutoPipelining: true,
    retryStrategy: reconnectDelay,
    maxRetriesPerRequest: options.waitThroughOutages ? null : 0,
    enableOfflineQueue: options.waitThroughOutages,
  });
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
