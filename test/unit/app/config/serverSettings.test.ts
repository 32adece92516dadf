// The settings of a central server behind a load balancer on a RabbitMQ cluster: the shard
// queues' type (amqp.queueType) and the drain window of a stop (drainMs).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/app/config/loadConfig';
import { configFailure } from '../../../support/config';
import { makeTempDir } from '../../../support/tmp';

describe('amqp.queueType and drainMs', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());
  const env = (extra: Record<string, string> = {}) => ({ RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: `${temp.dir}/none.json`, ...extra });
  const failure = configFailure;

  it('default to classic queues and no drain window (a desktop stops at once)', () => {
    const config = loadConfig({ env: env() });
    expect([config.amqp.queueType, config.drainMs]).toEqual(['classic', 0]);
  });

  it('are read from RINGSIDE_AMQP_QUEUE_TYPE and RINGSIDE_DRAIN_MS, and from their flags', () => {
    expect(loadConfig({ env: env({ RINGSIDE_AMQP_QUEUE_TYPE: 'quorum', RINGSIDE_DRAIN_MS: '15000' }) })).toMatchObject({ amqp: { queueType: 'quorum' }, drainMs: 15_000 });
    expect(loadConfig({ env: env(), argv: ['--amqp-queue-type', 'quorum', '--drain-ms=5000'] })).toMatchObject({ amqp: { queueType: 'quorum' }, drainMs: 5000 });
  });

  it('accept AMQP_QUEUE_TYPE beside the other AMQP_ variables, with the warning naming the new name', () => {
    const config = loadConfig({ env: env({ AMQP_QUEUE_TYPE: 'quorum' }) });
    expect(config.amqp.queueType).toBe('quorum');
    expect(config.warnings).toEqual(['AMQP_QUEUE_TYPE is deprecated: use RINGSIDE_AMQP_QUEUE_TYPE']);
  });

  it('refuse a queue type RabbitMQ shard queues cannot have, and a drain window over a minute', () => {
    expect(failure({ env: env({ RINGSIDE_AMQP_QUEUE_TYPE: 'stream' }) })).toMatch(/^invalid configuration: amqp\.queueType \(RINGSIDE_AMQP_QUEUE_TYPE=stream\): .*"classic"\|"quorum"/);
    expect(failure({ env: env({ RINGSIDE_DRAIN_MS: '600000' }) })).toMatch(/^invalid configuration: drainMs \(RINGSIDE_DRAIN_MS=600000\): .*60000/);
  });
});

describe('workers (RINGSIDE_WORKERS)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());
  const shared = { RINGSIDE_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672', RINGSIDE_REDIS_URL: 'redis://127.0.0.1:6379' };
  const env = (extra: Record<string, string> = {}) => ({ RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: `${temp.dir}/none.json`, ...extra });
  const failure = configFailure;

  it('default to 1, and take up to the shard count with RabbitMQ and Redis', () => {
    expect(loadConfig({ env: env() }).workers).toBe(1);
    expect(loadConfig({ env: env({ ...shared, RINGSIDE_WORKERS: '4' }) }).workers).toBe(4);
    expect(loadConfig({ env: env({ ...shared, RINGSIDE_AMQP_SHARDS: '8' }), argv: ['--workers', '8'] }).workers).toBe(8);
  });

  it('refuse more workers than shard queues: the shard count is the ceiling', () => {
    expect(failure({ env: env({ ...shared, RINGSIDE_WORKERS: '5' }) }))
      .toMatch(/^invalid configuration: workers \(RINGSIDE_WORKERS=5\): 5 workers but 4 shard queues: .*the shard count is the ceiling: raise RINGSIDE_AMQP_SHARDS/);
  });

  it('refuse more than 1 worker without RabbitMQ or without Redis, saying why', () => {
    const why = /^invalid configuration: workers \(RINGSIDE_WORKERS=2\): more than 1 worker needs RabbitMQ \(RINGSIDE_AMQP_URL\) and Redis .*only through the shard queues/;
    expect(failure({ env: env({ RINGSIDE_WORKERS: '2' }) })).toMatch(why);
    expect(failure({ env: env({ RINGSIDE_WORKERS: '2', RINGSIDE_REDIS_URL: shared.RINGSIDE_REDIS_URL }) })).toMatch(why);
    expect(failure({ env: env({ RINGSIDE_WORKERS: '2', RINGSIDE_AMQP_URL: shared.RINGSIDE_AMQP_URL }) })).toMatch(why);
    expect(failure({ env: env({ RINGSIDE_WORKERS: '0' }) })).toMatch(/^invalid configuration: workers \(RINGSIDE_WORKERS=0\)/);
  });
});
