// A Redis connection ioredis gives up on without being asked is started again (connectRedis in
// src/adapters/redis/connection.ts). With Sentinel, a failover notice that arrives while a
// reconnect asks a sentinel for the master makes ioredis's connector reject that connect, and the
// client then ends for good. That race cannot be timed from a test; the connector's rejection is
// injected here (ioredis's `connector`, the one fake in this file) on a real master, replica and
// three sentinels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../../../src/adapters/redis/connection';
import { createLogger } from '../../../../src/shared/logger';
import { startSentinelTopology, type SentinelTopology } from '../../../support/redisTopology';
import { eventually, waitFor } from '../../../support/wait';

let topology: SentinelTopology;
beforeAll(async () => {
  topology = await startSentinelTopology('ringside-given-up');
}, 60_000);
afterAll(async () => {
  await topology?.stop();
});

/** The client's connector rejects its next connect as ioredis's SentinelConnector does when a failover notice interrupts it. */
function rejectNextConnect(redis: Redis): void {
  const connector = (redis as unknown as { connector: { connect: (...args: unknown[]) => Promise<unknown> } }).connector;
  const connect = connector.connect.bind(connector);
  connector.connect = () => {
    connector.connect = connect;
    return Promise.reject(new Error('Connection is closed.'));
  };
}

describe('a Sentinel connection ioredis gave up on', () => {
  it('is started again and serves commands, as the push connection after a failover must', async () => {
    const redis = connectRedis({
      target: { kind: 'sentinel', sentinels: topology.sentinels.map((s) => ({ host: '127.0.0.1', port: Number(s.split(':')[1]) })), master: topology.masterName },
      db: 0, name: 'ringside-push', logger: createLogger({ level: 'silent' }), waitThroughOutages: false,
    }) as Redis;
    try {
      await eventually('the connection to be ready', () => redis.status, (status) => status === 'ready');
      const ended = waitFor<void>('ioredis to give the connection up', (resolve) => void redis.once('end', () => resolve()));
      rejectNextConnect(redis);
      // The socket drops, as when the master dies: ioredis reconnects, and that connect is rejected.
      redis.stream.destroy();
      await ended;
      await eventually('the connection to be ready again', () => redis.status, (status) => status === 'ready');
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });
});
