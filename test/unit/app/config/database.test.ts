import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, maskedConfig } from '../../../../src/app/config/loadConfig';
import { makeTempDir } from '../../../support/tmp';

describe('RINGSIDE_DATABASE', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.cleanup());
  const env = (extra: Record<string, string> = {}) => ({ RINGSIDE_DATA_DIR: tmp.dir, ...extra });

  it('takes a SQLite file path, a postgres:// URL and a postgresql:// URL', () => {
    expect(loadConfig({ env: env({ RINGSIDE_DATABASE: '/srv/ringside/calls.db' }) }).database).toBe('/srv/ringside/calls.db');
    expect(loadConfig({ env: env({ RINGSIDE_DATABASE: 'postgres://ringside@db1/ringside' }) }).database).toBe('postgres://ringside@db1/ringside');
    expect(loadConfig({ env: env({ RINGSIDE_DATABASE: 'postgresql://ringside@db1/ringside' }) }).database).toBe('postgresql://ringside@db1/ringside');
  });

  it('refuses any other URL scheme, naming it, rather than taking it for a file name', () => {
    expect(() => loadConfig({ env: env({ RINGSIDE_DATABASE: 'mysql://root@db1/ringside' }) })).toThrow(ConfigError);
    expect(() => loadConfig({ env: env({ RINGSIDE_DATABASE: 'mysql://root@db1/ringside' }) })).toThrow(/database.*mysql:\/\/ is not a database Ringside can use/s);
  });

  it('masks the password of a PostgreSQL URL where the configuration is shown', () => {
    const config = loadConfig({ env: env({ RINGSIDE_DATABASE: 'postgres://ringside:hunter2@db1/ringside' }) });
    expect(JSON.stringify(maskedConfig(config))).not.toContain('hunter2');
    expect(maskedConfig(config).database).toBe('postgres://ringside:***@db1/ringside');
  });
});

describe('maskUrl', () => {
  it('masks the password of user:password@ and of a password= or sslpassword= parameter, and nothing else', async () => {
    const { maskUrl } = await import('../../../../src/shared/maskUrl');
    expect(maskUrl('postgres://ringside:hunter2@db1:5432/ringside')).toBe('postgres://ringside:***@db1:5432/ringside');
    expect(maskUrl('postgres://db1/ringside?user=ringside&password=hunter2&sslmode=require')).toBe('postgres://db1/ringside?user=ringside&password=***&sslmode=require');
    expect(maskUrl('postgres://db1/ringside?sslpassword=s3cret')).toBe('postgres://db1/ringside?sslpassword=***');
    expect(maskUrl('redis://10.0.0.5:6379')).toBe('redis://10.0.0.5:6379');
  });
});
