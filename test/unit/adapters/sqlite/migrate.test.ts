import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CALLLOG_MIGRATIONS, CALLLOG_SCHEMA } from '../../../../src/adapters/sqlite/calllog/schema';
import { openDatabase } from '../../../../src/adapters/sqlite/database';
import { makeTempDir } from '../../../support/tmp';
import { raceWorkers, startLine } from '../../../support/workers';

const PROCESSES = 4;
const ROUNDS = 5;

/** Starts `PROCESSES` workers that each open `file` and migrate it, all released at the same instant. */
async function startAtOnce(file: string): Promise<Array<string | null>> {
  const { start, release } = startLine();
  const results = await raceWorkers<{ error?: string | null }>(new URL('./migrate-worker.mjs', import.meta.url), Array.from({ length: PROCESSES }, () => ({ file, start })), 'migrate', release);
  return results.map((message) => message.error ?? null);
}

/**
 * Found by `npm run chaos`, which starts two Ringside processes at once on a fresh shared
 * database (RINGSIDE_DATABASE): one died at start-up with "table cl_calls already exists". Each
 * process read the schema version (0), then both ran the first migration. The same happens
 * whenever processes sharing a database start together on a version that brings a migration.
 */
describe('migrate: processes starting at once on one shared database', () => {
  const temp = makeTempDir();
  afterEach(() => temp.cleanup());

  it('every process starts, and each migration is applied once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const file = join(temp.dir, `shared-${round}.db`);
      expect(await startAtOnce(file)).toEqual(Array(PROCESSES).fill(null));
      const db = openDatabase(file);
      const versions = db.prepare('SELECT version FROM schema_migrations WHERE name = ?').pluck().all(CALLLOG_SCHEMA);
      db.close();
      expect(versions).toEqual([CALLLOG_MIGRATIONS.length]);
    }
  });
});
