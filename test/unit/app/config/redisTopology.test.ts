// Redis by URL, through Sentinel or as a Cluster (docs/redis.md, Sentinel and Cluster): the
// settings, their old names, every mistake named, and one switch for "shared call state".
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, maskedConfig } from '../../../../src/app/config/loadConfig';
import { describeRedisTarget, parseHostPort, redisTargetOf, usesRedis } from '../../../../src/app/config/redisTopology';
import { configFailure } from '../../../support/config';
import { makeTempDir } from '../../../support/tmp';

describe('Redis topology settings', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());
  const env = (extra: Record<string, string> = {}) => ({ RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: '/nonexistent/ringside.json', ...extra });
  const failure = (extra: Record<string, string>): string => configFailure({ env: env(extra) });

  it('reads sentinels and their master, from the RINGSIDE_ variables and the old names, as the target ioredis connects to', () => {
    const current = loadConfig({ env: env({ RINGSIDE_REDIS_SENTINELS: '10.0.0.5:26379, [::1]:26380', RINGSIDE_REDIS_SENTINEL_MASTER: 'calls', RINGSIDE_REDIS_PASSWORD: 's3cret' }) });
    expect(redisTargetOf(current)).toEqual({
      kind: 'sentinel', master: 'calls', password: 's3cret',
      sentinels: [{ host: '10.0.0.5', port: 26379 }, { host: '::1', port: 26380 }],
    });
    expect(usesRedis(current)).toBe(true);
    expect(describeRedisTarget(redisTargetOf(current)!)).toBe('sentinel://calls@10.0.0.5:26379,[::1]:26380');
    expect(JSON.stringify(maskedConfig(current))).not.toContain('s3cret');

    const old = loadConfig({ env: env({ REDIS_SENTINELS: '10.0.0.5:26379', REDIS_SENTINEL_MASTER: 'calls' }) });
    expect(redisTargetOf(old)).toMatchObject({ kind: 'sentinel', master: 'calls', sentinels: [{ host: '10.0.0.5', port: 26379 }] });
    expect(old.warnings.join('\n')).toMatch(/REDIS_SENTINELS .*RINGSIDE_REDIS_SENTINELS/);
  });

  it('reads a cluster\'s seed nodes (also as REDIS_CLUSTER); embedded mode has no target', () => {
    expect(redisTargetOf(loadConfig({ env: env({ REDIS_CLUSTER: '10.0.0.5:7000,10.0.0.6:7000' }) }))).toEqual({
      kind: 'cluster', nodes: [{ host: '10.0.0.5', port: 7000 }, { host: '10.0.0.6', port: 7000 }], password: undefined,
    });
    const embedded = loadConfig({ env: env() });
    expect(usesRedis(embedded)).toBe(false);
    expect(redisTargetOf(embedded)).toBeNull();
    expect(usesRedis(loadConfig({ env: env({ RINGSIDE_REDIS_URL: 'redis://10.0.0.5:6379' }) }))).toBe(true);
  });

  it('refuses sentinels without a master and a master without sentinels', () => {
    expect(failure({ RINGSIDE_REDIS_SENTINELS: '10.0.0.5:26379' })).toMatch(/redis\.sentinels \(RINGSIDE_REDIS_SENTINELS=10\.0\.0\.5:26379\): needs redis\.sentinelMaster/);
    expect(failure({ RINGSIDE_REDIS_SENTINEL_MASTER: 'calls' })).toMatch(/redis\.sentinelMaster \(RINGSIDE_REDIS_SENTINEL_MASTER=calls\): needs redis\.sentinels/);
  });

  it('refuses a node that is not host:port, naming the setting', () => {
    expect(failure({ RINGSIDE_REDIS_SENTINELS: '10.0.0.5', RINGSIDE_REDIS_SENTINEL_MASTER: 'calls' })).toMatch(/redis\.sentinels .*'10\.0\.0\.5' is not host:port/);
    expect(failure({ RINGSIDE_REDIS_CLUSTER: '10.0.0.5:99999' })).toMatch(/redis\.cluster .*'10\.0\.0\.5:99999' is not host:port/);
    expect(parseHostPort('redis://10.0.0.5:6379')).toBeNull();
  });

  it('refuses two topologies at once', () => {
    expect(failure({ RINGSIDE_REDIS_URL: 'redis://10.0.0.5:6379', RINGSIDE_REDIS_SENTINELS: '10.0.0.5:26379', RINGSIDE_REDIS_SENTINEL_MASTER: 'calls' }))
      .toMatch(/redis\.url and redis\.sentinels are set/);
    expect(failure({ RINGSIDE_REDIS_URL: 'redis://10.0.0.5:6379', RINGSIDE_REDIS_CLUSTER: '10.0.0.5:7000' })).toMatch(/redis\.cluster .*redis\.url and redis\.cluster are set/);
  });

  it('refuses a database number with a cluster (it has database 0 only), and a password beside a URL', () => {
    expect(failure({ RINGSIDE_REDIS_CLUSTER: '10.0.0.5:7000', RINGSIDE_REDIS_CALLS_DB: '3' })).toMatch(/redis\.callsDb \(RINGSIDE_REDIS_CALLS_DB=3\): does not apply to a Redis Cluster/);
    expect(failure({ RINGSIDE_REDIS_CLUSTER: '10.0.0.5:7000', RINGSIDE_REDIS_CACHE_DB: '5' })).toMatch(/redis\.cacheDb .*does not apply to a Redis Cluster/);
    expect(failure({ RINGSIDE_REDIS_URL: 'redis://10.0.0.5:6379', RINGSIDE_REDIS_PASSWORD: 'x' })).toMatch(/redis\.password .*goes in the URL/);
  });
});
