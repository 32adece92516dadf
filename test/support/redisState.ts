import { Cluster, Redis } from 'ioredis';
import { ScriptRunner, type RedisClient } from '../../src/adapters/redis/scripts';
import { CallStateKeys } from '../../src/adapters/redis/keys';
import { clusterDeleteUnder, clusterKeysUnder, clusterNodes } from './redisTopology';
import { REDIS_URL, TEST_CALLS_DB, uniqueName } from './services';

/**
 * A connection to the tests' calls DB under a key root no other test uses, with the key builder
 * and script runner the Redis adapters take (as adapters.ts wires them); cleanup() unlinks every
 * key under the root (SCAN, never FLUSHDB) and closes the connection.
 */
export interface RedisState {
  client: RedisClient;
  keys: CallStateKeys;
  scripts: ScriptRunner;
  root: string;
  /** Another connection on the same root: what a second process would have. */
  connect(): RedisState;
  /** Every key under the root, sorted. */
  keysUnder(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** openRedisState on the contracts' Redis Cluster (test/support/redisTopology.ts, startContractsCluster): the same adapters, the keys spread over three masters. */
export function openClusterRedisState(label: string, root = uniqueName(label)): RedisState {
  const opened: Cluster[] = [];
  const make = (): RedisState => {
    const client = new Cluster(clusterNodes(), { redisOptions: { connectionName: `ringside-test-${label}` } });
    opened.push(client);
    return {
      client, keys: new CallStateKeys(root), scripts: new ScriptRunner(client), root,
      connect: make,
      keysUnder: () => clusterKeysUnder(client, root),
      cleanup: async () => {
        await clusterDeleteUnder(opened[0]!, root);
        for (const c of opened.splice(0)) c.disconnect();
      },
    };
  };
  return make();
}

export function openRedisState(label: string, root = uniqueName(label)): RedisState {
  const opened: Redis[] = [];
  const make = (): RedisState => {
    const client = new Redis(REDIS_URL, { db: TEST_CALLS_DB, connectionName: `ringside-test-${label}` });
    opened.push(client);
    const keys = new CallStateKeys(root);
    return {
      client, keys, scripts: new ScriptRunner(client), root,
      connect: make,
      keysUnder: async () => {
        const found = new Set<string>();
        for await (const batch of client.scanStream({ match: `${root}:*`, count: 500 })) for (const key of batch as string[]) found.add(key);
        return [...found].sort();
      },
      cleanup: async () => {
        const admin = opened[0]!;
        const keysFound: string[] = [];
        for await (const batch of admin.scanStream({ match: `${root}:*`, count: 500 })) keysFound.push(...(batch as string[]));
        for (let i = 0; i < keysFound.length; i += 500) await admin.unlink(...keysFound.slice(i, i + 500));
        for (const c of opened.splice(0)) c.disconnect();
      },
    };
  };
  return make();
}
