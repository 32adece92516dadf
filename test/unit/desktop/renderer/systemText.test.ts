// The admin console's System section in words (src/desktop/renderer/systemText.ts): where the
// call history is kept, Redis as one server, Sentinel or a Cluster, RabbitMQ with its queue type.
import { describe, expect, it } from 'vitest';
import { databaseText, rabbitDetails, redisDetails } from '../../../../src/desktop/renderer/systemText';

describe('the System section in words', () => {
  it('the call history database: a SQLite file, or PostgreSQL at host:port/database (a socket directory, or what the URL leaves out, said plainly)', () => {
    expect(databaseText({ kind: 'sqlite', file: '/home/me/.ringside/ringside.db' })).toBe('SQLite file on this computer');
    const postgres = { kind: 'postgres' as const, url: 'postgres://ringside:***@db1:5432/ringside' };
    expect(databaseText({ ...postgres, host: 'db1', port: 5432, name: 'ringside' })).toBe('PostgreSQL at db1:5432/ringside');
    expect(databaseText({ ...postgres, host: '[::1]', port: null, name: null })).toBe('PostgreSQL at [::1]');
    expect(databaseText({ ...postgres, host: '/run/postgresql', port: null, name: 'ringside' })).toBe('PostgreSQL through the socket in /run/postgresql, database ringside');
    expect(databaseText({ ...postgres, host: null, port: null, name: null })).toBe('PostgreSQL');
  });

  it('Redis: the URL and both databases; Sentinel: its master and sentinels; a Cluster: its nodes and no database numbers', () => {
    expect(redisDetails({ topology: 'server', url: 'redis://default:***@redis1:6379', callsDb: 0, cacheDb: 1, keyPrefix: 'cal' }))
      .toEqual(['redis://default:***@redis1:6379', 'call state in DB 0, directory cache in DB 1', 'key prefix cal']);
    expect(redisDetails({ topology: 'sentinel', url: 'sentinel://calls@s1:26379,s2:26379', master: 'calls', nodes: ['s1:26379', 's2:26379'], callsDb: 0, cacheDb: 1, keyPrefix: 'cal' }))
      .toEqual(['Sentinel: master calls via s1:26379, s2:26379', 'call state in DB 0, directory cache in DB 1', 'key prefix cal']);
    const cluster = redisDetails({ topology: 'cluster', url: 'cluster://n1:7000,n2:7001', nodes: ['n1:7000', 'n2:7001'], keyPrefix: 'cal' });
    expect(cluster).toEqual(['Cluster: n1:7000, n2:7001', 'key prefix cal']);
    expect(cluster.join(' ')).not.toContain('DB');
  });

  it('RabbitMQ: URL, exchange, the shard queues and whether they are classic or quorum queues', () => {
    const amqp = { url: 'amqp://guest:***@mq1:5672', exchange: 'grandstream', queue: 'grandstream-queue', shards: 4 };
    expect(rabbitDetails({ ...amqp, queueType: 'quorum' })).toEqual(['amqp://guest:***@mq1:5672', 'exchange grandstream', 'queue grandstream-queue ×4', 'quorum queues (replicated)']);
    expect(rabbitDetails({ ...amqp, queueType: 'classic' })).toContain('classic queues');
  });
});
