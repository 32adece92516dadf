// The settings of a central server behind a load balancer on a RabbitMQ cluster: the shard
// queues' type (amqp.queueType) and the drain window of a stop (drainMs).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../../src/app/config/loadConfig';
import { makeTempDir } from '../../../support/tmp';

describe('amqp.queueType and drainMs', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());
  const env = (extra: Record<string, string> = {}) => ({ RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: `${temp.dir}/none.json`, ...extra });
  const failure = (input: Parameters<typeof loadConfig>[0]): string => {
    try {
      loadConfig(input);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('loadConfig accepted it');
  };

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
