// Configuration IT can rely on: one naming rule, every mistake an error that names it, old
// spellings read with a warning, and where each value came from.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, loadConfigExplained } from '../../../../src/app/config/loadConfig';
import { flagOf, SETTINGS, variableOf } from '../../../../src/app/config/settings';
import { configFailure } from '../../../support/config';
import { makeTempDir } from '../../../support/tmp';

describe('configuration names', () => {
  it('derive the variable and the flag from the key by one rule, one to one', () => {
    expect(['webhook.maxConnectionsPerAddress', 'redis.url', 'amqp.url', 'phoneRateLimit', 'dataDir'].map((k) => [variableOf(k), flagOf(k)])).toEqual([
      ['RINGSIDE_WEBHOOK_MAX_CONNECTIONS_PER_ADDRESS', 'webhook-max-connections-per-address'],
      ['RINGSIDE_REDIS_URL', 'redis-url'],
      ['RINGSIDE_AMQP_URL', 'amqp-url'],
      ['RINGSIDE_PHONE_RATE_LIMIT', 'phone-rate-limit'],
      ['RINGSIDE_DATA_DIR', 'data-dir'],
    ]);
    const keys = SETTINGS.map((s) => s.key);
    expect(new Set(keys.map(variableOf)).size).toBe(keys.length);
    expect(new Set(keys.map(flagOf)).size).toBe(keys.length);
  });
});

describe('loadConfig: mistakes are errors that name them', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());
  const machineFile = () => join(temp.dir, 'machine.json');
  const env = (extra: Record<string, string> = {}) => ({ RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: machineFile(), ...extra });
  const failure = configFailure;

  it('refuses an unknown RINGSIDE_ variable, naming it and the closest one', () => {
    expect(failure({ env: env({ RINGSIDE_WEBHOK_PORT: '1' }) })).toMatch(/^unknown environment variable RINGSIDE_WEBHOK_PORT \(did you mean RINGSIDE_WEBHOOK_PORT\?\)/);
    // Ringside's other variables (npm start's, the command's) are not settings, and not mistakes.
    expect(() => loadConfig({ env: env({ RINGSIDE_HEADLESS: '1', RINGSIDE_PHONE_PASSWORD: 'x', RINGSIDE_USE_BUILD: '1' }) })).not.toThrow();
  });

  it('refuses a setting flag without its value, at the end or before another flag', () => {
    expect(failure({ env: env(), argv: ['--api-port'] })).toBe('--api-port needs a value (--api-port VALUE or --api-port=VALUE)');
    expect(failure({ env: env(), argv: ['--api-port', '--webhook-port', '1'] })).toMatch(/^--api-port needs a value/);
    expect(failure({ env: env(), argv: ['--api-port='] })).toMatch(/^--api-port needs a value/);
    expect(loadConfig({ env: env(), argv: ['--api-port=8002', '--webhook-port', '8001'] })).toMatchObject({ api: { port: 8002 }, webhook: { port: 8001 } });
  });

  it('refuses RINGSIDE_CONFIG naming a file that does not exist (a missing default file is fine)', () => {
    expect(failure({ env: env({ RINGSIDE_CONFIG: join(temp.dir, 'nope.json') }) })).toBe(`RINGSIDE_CONFIG names ${join(temp.dir, 'nope.json')}, which does not exist`);
    expect(() => loadConfig({ env: env() })).not.toThrow();
  });

  it('refuses an unknown key in a file, naming the file, the key and the closest key; takes nested and dotted keys', () => {
    writeFileSync(machineFile(), JSON.stringify({ webhook: { prot: 1 } }));
    expect(failure({ env: env() })).toBe(`config file ${machineFile()}: unknown key "webhook.prot" (did you mean "webhook.port"?)`);
    writeFileSync(machineFile(), JSON.stringify({ 'webhook.port': 7000, redis: { keyPrefix: 'x' } }));
    expect(loadConfig({ env: env() })).toMatchObject({ webhook: { port: 7000 }, redis: { keyPrefix: 'x' } });
  });

  it('checks every phone allow-list entry as serve does, naming the entry and where it was set', () => {
    expect(failure({ env: env(), argv: ['--phone-allow', 'banana'] })).toBe(
      "invalid configuration: phoneAllow (--phone-allow banana): 'banana' is not an IPv4 or IPv6 address or CIDR range (like 192.168.1.0/24)",
    );
    expect(failure({ env: env({ RINGSIDE_PHONE_ALLOW: '10.0.0.0/8, 192.168.1.0/33' }) })).toMatch(/^invalid configuration: phoneAllow \(RINGSIDE_PHONE_ALLOW=10\.0\.0\.0\/8,192\.168\.1\.0\/33\): '192\.168\.1\.0\/33' is not/);
    expect(loadConfig({ env: env({ RINGSIDE_PHONE_ALLOW: '10.0.0.0/8,fd00::/8,192.168.1.7' }) }).phoneAllow).toEqual(['10.0.0.0/8', 'fd00::/8', '192.168.1.7']);
  });

  it('names the file an invalid value came from, and never repeats a token', () => {
    writeFileSync(join(temp.dir, 'config.json'), JSON.stringify({ missedDelayMs: 'soon' }));
    expect(failure({ env: env() })).toMatch(new RegExp(`^invalid configuration: missedDelayMs \\(in ${join(temp.dir, 'config.json')}\\): `));
    writeFileSync(join(temp.dir, 'config.json'), '{}');
    const message = failure({ env: env({ RINGSIDE_ADMIN_TOKEN: 'short-secret' }) });
    expect(message).toMatch(/^invalid configuration: adminToken \(RINGSIDE_ADMIN_TOKEN=…\): /);
    expect(message).not.toContain('short-secret');
  });
});

