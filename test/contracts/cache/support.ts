import { Cluster, Redis } from 'ioredis';
import { join } from 'node:path';
import { CachedDirectory } from '../../../src/app/cache/CachedDirectory';
import type { LayeredCache } from '../../../src/app/cache/LayeredCache';
import { dataVersionProbe, openEmbeddedCache, openRedisCache } from '../../../src/app/cache/openCache';
import type { CacheNotice } from '../../../src/app/cache/TwoLayerCache';
import { SqliteDirectory, contactLookupFor } from '../../../src/adapters/sqlite/directory/SqliteDirectory';
import { SqliteDispositions } from '../../../src/adapters/sqlite/directory/SqliteDispositions';
import { createLogger } from '../../../src/shared/logger';
import { openDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/database';
import type { RedisClient } from '../../../src/adapters/redis/scripts';
import { clusterDeleteUnder, clusterKeysUnder, clusterNodes } from '../../support/redisTopology';
import { REDIS_URL, TEST_CACHE_DB, uniqueName } from '../../support/services';
import { makeTempDir } from '../../support/tmp';
import { deferred, Inbox, type Deferred } from '../../support/wait';

export const silent = createLogger({ level: 'silent' });

/** An object whose method calls are counted, and whose next call of a method can be held after it read its value. */
export interface Counted<T> {
  target: T;
  calls(method: string): number;
  /** The next call of `method` reads its value, then waits until released: a reader that loaded the old value before a write. */
  hold(method: string): { reached: () => Promise<void>; release: () => void };
}

export function counted<T extends object>(inner: T): Counted<T> {
  const counts = new Map<string, number>();
  const holds = new Map<string, { reached: Deferred<void>; gate: Deferred<void> }>();
  const target = new Proxy(inner, {
    get(object, prop) {
      const value = Reflect.get(object, prop, object) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        counts.set(prop, (counts.get(prop) ?? 0) + 1);
        const result = (value as (...a: unknown[]) => unknown).apply(object, args);
        const hold = holds.get(prop);
        if (!hold) return result;
        holds.delete(prop);
        return Promise.resolve(result).then(async (v) => {
          hold.reached.resolve();
          await hold.gate.promise;
          return v;
        });
      };
    },
  });
  return {
    target,
    calls: (method) => counts.get(method) ?? 0,
    hold: (method) => {
      const hold = { reached: deferred(`the held ${method}() to read its value`), gate: deferred(`the release of the held ${method}()`) };
      holds.set(method, hold);
      return { reached: () => hold.reached.wait(), release: () => hold.gate.resolve() };
    },
  };
}

/** A clock tests move: the entries' load times and the local layer's TTLs. */
export function movableClock(): { clock: () => number; localNow: () => number; advance: (ms: number) => void } {
  let offset = 0;
  return { clock: () => Date.now() + offset, localNow: () => performance.now() + offset, advance: (ms) => { offset += ms; } };
}

/** One process's view: its own connection to the SQLite file, its cache and the cached directory over both. */
export interface CacheProcess {
  directory: CachedDirectory;
  cache: LayeredCache;
  source: Counted<SqliteDirectory>;
  dispositions: Counted<SqliteDispositions>;
  db: SqliteDatabase;
  /** Collected notices (events applied, resets). */
  notices: readonly CacheNotice[];
  /** Resolves with the next notice matching `match` that arrives after this call (`what` names it; fails after WAIT_MS). */
  next(match: (notice: CacheNotice) => boolean, what: string): Promise<CacheNotice>;
  close(): Promise<void>;
}

/** `readContactsLocally`: the cached directory reads contacts from the file, not Redis, as a server on a SQLite file does. */
function processOver(db: SqliteDatabase, cache: LayeredCache, readContactsLocally = false): CacheProcess {
  const source = counted(new SqliteDirectory(db));
  const dispositions = counted(new SqliteDispositions(db));
  const notices = new Inbox<CacheNotice>('cache notices');
  cache.listen((notice) => notices.push(notice));
  return {
    directory: new CachedDirectory(source.target, dispositions.target, cache, readContactsLocally ? { readContact: contactLookupFor(source.target) } : {}),
    cache, source, dispositions, db,
    get notices() {
      return notices.all;
    },
    next: (match, what) => notices.next(match, what, { since: notices.mark() }),
    close: async () => {
      await cache.close();
      db.close();
    },
  };
}

/** A shared SQLite file and a Redis key root of the test's own; processes open their own connections to both. */
export interface SharedSetup {
  root: string;
  file: string;
  clock: ReturnType<typeof movableClock>;
  open(name: string, options?: { ackWaitMs?: number; readContactsLocally?: boolean }): Promise<CacheProcess>;
  admin: RedisClient;
  /** Every key under the root in the test cache DB. */
  keys(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** The shared cache on the tests' Redis (TEST_CACHE_DB), or on the contracts' Redis Cluster (database 0, test/support/contractsCluster.ts). */
export function sharedSetup(options: { cluster?: boolean } = {}): SharedSetup {
  const root = uniqueName('cache');
  const temp = makeTempDir('ringside-cache-');
  const file = join(temp.dir, 'ringside.db');
  const clock = movableClock();
  const nodes = options.cluster ? clusterNodes() : null;
  const admin: RedisClient = nodes
    ? new Cluster(nodes, { redisOptions: { connectionName: 'ringside-test-cache-admin' } })
    : new Redis(REDIS_URL, { db: TEST_CACHE_DB, connectionName: 'ringside-test-cache-admin' });
  const opened: CacheProcess[] = [];
  const keys = async () => {
    if (admin instanceof Cluster) return clusterKeysUnder(admin, root);
    const found = new Set<string>();
    for await (const batch of admin.scanStream({ match: `${root}:*`, count: 500 })) for (const key of batch as string[]) found.add(key);
    return [...found].sort();
  };
  return {
    root, file, clock, admin, keys,
    async open(name, options = {}) {
      const cache = openRedisCache({
        target: nodes ? { kind: 'cluster', nodes } : { kind: 'url', url: REDIS_URL }, db: TEST_CACHE_DB, root, node: `${root}-${name}`, logger: silent, clock: clock.clock, localNow: clock.localNow,
        ackWaitMs: options.ackWaitMs, names: { commands: `${root}-${name}`, subscriber: `${root}-${name}-sub` },
      });
      const proc = processOver(openDatabase(file), cache, options.readContactsLocally);
      opened.push(proc);
      await cache.ready();
      return proc;
    },
    async cleanup() {
      for (const proc of opened.splice(0)) await proc.close();
      if (admin instanceof Cluster) {
        await clusterDeleteUnder(admin, root);
      } else {
        const found = await keys();
        if (found.length > 0) await admin.unlink(...found);
      }
      admin.disconnect();
      temp.cleanup();
    },
  };
}

export function embeddedSetup(): { clock: ReturnType<typeof movableClock>; file: string; open(): CacheProcess; cleanup(): Promise<void> } {
  const temp = makeTempDir('ringside-cache-');
  const file = join(temp.dir, 'ringside.db');
  const clock = movableClock();
  const opened: CacheProcess[] = [];
  return {
    clock, file,
    open() {
      const db = openDatabase(file);
      const proc = processOver(db, openEmbeddedCache({ sourceChangedElsewhere: dataVersionProbe(db, 0), logger: silent, clock: clock.clock, localNow: clock.localNow }));
      opened.push(proc);
      return proc;
    },
    async cleanup() {
      for (const proc of opened.splice(0)) await proc.close();
      temp.cleanup();
    },
  };
}
