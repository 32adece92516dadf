import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, maskedConfig } from '../../../../src/app/config/loadConfig';
import { makeTempDir } from '../../../support/tmp';

describe('loadConfig', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());
  const env = (extra: Record<string, string> = {}) => ({ RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: join(temp.dir, 'none.json'), ...extra });

  it('layers the config file, the environment and flags, in that order', () => {
    writeFileSync(join(temp.dir, 'config.json'), JSON.stringify({ webhook: { port: 1111 }, missedDelayMs: 1000, account: 'acme' }));
    const config = loadConfig({ env: env({ RINGSIDE_WEBHOOK_PORT: '2222', RINGSIDE_MISSED_DELAY_MS: '2000' }), argv: ['--missed-delay-ms', '3000'] });
    expect([config.account, config.webhook.port, config.missedDelayMs]).toEqual(['acme', 2222, 3000]);
  });

  it("takes the seat's time zone (RINGSIDE_TIMEZONE, --timezone, the file), defaults to the OS's, and refuses a zone Intl does not know", () => {
    expect(loadConfig({ env: env() }).timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(loadConfig({ env: env({ RINGSIDE_TIMEZONE: 'Asia/Karachi' }) }).timezone).toBe('Asia/Karachi');
    expect(loadConfig({ env: env({ RINGSIDE_TIMEZONE: 'Asia/Karachi' }), argv: ['--timezone', 'America/New_York'] }).timezone).toBe('America/New_York');
    writeFileSync(join(temp.dir, 'config.json'), JSON.stringify({ timezone: 'Europe/Madrid' }));
    expect(loadConfig({ env: env() }).timezone).toBe('Europe/Madrid');
    expect(() => loadConfig({ env: env({ RINGSIDE_TIMEZONE: 'Mars/Olympus' }) })).toThrow(ConfigError);
    expect(() => loadConfig({ env: env({ RINGSIDE_TIMEZONE: 'Mars/Olympus' }) })).toThrow(/timezone.*IANA time zone/s);
  });

  it('rejects a config file key it does not know, naming it, instead of ignoring it', () => {
    writeFileSync(join(temp.dir, 'config.json'), JSON.stringify({ webhookPort: 9999 }));
    expect(() => loadConfig({ env: env() })).toThrow(ConfigError);
    expect(() => loadConfig({ env: env() })).toThrow(/webhookPort/);
  });

  it('generates the webhook and admin tokens once each, different, and keeps them', () => {
    const first = loadConfig({ env: env() });
    expect(loadConfig({ env: env() })).toMatchObject({ webhookToken: first.webhookToken, adminToken: first.adminToken });
    expect(first.webhookToken.length).toBeGreaterThanOrEqual(16);
    expect(first.adminToken.length).toBeGreaterThanOrEqual(16);
    expect(first.adminToken).not.toBe(first.webhookToken);
    expect(first.tokenOrigins).toEqual({
      webhook: { source: 'file', file: join(temp.dir, 'webhook-token'), legacy: false },
      admin: { source: 'file', file: join(temp.dir, 'admin-token'), legacy: false },
    });
    expect(first.warnings).toEqual([]);
  });

  it('takes the phone status poll interval and request timeout, and refuses values that would hammer or hang on a phone', () => {
    const config = loadConfig({ env: env({ RINGSIDE_PHONE_POLL_MS: '2000' }), argv: ['--phone-timeout-ms', '1500'] });
    expect([config.phonePollMs, config.phoneTimeoutMs]).toEqual([2000, 1500]);
    expect(loadConfig({ env: env() })).toMatchObject({ phonePollMs: 5000, phoneTimeoutMs: 5000 });
    expect(() => loadConfig({ env: env({ RINGSIDE_PHONE_POLL_MS: '100' }) })).toThrow(/phonePollMs/);
    expect(() => loadConfig({ env: env({ RINGSIDE_PHONE_TIMEOUT_MS: 'soon' }) })).toThrow(/phoneTimeoutMs/);
  });

  it('takes the default country and the CRM lookup, and refuses a country or a URL template that cannot work', () => {
    const defaults = loadConfig({ env: env() });
    expect([defaults.defaultCountry, defaults.crmLookupUrl, defaults.crmLookupTimeoutMs]).toEqual([undefined, undefined, 300]);
    const config = loadConfig({
      env: env({ RINGSIDE_DEFAULT_COUNTRY: 'pk', RINGSIDE_CRM_LOOKUP_URL: 'https://bot:secret@crm.example/callers/{number}' }),
      argv: ['--crm-lookup-timeout-ms', '250'],
    });
    expect([config.defaultCountry, config.crmLookupUrl, config.crmLookupTimeoutMs]).toEqual(['PK', 'https://bot:secret@crm.example/callers/{number}', 250]);
    expect(maskedConfig(config).crmLookupUrl).toBe('https://bot:***@crm.example/callers/{number}');
    expect(() => loadConfig({ env: env({ RINGSIDE_DEFAULT_COUNTRY: 'Pakistan' }) })).toThrow(/defaultCountry/);
    expect(() => loadConfig({ env: env({ RINGSIDE_DEFAULT_COUNTRY: 'XX' }) })).toThrow(/defaultCountry/);
    expect(() => loadConfig({ env: env({ RINGSIDE_CRM_LOOKUP_URL: 'https://crm.example/callers' }) })).toThrow(/crmLookupUrl/);
    expect(() => loadConfig({ env: env({ RINGSIDE_CRM_LOOKUP_TIMEOUT_MS: '60000' }) })).toThrow(/crmLookupTimeoutMs/);
  });
});
