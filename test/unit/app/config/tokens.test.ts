// The two credentials in the configuration: the webhook token the phones carry and the admin
// token of the agent API, their files (0600), the data directory of an older Ringside with its one
// `token` file, and the deprecated RINGSIDE_TOKEN.
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, LEGACY_TOKEN_WARNING, loadConfig } from '../../../../src/app/config/loadConfig';
import { currentToken, persistedToken, readPreviousWebhookToken, writePreviousWebhookToken } from '../../../../src/app/config/tokenFiles';
import { makeTempDir } from '../../../support/tmp';

const mode = (file: string) => statSync(file).mode & 0o777;

describe('the webhook and admin tokens in the configuration', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());
  const env = (extra: Record<string, string> = {}) => ({ RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: join(temp.dir, 'none.json'), ...extra });

  it('keeps both generated tokens in files only their owner can read (0600)', () => {
    const config = loadConfig({ env: env() });
    for (const name of ['webhook-token', 'admin-token']) expect(mode(join(temp.dir, name))).toBe(0o600);
    expect(readFileSync(join(temp.dir, 'webhook-token'), 'utf8').trim()).toBe(config.webhookToken);
    expect(readFileSync(join(temp.dir, 'admin-token'), 'utf8').trim()).toBe(config.adminToken);
    // No temporary file is left behind by the atomic writes.
    expect(readdirSync(temp.dir).sort()).toEqual(['admin-token', 'webhook-token']);
  });

  it('makes a token file that was made readable by others 0600 again', () => {
    loadConfig({ env: env() });
    chmodSync(join(temp.dir, 'admin-token'), 0o644);
    loadConfig({ env: env() });
    expect(mode(join(temp.dir, 'admin-token'))).toBe(0o600);
  });

  it('turns an older data directory\'s one `token` into the webhook token (its phones keep working) and generates a new admin token', () => {
    const old = 'old-shared-token-from-before-0123';
    writeFileSync(join(temp.dir, 'token'), `${old}\n`, { mode: 0o600 });
    const config = loadConfig({ env: env() });
    expect(config.webhookToken).toBe(old);
    expect(config.adminToken).not.toBe(old);
    expect(config.tokenOrigins.webhook).toEqual({ source: 'file', file: join(temp.dir, 'webhook-token'), legacy: false });
    // The old file is gone: nothing reads it as the admin token again.
    expect(existsSync(join(temp.dir, 'token'))).toBe(false);
    expect(mode(join(temp.dir, 'webhook-token'))).toBe(0o600);
    expect(loadConfig({ env: env() })).toMatchObject({ webhookToken: old, adminToken: config.adminToken });
  });

  it('reads RINGSIDE_TOKEN (or --token) as the webhook token only, with the deprecation warning, never as the admin token', () => {
    const legacy = 'legacy-env-token-0123456789';
    const config = loadConfig({ env: env({ RINGSIDE_TOKEN: legacy }) });
    expect(config.webhookToken).toBe(legacy);
    expect(config.adminToken).not.toBe(legacy);
    expect(config.tokenOrigins.webhook).toMatchObject({ source: 'configured', legacy: true });
    expect(config.tokenOrigins.admin).toMatchObject({ source: 'file' });
    expect(config.warnings).toEqual([LEGACY_TOKEN_WARNING]);
    expect(LEGACY_TOKEN_WARNING).not.toContain('\n');

    const flag = loadConfig({ env: env(), argv: ['--token', legacy] });
    expect([flag.webhookToken, flag.warnings]).toEqual([legacy, [LEGACY_TOKEN_WARNING]]);

    const both = loadConfig({ env: env({ RINGSIDE_TOKEN: legacy, RINGSIDE_WEBHOOK_TOKEN: 'new-style-webhook-token-0123' }) });
    expect(both.webhookToken).toBe('new-style-webhook-token-0123');
    expect(both.warnings).toEqual([expect.stringContaining('ignored here')]);
  });

  it('takes "token" in a config file as the deprecated webhook token too', () => {
    writeFileSync(join(temp.dir, 'config.json'), JSON.stringify({ token: 'config-file-token-0123456789' }));
    const config = loadConfig({ env: env() });
    expect(config.webhookToken).toBe('config-file-token-0123456789');
    expect(config.warnings).toEqual([LEGACY_TOKEN_WARNING]);
  });

  it('takes configured tokens as they are, and refuses an admin token equal to the webhook token', () => {
    const config = loadConfig({ env: env({ RINGSIDE_WEBHOOK_TOKEN: 'configured-webhook-0123456', RINGSIDE_ADMIN_TOKEN: 'configured-admin-0123456789' }) });
    expect([config.webhookToken, config.adminToken]).toEqual(['configured-webhook-0123456', 'configured-admin-0123456789']);
    expect(config.tokenOrigins).toMatchObject({ webhook: { source: 'configured', file: null }, admin: { source: 'configured', file: null } });
    expect(existsSync(join(temp.dir, 'webhook-token'))).toBe(false);

    const same = 'the-same-token-for-both-0123';
    expect(() => loadConfig({ env: env({ RINGSIDE_WEBHOOK_TOKEN: same, RINGSIDE_ADMIN_TOKEN: same }) })).toThrow(/must differ/);
    // The old way of making the admin token the phones' token is refused as well.
    expect(() => loadConfig({ env: env({ RINGSIDE_TOKEN: same, RINGSIDE_ADMIN_TOKEN: same }) })).toThrow(ConfigError);
  });

  it('refuses tokens that are too short or cannot travel in a URL, and a token file that holds none, creating nothing', () => {
    expect(() => loadConfig({ env: env({ RINGSIDE_ADMIN_TOKEN: 'short' }) })).toThrow(/adminToken \(RINGSIDE_ADMIN_TOKEN=…\): at least 16/);
    expect(() => loadConfig({ env: env({ RINGSIDE_WEBHOOK_TOKEN: 'has a space in it 0123' }) })).toThrow(/webhookToken/);
    expect(() => loadConfig({ env: env({ RINGSIDE_WEBHOOK_PORT: 'seventy' }) })).toThrow(/webhook.port/);
    expect(readdirSync(temp.dir)).toEqual([]);
    writeFileSync(join(temp.dir, 'admin-token'), '\n');
    expect(() => loadConfig({ env: env() })).toThrow(/admin-token does not hold a usable token/);
  });

  it('agrees on one token when two processes create the file at once', () => {
    const a = persistedToken(temp.dir, 'admin');
    const b = persistedToken(temp.dir, 'admin');
    expect([a.how, b.how]).toEqual(['generated', 'read']);
    expect(b.value).toBe(a.value);
  });

  it('reads a token as it is now in its file (rotated by a running server), or the configured one', () => {
    const config = loadConfig({ env: env() });
    writeFileSync(join(temp.dir, 'admin-token'), 'rotated-admin-token-0123456789\n');
    expect(currentToken(config, 'admin')).toBe('rotated-admin-token-0123456789');
    const configured = loadConfig({ env: env({ RINGSIDE_WEBHOOK_TOKEN: 'configured-webhook-0123456' }) });
    expect(currentToken(configured, 'webhook')).toBe('configured-webhook-0123456');
  });

  it('keeps a replaced webhook token (0600) until its grace ends', () => {
    writePreviousWebhookToken(temp.dir, { token: 'replaced-webhook-token-0123', validUntil: 2_000, rotatedAt: 1_000 });
    expect(mode(join(temp.dir, 'webhook-token.previous'))).toBe(0o600);
    expect(readPreviousWebhookToken(temp.dir, 1_999)).toEqual({ token: 'replaced-webhook-token-0123', validUntil: 2_000, rotatedAt: 1_000 });
    expect(readPreviousWebhookToken(temp.dir, 2_000)).toBeNull();
  });
});
