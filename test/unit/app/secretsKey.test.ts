// The secrets key file (src/app/secretsKey.ts): next to the database, 0600, made once and shared.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSecretsKey, secretsKeyFile, SecretsKeyError } from '../../../src/app/secretsKey';
import { makeTempDir } from '../../support/tmp';

const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8);

function recordingLogger() {
  const warnings: string[] = [];
  return { warnings, warn: (_fields: object, message: string) => void warnings.push(message), info: () => undefined };
}

let previousUmask: number;
beforeAll(() => {
  previousUmask = process.umask(0o022);
});
afterAll(() => {
  process.umask(previousUmask);
});

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

describe('the secrets key file', () => {
  it('is secrets.key next to the database file', () => {
    expect(secretsKeyFile('/srv/office/ringside.db')).toBe('/srv/office/secrets.key');
  });

  it('is made once (32 random bytes, base64, mode 0600 under umask 022), and every later open uses the same key', () => {
    const file = join(tmp.dir, 'secrets.key');
    const first = openSecretsKey(file);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    if (process.platform !== 'win32') expect(modeOf(file)).toBe('600');
    const sealed = first.seal('pw');
    // Another process on the same database (a second seat): the same file, the same key.
    expect(openSecretsKey(file).open(sealed)).toBe('pw');
  });

  it.skipIf(process.platform === 'win32')('found readable by others, it is made 0600 with one warning naming it and its old mode', () => {
    const file = join(tmp.dir, 'secrets.key');
    openSecretsKey(file);
    chmodSync(file, 0o644);
    const logger = recordingLogger();
    openSecretsKey(file, logger);
    expect(modeOf(file)).toBe('600');
    expect(logger.warnings).toEqual([`${file} was readable by others (mode 0644); made it 0600`]);
  });

  it('a file that is not a key stops the start with a clear error and is left as it was', () => {
    const file = join(tmp.dir, 'secrets.key');
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    expect(() => openSecretsKey(file)).toThrow(SecretsKeyError);
    expect(() => openSecretsKey(file)).toThrow(/is not a Ringside secrets key/);
    expect(readFileSync(file, 'utf8')).toBe('not a key\n');
  });
});
