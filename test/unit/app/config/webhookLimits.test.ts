import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../../src/app/config/loadConfig';
import { DEFAULT_WEBHOOK_LIMITS } from '../../../../src/adapters/webhook/WebhookListener';
import { makeTempDir } from '../../../support/tmp';

describe('loadConfig: the webhook listener\'s connection caps', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());
  const env = (extra: Record<string, string> = {}) => ({ RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: join(temp.dir, 'none.json'), ...extra });

  it('defaults to the listener\'s own caps, a per-address cap well below the total', () => {
    const { webhook } = loadConfig({ env: env() });
    expect([webhook.maxConnections, webhook.maxConnectionsPerAddress]).toEqual([DEFAULT_WEBHOOK_LIMITS.maxConnections, DEFAULT_WEBHOOK_LIMITS.maxConnectionsPerAddress]);
    expect(webhook.maxConnectionsPerAddress * 4).toBeLessThanOrEqual(webhook.maxConnections);
  });

  it('takes them from the environment, flags and the config file', () => {
    const fromEnv = loadConfig({ env: env({ RINGSIDE_WEBHOOK_MAX_CONNECTIONS: '500', RINGSIDE_WEBHOOK_MAX_CONNECTIONS_PER_ADDRESS: '20' }) });
    expect([fromEnv.webhook.maxConnections, fromEnv.webhook.maxConnectionsPerAddress]).toEqual([500, 20]);
    const fromFlags = loadConfig({ env: env(), argv: ['--webhook-max-connections', '100', '--webhook-max-connections-per-address', '10'] });
    expect([fromFlags.webhook.maxConnections, fromFlags.webhook.maxConnectionsPerAddress]).toEqual([100, 10]);
    writeFileSync(join(temp.dir, 'config.json'), JSON.stringify({ webhook: { maxConnectionsPerAddress: 8 } }));
    expect(loadConfig({ env: env() }).webhook).toMatchObject({ port: 7789, maxConnections: 512, maxConnectionsPerAddress: 8 });
  });

  it.each([
    [{ RINGSIDE_WEBHOOK_MAX_CONNECTIONS: '0' }, /webhook\.maxConnections/],
    [{ RINGSIDE_WEBHOOK_MAX_CONNECTIONS: 'lots' }, /webhook\.maxConnections/],
    [{ RINGSIDE_WEBHOOK_MAX_CONNECTIONS_PER_ADDRESS: '2.5' }, /webhook\.maxConnectionsPerAddress/],
    [{ RINGSIDE_WEBHOOK_MAX_CONNECTIONS_PER_ADDRESS: '-1' }, /webhook\.maxConnectionsPerAddress/],
    [{ RINGSIDE_WEBHOOK_MAX_CONNECTIONS: '10', RINGSIDE_WEBHOOK_MAX_CONNECTIONS_PER_ADDRESS: '11' }, /webhook.maxConnectionsPerAddress \(RINGSIDE_WEBHOOK_MAX_CONNECTIONS_PER_ADDRESS=11\): must not exceed webhook.maxConnections \(RINGSIDE_WEBHOOK_MAX_CONNECTIONS\)/],
  ])('refuses %j, naming the setting', (extra, message) => {
    expect(() => loadConfig({ env: env(extra) })).toThrow(ConfigError);
    expect(() => loadConfig({ env: env(extra) })).toThrow(message);
  });
});
