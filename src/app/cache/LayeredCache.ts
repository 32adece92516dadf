import type { RedisClient } from '../../adapters/redis/scripts';
import { ulid } from 'ulid';
import type { CacheKeys, TenantCacheKeys } from '../../adapters/redis/keys';
import type { Logger } from '../../shared/logger';
import { CACHE_SCOPES, CACHE_TYPES, type CacheChange, type CacheEvent, type CacheScope, type CacheType } from './cacheTypes';
import type { CacheInvalidation } from './CacheInvalidation';
import type { LocalCacheLayer } from './LocalCacheLayer';
import type { RedisCacheLayer } from './RedisCacheLayer';
import type { CacheNotice, TwoLayerCache } from './TwoLayerCache';

export class CacheUnavailableError extends Error {
  constructor() {
    super('the shared cache (Redis) is unreachable; directory changes wait until it is back');
    this.name = 'CacheUnavailableError';
  }
}

export interface LayeredCacheOptions {
  node?: string;
  /** Builds and checks every key (the account's hash tag), in embedded mode too. */
  keys: CacheKeys;
  local: LocalCacheLayer;
  /** Shared mode: the Redis layer and its invalidation channel (both or neither). */
  remote?: {
    layer: RedisCacheLayer;
    invalidation: (handlers: InvalidationHandlers) => CacheInvalidation;
    /** Resolves once the command connection is up. */
    ready?: () => Promise<void>;
    close?: () => Promise<void>;
  } | null;
  logger: Logger;
  /** Wall clock of the entries' load times (time-based refresh). */
  clock?: () => number;
  /** Embedded mode: true when another process changed the source since the last call (the local layer is then cleared). */
  sourceChangedElsewhere?: () => boolean;
}

export interface InvalidationHandlers {
  onEvent(event: CacheEvent): void;
  onDown(): void;
  onUp(): void;
}

interface Entry {
  at: number;
  v: unknown;
}

/** How often a failed invalidation is sent again while Redis stays away. */
const RETRY_MS = 1_000;
const MAX_REMEMBERED_ACCOUNTS = 10_000;

/**
 * The TwoLayerCache adapter: local layer, then (shared mode) Redis, then the source.
 *
 * A refill of either layer is refused when the scope was written while the value was being
 * read: locally by a change counter taken before the read (bumped by every invalidation and
 * every clear), in Redis by the scope's version (RedisCacheLayer). In shared mode the local layer
 * is used only while the subscriber is subscribed; it is cleared when the subscriber drops and
 * again when it is back. Reads never fail because Redis does: they fall back to the source.
 */