describe('loadConfig: old spellings are read, with a warning naming the new one', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());
  const env = (extra: Record<string, string> = {}) => ({ RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: join(temp.dir, 'none.json'), ...extra });

  it('amqpUrl and phoneRatePerSecond in a file', () => {
    const file = join(temp.dir, 'config.json');
    writeFileSync(file, JSON.stringify({ amqpUrl: 'amqp://u:p@mq.local:5672', phoneRatePerSecond: 5 }));
    const config = loadConfig({ env: env() });
    expect([config.amqp.url, config.phoneRateLimit]).toEqual(['amqp://u:p@mq.local:5672', 5]);
    expect(config.warnings).toEqual([`"amqpUrl" is deprecated: use "amqp.url" (in ${file})`, `"phoneRatePerSecond" is deprecated: use "phoneRateLimit" (in ${file})`]);
  });

  it('REDIS_URL, AMQP_URL and the other unprefixed variables; the new name wins when both are set', () => {
    const config = loadConfig({ env: env({ REDIS_URL: 'redis://old.local:6379', REDIS_KEY_PREFIX: 'old', AMQP_URL: 'amqp://old.local', RINGSIDE_AMQP_URL: 'amqp://new.local' }) });
    expect([config.redis.url, config.redis.keyPrefix, config.amqp.url]).toEqual(['redis://old.local:6379', 'old', 'amqp://new.local']);
    expect(config.warnings).toEqual(expect.arrayContaining([
      'REDIS_URL is deprecated: use RINGSIDE_REDIS_URL',
      'REDIS_KEY_PREFIX is deprecated: use RINGSIDE_REDIS_KEY_PREFIX',
      'AMQP_URL is deprecated: use RINGSIDE_AMQP_URL (ignored here: RINGSIDE_AMQP_URL is set)',
    ]));
  });

  it('the old flag --phone-rate-per-second', () => {
    const config = loadConfig({ env: env(), argv: ['--phone-rate-per-second', '7'] });
    expect(config.phoneRateLimit).toBe(7);
    expect(config.warnings).toEqual(['--phone-rate-per-second is deprecated: use --phone-rate-limit']);
  });
});

describe('loadConfigExplained: where each value came from', () => {
  it('the default, the machine file, the user file, the environment, a flag', () => {
    const temp = makeTempDir();
    try {
      const machine = join(temp.dir, 'machine.json');
      const user = join(temp.dir, 'user', 'config.json');
      mkdirSync(join(temp.dir, 'user'));
      writeFileSync(machine, JSON.stringify({ account: 'acme', missedDelayMs: 8000, webhook: { port: 7000 } }));
      writeFileSync(user, JSON.stringify({ missedDelayMs: 9000 }));
      const { config, sources } = loadConfigExplained({
        env: { RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: machine, RINGSIDE_CONFIG: user, RINGSIDE_WEBHOOK_PORT: '7100' },
        argv: ['--api-port', '7200'],
      });
      expect([config.account, config.missedDelayMs, config.webhook.port, config.api.port, config.agent]).toEqual(['acme', 9000, 7100, 7200, 'me']);
      expect(Object.fromEntries(['account', 'missedDelayMs', 'webhook.port', 'api.port', 'agent', 'adminToken'].map((k) => [k, sources.get(k) ?? null]))).toEqual({
        account: { kind: 'machine file', name: machine },
        missedDelayMs: { kind: 'user file', name: user },
        'webhook.port': { kind: 'environment', name: 'RINGSIDE_WEBHOOK_PORT' },
        'api.port': { kind: 'flag', name: '--api-port' },
        agent: null,
        adminToken: { kind: 'default', name: join(temp.dir, 'admin-token') },
      });
    } finally {
      temp.cleanup();
    }
  });
});
