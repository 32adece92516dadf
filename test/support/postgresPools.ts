import { afterAll } from 'vitest';
import { openPostgres, type PostgresPool } from '../../src/adapters/postgres/database';
import { createTestDatabase, type TestDatabase } from './postgres';
import { uniqueName } from './services';

/**
 * One database for a test file's PostgreSQL cases (test/support/postgres.ts): made when a case
 * first asks for it, so a run of the file's other cases never needs PostgreSQL, and dropped after
 * the file. Call it at the top of the file.
 */
export function testDatabasePerFile(label: string): () => Promise<TestDatabase> {
  let made: Promise<TestDatabase> | null = null;
  afterAll(async () => {
    if (made) await (await made).drop();
  });
  return () => (made ??= createTestDatabase(label));
}

/** Pools on one database, each standing for one server; ended together after a case. */
export class TestPools {
  private readonly pools: PostgresPool[] = [];

  constructor(private readonly url: string) {}

  /** A new pool: its own connections, as another server's would be; named apart from every other test's. */
  open(applicationName = uniqueName(`pool${this.pools.length}`)): PostgresPool {
    const pool = openPostgres(this.url, { applicationName });
    this.pools.push(pool);
    return pool;
  }

  async end(): Promise<void> {
    await Promise.all(this.pools.splice(0).map((pool) => pool.end()));
  }
}
