import { Cluster } from 'ioredis';
import type { RedisClient } from '../../adapters/redis/scripts';
import type { TenantCacheKeys } from '../../adapters/redis/keys';
import { loadLuaScript } from '../../adapters/redis/luaScripts';
import { CACHE_TYPES, VERSIONS_TTL_MS, typesOf, type CacheScope, type CacheType } from './cacheTypes';

/**
 * The cache's scripts in lua/ (`<name>-<keys>.lua`, see adapters/redis/luaScripts.ts) with the
 * number of keys each takes. cacheInvalidate takes one more per entry key of the written scopes,
 * so its key count is given per call.
 */
export const CACHE_SCRIPTS = { cacheRefill: 2, cacheInvalidate: 1 } as const satisfies Record<string, number>;

type ScriptedRedis = RedisClient & {
  cacheRefill(...keysAndArgs: Array<string | number>): Promise<number>;
  cacheInvalidate(numberOfKeys: number, ...keysAndArgs: Array<string | number>): Promise<number>;
};

export interface RemoteRead {
  /** The stored JSON, or null on a miss. */
  raw: string | null;
  /** The scope's version when read ('' none): the refill after the source read is conditional on it. */
  version: string;
}

/**
 * The Redis layer (REDIS_CACHE_DB): JSON entries under the account's hash tag, with the TTLs of
 * cacheTypes.ts. Every read costs one round trip (the entry and its scope's version, pipelined);
 * a refill and a write's invalidation are one script each.
 */
export class RedisCacheLayer {
  private readonly redis: ScriptedRedis;

  constructor(redis: RedisClient) {
    // The scripts live with the call state's in lua/ (copied next to each bundle). An invalidation's
    // key count is given per call, since it deletes as many entry keys as the written scopes have.
    const refill = loadLuaScript('cacheRefill', CACHE_SCRIPTS.cacheRefill);
    redis.defineCommand('cacheRefill', { lua: refill.lua, numberOfKeys: refill.numberOfKeys });
    redis.defineCommand('cacheInvalidate', { lua: loadLuaScript('cacheInvalidate', CACHE_SCRIPTS.cacheInvalidate).lua });
    this.redis = redis as ScriptedRedis;
  }

  /** ioredis' connection status ('ready' when commands can go out). */
  status(): string {
    return this.redis.status;
  }

  /** The underlying connection (the bench compares a plain GET on it). */
  connection(): RedisClient {
    return this.redis;
  }

  async read(keys: TenantCacheKeys, type: CacheType, id: string): Promise<RemoteRead> {
    const spec = CACHE_TYPES[type];
    const key = spec.redis.key(keys);
    const [raw, version] = await Promise.all([
      spec.redis.shape === 'hash' ? this.redis.hget(key, id) : this.redis.get(key),
      this.redis.hget(keys.versions(), spec.scope),
    ]);
    return { raw, version: version ?? '' };
  }

  async readMany(keys: TenantCacheKeys, type: CacheType, ids: readonly string[]): Promise<{ raws: Array<string | null>; version: string }> {
    const spec = CACHE_TYPES[type];
    if (spec.redis.shape !== 'hash') throw new Error(`cache type ${type} holds one value per account; it has no batch read`);
    const [raws, version] = await Promise.all([this.redis.hmget(spec.redis.key(keys), ...ids), this.redis.hget(keys.versions(), spec.scope)]);
    return { raws, version: version ?? '' };
  }

  /** The scope's version now ('' none), read before a background refresh loads the source. */
  async version(keys: TenantCacheKeys, scope: CacheScope): Promise<string> {
    return (await this.redis.hget(keys.versions(), scope)) ?? '';
  }

  /** Stores the entries unless the scope was written since `version` was read. True when stored. */
  async refill(keys: TenantCacheKeys, type: CacheType, entries: ReadonlyArray<readonly [id: string, json: string]>, version: string): Promise<boolean> {
    const spec = CACHE_TYPES[type];
    const pairs = entries.flatMap(([id, json]) => [spec.redis.shape === 'hash' ? id : '', json]);
    const stored = await this.redis.cacheRefill(keys.versions(), spec.redis.key(keys), spec.scope, version, spec.redis.ttlMs, spec.redis.shape, ...pairs);
    return stored === 1;
  }

  /** Bumps the scopes' versions, deletes their entries and publishes `event` on `channel`: the number of subscribers that received it. */
  async invalidate(keys: TenantCacheKeys, scopes: readonly CacheScope[], channel: string, event: string): Promise<number> {
    const entryKeys = [...new Set(scopes.flatMap((scope) => typesOf(scope).map((type) => CACHE_TYPES[type].redis.key(keys))))];
    return this.redis.cacheInvalidate(CACHE_SCRIPTS.cacheInvalidate + entryKeys.length, keys.versions(), ...entryKeys, channel, event, VERSIONS_TTL_MS, ...scopes);
  }

  publish(channel: string, message: string): Promise<number> {
    return this.redis.publish(channel, message);
  }

  /**
   * On a Cluster, the subscribers of `channel` on every node; null on one server. A Cluster's
   * PUBLISH reaches every node's subscribers but answers with the count of the node it ran on
   * only (docs/redis.md, Cluster), so a writer counts the receivers itself, before publishing.
   */
  async subscribersAcrossCluster(channel: string): Promise<number | null> {
    if (!(this.redis instanceof Cluster)) return null;
    const counts = await Promise.all(this.redis.nodes('all').map(async (node) => {
      const [, count] = (await node.pubsub('NUMSUB', channel)) as [string, number];
      return Number(count);
    }));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Every account that has anything in this cache DB under the root (SCAN: maintenance only). */
  async accounts(pattern: string): Promise<string[]> {
    const found = new Set<string>();
    // A Cluster's keys are spread over its masters: each is scanned.
    const servers = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    for (const server of servers) {
      for await (const batch of server.scanStream({ match: pattern, count: 500 })) {
        for (const key of batch as string[]) {
          const account = /:account:\{([^}]*)\}:/.exec(key)?.[1];
          if (account) found.add(account);
        }
      }
    }
    return [...found];
  }
}
