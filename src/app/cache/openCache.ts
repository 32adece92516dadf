import { once } from 'node:events';
import { CallStateKeys, DEFAULT_ROOT } from '../../adapters/redis/keys';
import type { Logger } from '../../shared/logger';
import { connectRedis, type RedisTarget } from '../../adapters/redis/connection';
import type { RedisClient } from '../../adapters/redis/scripts';
import type { SqliteDatabase } from '../../adapters/sqlite/database';
import { CacheInvalidation } from './CacheInvalidation';
import { LayeredCache } from './LayeredCache';
import { LocalCacheLayer } from './LocalCacheLayer';
import { RedisCacheLayer } from './RedisCacheLayer';

export interface RedisCacheOptions {
  /** Where Redis is (a URL, Sentinel or a Cluster). */
  target: RedisTarget;
  /** REDIS_CACHE_DB (a Cluster has database 0 only). */
  db: number;
  /** REDIS_KEY_PREFIX. */
  root: string;
  /** This process's id (the invalidation events name it). */
  node: string;
  logger: Logger;
  /** Wall clock of the entries' load times (time-based refresh of the lookups). */
  clock?: () => number;
  /** Clock of the local layer's TTLs (tests move it). */
  localNow?: () => number;
  ackWaitMs?: number;
  /** Connection names as CLIENT LIST shows them (default ringside-cache, ringside-cache-sub). */
  names?: { commands?: string; subscriber?: string };
}

/**
 * Shared mode: the local layer, the Redis layer in REDIS_CACHE_DB and invalidation over pub/sub,
 * on two connections of its own. Commands fail at once while Redis is away (reads then go to the
 * source, writes are refused); the subscriber reconnects by itself and clears the local layer.
 */
export function openRedisCache(options: RedisCacheOptions): LayeredCache {
  const keys = new CallStateKeys(options.root).cache();
  const redis = connectRedis({ target: options.target, db: options.db, name: options.names?.commands ?? 'ringside-cache', logger: options.logger, waitThroughOutages: false });
  const subscriber = connectRedis({ target: options.target, db: options.db, name: options.names?.subscriber ?? 'ringside-cache-sub', logger: options.logger, waitThroughOutages: true });
  const layer = new RedisCacheLayer(redis);
  return new LayeredCache({
    node: options.node,
    keys,
    local: new LocalCacheLayer({ now: options.localNow }),
    logger: options.logger,
    clock: options.clock,
    remote: {
      layer,
      invalidation: (handlers) => new CacheInvalidation({ remote: layer, subscriber, keys, node: options.node, logger: options.logger, ackWaitMs: options.ackWaitMs, ...handlers }),
      ready: () => connected(redis),
      close: async () => {
        redis.disconnect();
        subscriber.disconnect();
      },
    },
  });
}

export interface EmbeddedCacheOptions {
  logger: Logger;
  /**
   * True when another process changed the directory since last asked (SQLite: dataVersionProbe;
   * PostgreSQL: a notification): the local layer is then cleared.
   */
  sourceChangedElsewhere?: () => boolean;
  clock?: () => number;
  localNow?: () => number;
  /** REDIS_KEY_PREFIX: unused without Redis, but accounts are checked by the same key rules. */
  root?: string;
}

/** How often, at most, an embedded cache asks SQLite whether another process wrote the file (data_version costs a few microseconds). */
export const EMBEDDED_RECHECK_MS = 100;

/** Embedded mode: the local layer over SQLite, invalidated in-process. */
export function openEmbeddedCache(options: EmbeddedCacheOptions): LayeredCache {
  return new LayeredCache({
    keys: new CallStateKeys(options.root ?? DEFAULT_ROOT).cache(),
    local: new LocalCacheLayer({ now: options.localNow }),
    logger: options.logger,
    clock: options.clock,
    sourceChangedElsewhere: options.sourceChangedElsewhere,
  });
}

/**
 * SQLite's data_version changes when another connection (another process sharing the file)
 * commits; this connection's own writes do not change it. Asked at most every `everyMs`.
 */
export function dataVersionProbe(db: SqliteDatabase, everyMs: number): () => boolean {
  const statement = db.prepare('PRAGMA data_version').pluck();
  let last = statement.get();
  let checkedAt = performance.now();
  return () => {
    const now = performance.now();
    if (now - checkedAt < everyMs) return false;
    checkedAt = now;
    const version = statement.get();
    if (version === last) return false;
    last = version;
    return true;
  };
}

async function connected(redis: RedisClient): Promise<void> {
  if (redis.status !== 'ready') await once(redis, 'ready');
}
