import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstanceLock, PID_FILE } from '../../../src/cli/instanceLock';
import type { RingsideConfig } from '../../../src/app/config/schema';
import { makeTempDir } from '../../support/tmp';

describe('InstanceLock', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.cleanup());

  it('makes a data directory that is named but not there yet (tokens given as settings write nothing before it), private', () => {
    const dataDir = join(tmp.dir, 'not', 'there', 'yet');
    const config = { dataDir, webhook: { port: 7789 }, api: { port: 7790 } } as unknown as RingsideConfig;
    const lock = InstanceLock.acquire(config);
    try {
      expect(existsSync(join(dataDir, PID_FILE))).toBe(true);
      if (process.platform !== 'win32') expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    } finally {
      lock.release();
    }
  });
});
