import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openPostgres, transaction, type PostgresPool } from '../../../../src/adapters/postgres/database';
import { createTestDatabase, type TestDatabase } from '../../../support/postgres';

describe('PostgreSQL migrations', () => {
  let database: TestDatabase | null = null;
  const pools: PostgresPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
    await database?.drop();
    database = null;
  });

  async function servers(count: number): Promise<PostgresPool[]> {
    database ??= await createTestDatabase('migrate');
    for (let i = 0; i < count; i++) pools.push(openPostgres(database.url, { applicationName: `ringside-test-${i}` }));
    return pools.slice(-count);
  }

  it('two servers starting together apply each step once, the second waiting for the first', async () => {
    const [a, b] = await servers(2);
    // The first step takes a moment, so without the lock both servers would be inside it at once
    // and the second would fail ("relation already exists").
    const steps = [
      'SELECT pg_sleep(0.3); CREATE TABLE things (id INTEGER PRIMARY KEY)',
      `INSERT INTO things (id) VALUES (1)`,
    ];
    await Promise.all([migrate(a!, 'things', steps), migrate(b!, 'things', steps)]);
    const { rows } = await a!.query('SELECT id FROM things');
    expect(rows).toEqual([{ id: 1 }]);
    const version = await a!.query('SELECT version FROM schema_migrations WHERE name = $1', ['things']);
    expect(version.rows).toEqual([{ version: 2 }]);
  });

  it('a later start applies only the steps added since', async () => {
    const [pool] = await servers(1);
    await migrate(pool!, 'things', ['CREATE TABLE things (id INTEGER PRIMARY KEY)']);
    await migrate(pool!, 'things', ['CREATE TABLE things (id INTEGER PRIMARY KEY)', 'ALTER TABLE things ADD COLUMN name TEXT']);
    const { rows } = await pool!.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'things' ORDER BY column_name`);
    expect(rows.map((r) => r.column_name)).toEqual(['id', 'name']);
  });

  it('a failing step leaves nothing of itself and the version where it was', async () => {
    const [pool] = await servers(1);
    await expect(migrate(pool!, 'things', ['CREATE TABLE things (id INTEGER)', 'CREATE TABLE half (id INTEGER); SELECT no_such_function()'])).rejects.toThrow(/no_such_function/);
    const half = await pool!.query(`SELECT to_regclass('half') AS t`);
    expect(half.rows[0].t).toBeNull();
    const version = await pool!.query('SELECT version FROM schema_migrations WHERE name = $1', ['things']);
    expect(version.rows).toEqual([{ version: 1 }]);
  });

  it('a transaction that deadlocks with another server runs again and both commit', async () => {
    const [a, b] = await servers(2);
    await a!.query('CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await a!.query('INSERT INTO counters VALUES (1, 0), (2, 0)');
    let meet: () => void = () => undefined;
    const bothLocked = new Promise<void>((resolve) => {
      let arrived = 0;
      meet = () => void (++arrived === 2 && resolve());
    });
    let firstTry = true;
    // Each locks one row, then waits for the other to hold its row, then wants the other's: a deadlock, once.
    const bump = (pool: PostgresPool, first: number, second: number) => transaction(pool, async (client) => {
      await client.query('UPDATE counters SET n = n + 1 WHERE id = $1', [first]);
      if (firstTry) {
        meet();
        await bothLocked;
      }
      await client.query('UPDATE counters SET n = n + 1 WHERE id = $1', [second]);
    });
    const done = Promise.all([bump(a!, 1, 2), bump(b!, 2, 1)]);
    await bothLocked;
    firstTry = false;
    await done;
    const { rows } = await a!.query('SELECT id, n FROM counters ORDER BY id');
    expect(rows).toEqual([{ id: 1, n: 2 }, { id: 2, n: 2 }]);
  });
});
