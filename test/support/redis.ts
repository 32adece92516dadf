import { Redis } from 'ioredis';
import { RedisCallStateStore } from '../../src/adapters/redis/callstate/RedisCallStateStore';
import { REDIS_URL, TEST_CALLS_DB, uniqueName } from './services';

/** A connection to the test calls DB, for looking at and cleaning up what a store wrote. */
export function adminRedis(): Redis {
  return new Redis(REDIS_URL, { db: TEST_CALLS_DB, connectionName: 'ringside-test-admin' });
}

/** Every key under the root (SCAN MATCH, never KEYS). */
export async function keysUnder(redis: Redis, root: string): Promise<string[]> {
  const found: string[] = [];
  for await (const batch of redis.scanStream({ match: `${root}:*`, count: 500 })) found.push(...(batch as string[]));
  return [...new Set(found)].sort();
}

export async function deleteUnder(redis: Redis, root: string): Promise<void> {
  const keys = await keysUnder(redis, root);
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
}

/** A store on its own connection and a root no other test uses; cleanup deletes the root's keys. */
export async function openTestStore(admin: Redis): Promise<{ store: RedisCallStateStore; root: string; cleanup: () => Promise<void> }> {
  const root = uniqueName('state');
  const store = await RedisCallStateStore.connect({ url: REDIS_URL, db: TEST_CALLS_DB, root, connectionName: 'ringside-test-callstate' });
  return {
    store,
    root,
    cleanup: async () => {
      await store.close();
      await deleteUnder(admin, root);
    },
  };
}
