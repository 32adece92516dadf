import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../../src/app/config/loadConfig';
import { logFileOf } from '../../../../src/app/logging';
import { makeTempDir } from '../../../support/tmp';

describe('the log file setting (RINGSIDE_LOG_FILE, docs/architecture.md, Logs)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());
  const env = (extra: Record<string, string> = {}) => ({ RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_PROVISIONING_FILE: join(temp.dir, 'none.json'), ...extra });

  it('is <data dir>/logs/ringside.log unless set, as `ringside config` shows it; `off` turns the file off; a relative path is made absolute', () => {
    const byDefault = loadConfig({ env: env() });
    expect(byDefault.logFile).toBe(join(temp.dir, 'logs', 'ringside.log'));
    expect(logFileOf(byDefault)).toBe(join(temp.dir, 'logs', 'ringside.log'));
    const off = loadConfig({ env: env({ RINGSIDE_LOG_FILE: 'off' }) });
    expect(off.logFile).toBe('off');
    expect(logFileOf(off)).toBeNull();
    expect(loadConfig({ env: env(), argv: ['--log-file', 'logs/seat.log'] }).logFile).toBe(resolve('logs/seat.log'));
    writeFileSync(join(temp.dir, 'config.json'), JSON.stringify({ logFile: '/var/log/ringside/ringside.log' }));
    expect(loadConfig({ env: env() }).logFile).toBe('/var/log/ringside/ringside.log');
  });

  it('refuses a file name the rotation cannot use, naming the setting', () => {
    expect(() => loadConfig({ env: env({ RINGSIDE_LOG_FILE: '/tmp/a|b.log' }) })).toThrow(ConfigError);
    expect(() => loadConfig({ env: env({ RINGSIDE_LOG_FILE: '/tmp/a|b.log' }) })).toThrow(/RINGSIDE_LOG_FILE/);
  });
});