export class LayeredCache implements TwoLayerCache {
  readonly node: string;
  private readonly local: LocalCacheLayer;
  private readonly remote: RedisCacheLayer | null;
  private readonly invalidation: CacheInvalidation | null;
  private readonly clock: () => number;
  private localOn: boolean;
  /** Bumped by every invalidation and clear: a read that started before refills nothing. */
  private changes = 0;
  private readonly tenants = new Map<string, TenantCacheKeys>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly refreshing = new Set<string>();
  private readonly listeners = new Set<(notice: CacheNotice) => void>();
  /** Invalidations Redis did not take (account -> scopes), sent again when it is back. */
  private readonly unsent = new Map<string | null, Set<CacheScope>>();
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: LayeredCacheOptions) {
    this.node = options.node ?? ulid().toLowerCase();
    this.local = options.local;
    this.clock = options.clock ?? Date.now;
    this.remote = options.remote?.layer ?? null;
    this.localOn = !options.remote;
    this.invalidation = options.remote?.invalidation({
      onEvent: (event) => this.applyEvent(event),
      onDown: () => {
        this.localOn = false;
        this.clearLocal();
        this.notify({ type: 'reset', reason: 'dropped' });
      },
      onUp: () => {
        this.clearLocal();
        this.localOn = true;
        this.notify({ type: 'reset', reason: 'resubscribed' });
        this.retryUnsent();
      },
    }) ?? null;
  }

  /** The Redis layer's own connection, for custom operations (the seed's redis_connection); null when embedded. */
  redisConnection(): RedisClient | null {
    return this.remote?.connection() ?? null;
  }

  get localEnabled(): boolean {
    return this.localOn;
  }

  async ready(): Promise<void> {
    await Promise.all([this.invalidation?.ready(), this.options.remote?.ready?.()]);
  }

  async get<T>(type: CacheType, account: string, id: string, load: () => T | Promise<T>): Promise<T> {
    const keys = this.tenant(account);
    if (this.useLocal()) {
      const hit = this.local.get(type, account, id);
      if (hit) {
        this.refreshIfOld(type, account, id, keys, hit.at, load);
        return hit.value as T;
      }
    }
    return this.fromRemoteOrSource(type, account, id, keys, load, true);
  }

  getDirect<T>(type: CacheType, account: string, id: string, load: () => T | Promise<T>): Promise<T> {
    return this.fromRemoteOrSource(type, account, id, this.tenant(account), load, false);
  }

  async getMany<T>(
    type: CacheType, account: string, ids: readonly string[], load: (missing: string[]) => Map<string, T> | Promise<Map<string, T>>,
  ): Promise<Map<string, T>> {
    const keys = this.tenant(account);
    const result = new Map<string, T>();
    let missing = [...new Set(ids)];
    const useLocal = this.useLocal();
    if (useLocal) {
      missing = missing.filter((id) => {
        const hit = this.local.get(type, account, id);
        if (hit) result.set(id, hit.value as T);
        return !hit;
      });
    }
    if (missing.length === 0) return result;
    const token = this.changes;
    let version: string | null = null;
    if (this.remote) {
      try {
        const read = await this.remote.readMany(keys, type, missing);
        version = read.version;
        missing = missing.filter((id, i) => {
          const raw = read.raws[i];
          if (raw == null) return true;
          const entry = JSON.parse(raw) as Entry;
          result.set(id, entry.v as T);
          if (useLocal) this.keepIfCurrent(type, account, id, token, entry, raw.length);
          return false;
        });
      } catch (err) {
        this.options.logger.debug({ err }, 'cache: Redis read failed; reading the source');
      }
    }
    if (missing.length === 0) return result;
    const loaded = await load(missing);
    const at = this.clock();
    const refills: Array<[string, string]> = [];
    for (const id of missing) {
      const value = (loaded.has(id) ? loaded.get(id) : null) as T;
      result.set(id, value);
      const json = JSON.stringify({ at, v: value });
      refills.push([id, json]);
      if (useLocal) this.keepIfCurrent(type, account, id, token, { at, v: value }, json.length);
    }
    if (this.remote && version !== null) this.track(this.remote.refill(keys, type, refills, version));
    return result;
  }

  peek<T>(type: CacheType, account: string, id: string): T | undefined {
    this.tenant(account);
    if (!this.useLocal()) return undefined;
    return this.local.get(type, account, id)?.value as T | undefined;
  }

  keepLocal<T>(type: CacheType, account: string, id: string, value: T): void {
    this.tenant(account);
    if (!this.localOn) return;
    const at = this.clock();
    this.local.set(type, account, id, { value, at }, JSON.stringify(value)?.length ?? 1);
  }

  assertWritable(): void {
    if (this.remote && this.remote.status() !== 'ready') throw new CacheUnavailableError();
  }

  async invalidate(account: string, change: CacheChange): Promise<void> {
    this.tenant(account);
    this.dropLocal(account, change.scopes);
    if (!this.invalidation) {
      this.notify({ type: 'event', event: { ...change, id: ulid(), node: this.node, account, at: this.clock() } });
      return;
    }
    try {
      await this.invalidation.publish(account, change);
    } catch (err) {
      this.options.logger.warn({ err, entity: change.entity }, 'cache: a write could not be invalidated in Redis; it is sent again when Redis is back');
      this.remember(account, change.scopes);
    }
    // A read of this process that took the old value from Redis before the script deleted it.
    this.dropLocal(account, change.scopes);
  }

  async syncAll(): Promise<void> {
    this.clearLocal();
    if (!this.remote || !this.invalidation) {
      this.notify({ type: 'event', event: { kind: 'Sync', entity: 'all', ids: [], scopes: [...CACHE_SCOPES], id: ulid(), node: this.node, account: null, at: this.clock() } });
      return;
    }
    const change: CacheChange = { kind: 'Sync', entity: 'all', ids: [], scopes: [...CACHE_SCOPES] };
    try {
      for (const account of await this.remote.accounts(this.options.keys.tenantPattern())) {
        await this.remote.invalidate(this.tenant(account), CACHE_SCOPES, '', '');
      }
      await this.invalidation.publish(null, change);
    } catch (err) {
      this.options.logger.warn({ err }, 'cache: a global Sync could not reach Redis; it is sent again when Redis is back');
      this.remember(null, CACHE_SCOPES);
    }
    this.clearLocal();
  }

  localEntries(): number {
    return this.local.entries();
  }

  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  listen(listener: (notice: CacheNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearInterval(this.retryTimer);
    await this.idle();
    await this.invalidation?.close();
    await this.options.remote?.close?.();
    this.local.clear();
  }

  // ── reads ──

  private useLocal(): boolean {
    if (!this.localOn) return false;
    if (this.options.sourceChangedElsewhere?.()) {
      this.clearLocal();
      this.notify({ type: 'reset', reason: 'source-changed' });
    }
    return true;
  }

  private async fromRemoteOrSource<T>(
    type: CacheType, account: string, id: string, keys: TenantCacheKeys, load: () => T | Promise<T>, keepLocally: boolean,
  ): Promise<T> {
    const token = this.changes;
    let version: string | null = null;
    if (this.remote) {
      try {
        const read = await this.remote.read(keys, type, id);
        if (read.raw !== null) {
          const entry = JSON.parse(read.raw) as Entry;
          if (keepLocally) this.keepIfCurrent(type, account, id, token, entry, read.raw.length);
          this.refreshIfOld(type, account, id, keys, entry.at, load);
          return entry.v as T;
        }
        version = read.version;
      } catch (err) {
        this.options.logger.debug({ err }, 'cache: Redis read failed; reading the source');
      }
    }
    const value = await load();
    const at = this.clock();
    const json = JSON.stringify({ at, v: value });
    if (this.remote && version !== null) this.track(this.remote.refill(keys, type, [[id, json]], version));
    if (keepLocally) this.keepIfCurrent(type, account, id, token, { at, v: value }, json.length);
    return value;
  }

  private keepIfCurrent(type: CacheType, account: string, id: string, token: number, entry: Entry, size: number): void {
    if (this.localOn && token === this.changes) this.local.set(type, account, id, { value: entry.v, at: entry.at }, size);
  }

  /** Time-based refresh: an entry older than its type's refreshAfterMs is reloaded in the background (one reload per entry at a time). */
  private refreshIfOld<T>(type: CacheType, account: string, id: string, keys: TenantCacheKeys, at: number, load: () => T | Promise<T>): void {
    const after = CACHE_TYPES[type].refreshAfterMs;
    if (after === undefined || this.clock() - at < after || this.closed) return;
    const key = `${type}\u0001${account}\u0001${id}`;
    if (this.refreshing.has(key)) return;
    this.refreshing.add(key);
    this.track((async () => {
      try {
        const token = this.changes;
        const version = this.remote ? await this.remote.version(keys, CACHE_TYPES[type].scope).catch(() => null) : null;
        const value = await load();
        const now = this.clock();
        const json = JSON.stringify({ at: now, v: value });
        if (this.remote && version !== null) await this.remote.refill(keys, type, [[id, json]], version);
        this.keepIfCurrent(type, account, id, token, { at: now, v: value }, json.length);
      } finally {
        this.refreshing.delete(key);
      }
    })());
  }

  // ── invalidation ──

  private applyEvent(event: CacheEvent): void {
    if (event.account === null) this.clearLocal();
    else this.dropLocal(event.account, event.scopes);
    this.notify({ type: 'event', event });
  }

  private dropLocal(account: string, scopes: readonly CacheScope[]): void {
    this.changes += 1;
    this.local.dropAccount(scopes, account);
  }

  private clearLocal(): void {
    this.changes += 1;
    this.local.clear();
  }

  private remember(account: string | null, scopes: readonly CacheScope[]): void {
    const known = this.unsent.get(account) ?? new Set<CacheScope>();
    for (const scope of scopes) known.add(scope);
    this.unsent.set(account, known);
    this.retryTimer ??= setInterval(() => this.retryUnsent(), RETRY_MS);
    this.retryTimer.unref();
  }

  private retryUnsent(): void {
    if (this.unsent.size === 0 || !this.invalidation || !this.remote || this.remote.status() !== 'ready') return;
    const pending = [...this.unsent];
    this.unsent.clear();
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
    this.track((async () => {
      for (const [account, scopes] of pending) {
        const change: CacheChange = { kind: 'Sync', entity: 'all', ids: [], scopes: [...scopes] };
        if (account === null) await this.syncAll();
        else await this.invalidate(account, change);
      }
    })());
  }

  // ── plumbing ──

  /** The account's keys; refuses an account a key could not hold safely (in embedded mode too). */
  private tenant(account: string): TenantCacheKeys {
    let keys = this.tenants.get(account);
    if (!keys) {
      keys = this.options.keys.tenant(account);
      if (this.tenants.size >= MAX_REMEMBERED_ACCOUNTS) this.tenants.clear();
      this.tenants.set(account, keys);
    }
    return keys;
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((err: unknown) => this.options.logger.debug({ err }, 'cache: background refill failed')).finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  private notify(notice: CacheNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch (err) {
        this.options.logger.warn({ err }, 'cache: a listener failed');
      }
    }
  }
}

