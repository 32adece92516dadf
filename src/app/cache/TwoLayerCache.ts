import type { CacheChange, CacheEvent, CacheType } from './cacheTypes';

/** What a cache tells its listeners: an invalidation it applied, or that its local layer was cleared. */
export type CacheNotice =
  | { type: 'event'; event: CacheEvent }
  /** dropped: the subscriber connection went away (the local layer is off until it is back); resubscribed: it is back; source-changed: another process wrote the shared SQLite file (embedded). */
  | { type: 'reset'; reason: 'dropped' | 'resubscribed' | 'source-changed' };

/**
 * The directory cache (docs/redis.md, Cache database; the seed's CallableCache): an in-process lru-cache, then Redis
 * (REDIS_CACHE_DB), then the source of truth, which the caller passes as `load`. Adapters:
 * LayeredCache with a Redis layer and pub/sub invalidation (shared mode), or with the local
 * layer only (embedded). Every entry is the account's: ids of two accounts never meet, and an
 * account a key could not hold safely (braces, colon, blanks) is refused.
 *
 * Consistency: after `invalidate` resolves, no process serves what the write replaced. It drops
 * its own entries, deletes the Redis entries and bumps the scope's version in one script (a
 * reader that loaded the old value before the write cannot put it back), publishes the event,
 * and waits until every subscribed process confirms that it dropped its entries. A process whose
 * subscriber is disconnected does not use its local layer, and clears it when it is back.
 */
export interface TwoLayerCache {
  /** This process's id in the invalidation events. */
  readonly node: string;
  /** Cache-first: the local layer, then Redis, then `load`; what is loaded is kept in both. */
  get<T>(type: CacheType, account: string, id: string, load: () => T | Promise<T>): Promise<T>;
  /** For short-lived data: skips the local layer (Redis, then `load`). */
  getDirect<T>(type: CacheType, account: string, id: string, load: () => T | Promise<T>): Promise<T>;
  /** Batch read: one Redis round trip for the ids the local layer lacks, one `load` for those Redis lacks. */
  getMany<T>(type: CacheType, account: string, ids: readonly string[], load: (missing: string[]) => Map<string, T> | Promise<Map<string, T>>): Promise<Map<string, T>>;
  /** The local layer only, synchronously: undefined when absent (or while the local layer is off). */
  peek<T>(type: CacheType, account: string, id: string): T | undefined;
  /** Keeps a value just read synchronously from the source in the local layer (the `*Sync` lookups). */
  keepLocal<T>(type: CacheType, account: string, id: string, value: T): void;
  /** Throws when a write could not be invalidated across processes now (Redis unreachable). */
  assertWritable(): void;
  /** After a write to the source: see above. Never rejects: a failed invalidation is logged and sent again when Redis is back. */
  invalidate(account: string, change: CacheChange): Promise<void>;
  /** A global Sync: every process clears its local layer, and every account's Redis entries are dropped. */
  syncAll(): Promise<void>;
  /** Whether reads use the local layer now (shared mode: while the subscriber is subscribed). */
  readonly localEnabled: boolean;
  /** Entries in the local layer, all types and accounts. */
  localEntries(): number;
  /** Resolves once the cache can use its local layer (shared mode: subscribed). */
  ready(): Promise<void>;
  /** Resolves once background work started so far (refills, refreshes) is done. */
  idle(): Promise<void>;
  listen(listener: (notice: CacheNotice) => void): () => void;
  close(): Promise<void>;
}
