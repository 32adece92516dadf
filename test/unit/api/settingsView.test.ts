// GET /api/settings' shared services (src/api/settingsView.ts): the database, Redis in each
// topology and RabbitMQ with its queue type; never a password, and no host or path for an agent.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/app/config/loadConfig';
import { amqpSetting, databaseSetting, redisSetting } from '../../../src/api/settingsView';
import { makeTempDir } from '../../support/tmp';

describe('the settings view of the shared services', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());
  const config = (extra: Record<string, string> = {}) => loadConfig({ env: { RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: '/nonexistent/ringside.json', ...extra } });

  it('the database: the SQLite file (the data directory\'s by default), or PostgreSQL with its host, port and name', () => {
    expect(databaseSetting(config())).toEqual({ kind: 'sqlite', file: join(temp.dir, 'ringside.db') });
    expect(databaseSetting(config({ RINGSIDE_DATABASE: '/srv/ringside/calls.db' }))).toEqual({ kind: 'sqlite', file: '/srv/ringside/calls.db' });
    expect(databaseSetting(config({ RINGSIDE_DATABASE: 'postgres://ringside@db1.example.net:5433/calls' }))).toEqual({
      kind: 'postgres', url: 'postgres://ringside@db1.example.net:5433/calls', host: 'db1.example.net', port: 5433, name: 'calls',
    });
    // pg's defaults (no port, no database) are not made up; a socket directory names the host.
    expect(databaseSetting(config({ RINGSIDE_DATABASE: 'postgresql://ringside@db1' }))).toMatchObject({ host: 'db1', port: null, name: null });
    expect(databaseSetting(config({ RINGSIDE_DATABASE: 'postgres:///ringside?host=/run/postgresql' }))).toMatchObject({ host: '/run/postgresql', port: null, name: 'ringside' });
  });

  it('a PostgreSQL password is masked wherever the URL carries it: user:***@ as `ringside config` masks it, and a password= parameter', () => {
    const inUserInfo = databaseSetting(config({ RINGSIDE_DATABASE: 'postgres://ringside:pg-secret-4471@db1:5432/ringside?sslmode=require' }));
    expect(inUserInfo).toEqual({ kind: 'postgres', url: 'postgres://ringside:***@db1:5432/ringside?sslmode=require', host: 'db1', port: 5432, name: 'ringside' });
    const asParameters = databaseSetting(config({ RINGSIDE_DATABASE: 'postgres://db1/ringside?user=ringside&password=pg-secret-4471&sslpassword=key-secret-9&sslmode=verify-full' }));
    expect(asParameters).toMatchObject({ url: 'postgres://db1/ringside?user=ringside&password=***&sslpassword=***&sslmode=verify-full', host: 'db1' });
    expect(JSON.stringify([inUserInfo, asParameters])).not.toMatch(/pg-secret-4471|key-secret-9/);
  });

  it('Redis by URL: the masked URL and both database numbers for the admin; the topology and numbers, no URL, for an agent', () => {
    const redis = config({ RINGSIDE_REDIS_URL: 'redis://default:redis-secret-31@redis1.example.net:6380/4', RINGSIDE_REDIS_CALLS_DB: '4', RINGSIDE_REDIS_CACHE_DB: '5' });
    expect(redisSetting(redis, true)).toEqual({ topology: 'server', url: 'redis://default:***@redis1.example.net:6380/4', callsDb: 4, cacheDb: 5, keyPrefix: 'cal' });
    expect(redisSetting(redis, false)).toEqual({ topology: 'server', callsDb: 4, cacheDb: 5, keyPrefix: 'cal' });
    expect(redisSetting(config(), true)).toBeNull();
  });

  it('Sentinel: the master and the sentinels; a Cluster: its nodes and no database numbers (database 0 only); the password never', () => {
    const sentinel = config({ RINGSIDE_REDIS_SENTINELS: 'sentinel1:26379,[::1]:26380', RINGSIDE_REDIS_SENTINEL_MASTER: 'calls', RINGSIDE_REDIS_PASSWORD: 'redis-secret-31' });
    expect(redisSetting(sentinel, true)).toEqual({
      topology: 'sentinel', url: 'sentinel://calls@sentinel1:26379,[::1]:26380', master: 'calls', nodes: ['sentinel1:26379', '[::1]:26380'], callsDb: 0, cacheDb: 1, keyPrefix: 'cal',
    });
    const cluster = config({ RINGSIDE_REDIS_CLUSTER: 'node1:7000,node2:7001', RINGSIDE_REDIS_PASSWORD: 'redis-secret-31' });
    expect(redisSetting(cluster, true)).toEqual({ topology: 'cluster', url: 'cluster://node1:7000,node2:7001', nodes: ['node1:7000', 'node2:7001'], keyPrefix: 'cal' });
    expect(redisSetting(cluster, false)).toEqual({ topology: 'cluster', keyPrefix: 'cal' });
    expect(redisSetting(sentinel, false)).toEqual({ topology: 'sentinel', callsDb: 0, cacheDb: 1, keyPrefix: 'cal' });
    expect(JSON.stringify([redisSetting(sentinel, true), redisSetting(cluster, true)])).not.toContain('redis-secret-31');
  });

  it('RabbitMQ: the queue type for everyone, the masked URL for the admin only', () => {
    const quorum = config({ RINGSIDE_AMQP_URL: 'amqp://ringside:amqp-secret-8@mq1.example.net:5672', RINGSIDE_AMQP_QUEUE_TYPE: 'quorum' });
    expect(amqpSetting(quorum, true)).toEqual({ url: 'amqp://ringside:***@mq1.example.net:5672', exchange: 'grandstream', queue: 'grandstream-queue', shards: 4, queueType: 'quorum' });
    expect(amqpSetting(quorum, false)).toEqual({ exchange: 'grandstream', queue: 'grandstream-queue', shards: 4, queueType: 'quorum' });
    expect(amqpSetting(config({ RINGSIDE_AMQP_URL: 'amqp://mq1' }), true)).toMatchObject({ queueType: 'classic' });
    expect(amqpSetting(config(), true)).toBeNull();
  });
});
