import { LRUCache } from 'lru-cache';
import { CACHE_TYPES, CACHE_TYPE_NAMES, type CacheScope, type CacheType } from './cacheTypes';

export interface LocalEntry {
  value: unknown;
  /** When the value was loaded from the source (ms, the cache's clock): time-based refresh. */
  at: number;
}

interface Stored extends LocalEntry {
  /** The generation of the entry's account and scope when it was kept. */
  gen: number;
}

/** The separator of account and id in a local key; accounts never hold it (keys.ts refuses blanks and control characters are not in an account). */
const SEP = '\u0001';

/**
 * The in-process layer: one lru-cache per cache type, bounded by an approximate size in bytes
 * (the value's JSON length) and a TTL (cacheTypes.ts). Values are deep-frozen when kept, so a
 * caller that would change a cached object fails loudly instead of changing it for every reader.
 *
 * Dropping an account's scope is O(1), whatever the number of its entries: the scope's
 * generation is bumped, and an entry kept under an older one is a miss (and deleted) when read.
 */
export class LocalCacheLayer {
  private readonly caches = new Map<CacheType, LRUCache<string, Stored>>();
  private readonly generations = new Map<string, Record<CacheScope, number>>();

  /** `now`: the clock of the TTLs (tests move it); performance.now() by default. */
  constructor(options: { now?: () => number } = {}) {
    for (const type of CACHE_TYPE_NAMES) {
      const { maxBytes, ttlMs } = CACHE_TYPES[type].local;
      this.caches.set(type, new LRUCache<string, Stored>({
        maxSize: maxBytes,
        ttl: ttlMs,
        // A clock of the caller's is read on every check (lru-cache otherwise reuses a reading for 1 ms).
        ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
      }));
    }
  }

  get(type: CacheType, account: string, id: string): LocalEntry | undefined {
    const cache = this.caches.get(type)!;
    const key = account + SEP + id;
    const entry = cache.get(key);
    if (entry === undefined) return undefined;
    if (entry.gen !== (this.generations.get(account)?.[CACHE_TYPES[type].scope] ?? 0)) {
      cache.delete(key);
      return undefined;
    }
    return entry;
  }

  /** `size`: the value's approximate size in bytes (its JSON length). */
  set(type: CacheType, account: string, id: string, entry: LocalEntry, size: number): void {
    deepFreeze(entry.value);
    const gen = this.generations.get(account)?.[CACHE_TYPES[type].scope] ?? 0;
    this.caches.get(type)!.set(account + SEP + id, { value: entry.value, at: entry.at, gen }, { size: Math.max(1, size) });
  }

  /** Drops every entry of these scopes in the account. */
  dropAccount(scopes: readonly CacheScope[], account: string): void {
    let generation = this.generations.get(account);
    if (!generation) {
      generation = { directory: 0, contacts: 0, dispositions: 0 };
      this.generations.set(account, generation);
    }
    for (const scope of scopes) generation[scope] += 1;
  }

  clear(): void {
    for (const cache of this.caches.values()) cache.clear();
  }

  entries(): number {
    let n = 0;
    for (const cache of this.caches.values()) n += cache.size;
    return n;
  }
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
}
