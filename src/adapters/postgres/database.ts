import pg from 'pg';
import type { Logger } from '../../shared/logger';

/**
 * The shared database of a central server (RINGSIDE_DATABASE=postgres://…): the call log,
 * directory, agent passwords, sessions and queues of every server of a call center live in it
 * (docs/architecture.md, Several servers). One pool per process; every adapter borrows from it.
 */
export type PostgresPool = pg.Pool;
export type PostgresClient = pg.PoolClient;
/** Either the pool (a statement on its own) or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface OpenPostgresOptions {
  logger?: Logger;
  /** Shown in pg_stat_activity: which part of which server holds a connection. */
  applicationName?: string;
  /** Connections this process may hold at once (default 10). */
  max?: number;
}

/** BIGINT (epoch milliseconds, counters) comes back as a JS number, not a string: every value we store fits in 2^53. */
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function openPostgres(url: string, options: OpenPostgresOptions = {}): PostgresPool {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: options.applicationName ?? 'ringside',
    max: options.max ?? 10,
    // A connection that cannot be made in time fails the one query instead of hanging it.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle client losing its connection (server restart, failover) must not crash the process:
  // the pool drops it and the next query gets a fresh one.
  pool.on('error', (err) => options.logger?.warn({ err }, 'a PostgreSQL connection was lost; the next query opens a new one'));
  return pool;
}

/** Errors where the same transaction, run again, may well succeed (docs: SQLSTATE class 40). */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 10;

/**
 * Runs `fn` in one transaction on one connection: committed when it returns, rolled back when it
 * throws. A serialization failure or deadlock (another server wrote the same rows) runs it again
 * from the start, so `fn` must only touch the database.
 */
export async function transaction<T>(pool: PostgresPool, fn: (client: PostgresClient) => Promise<T>, isolation: 'read committed' | 'serializable' = 'read committed'): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query(isolation === 'serializable' ? 'BEGIN ISOLATION LEVEL SERIALIZABLE' : 'BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      const code = (error as { code?: string }).code;
      if (!code || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** One step of a schema: SQL run inside the migration's transaction. */
export type PostgresMigration = string | ((client: PostgresClient) => Promise<void>);

/** The advisory lock every server takes to migrate (any number; the same in every server). */
const MIGRATION_LOCK = 0x52494e47; // 'RING'

/**
 * Applies the migrations of one schema (`name`) that the database has not seen yet, each in its
 * own transaction. Several servers may start at the same moment: each takes the same advisory
 * lock first, so one migrates while the others wait, then find nothing left to do.
 */
export async function migrate(pool: PostgresPool, name: string, migrations: readonly PostgresMigration[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, version INTEGER NOT NULL)');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations WHERE name = $1', [name]);
      for (let version = (rows[0]?.version ?? 0) + 1; version <= migrations.length; version++) {
        const step = migrations[version - 1]!;
        await client.query('BEGIN');
        try {
          if (typeof step === 'string') await client.query(step);
          else await step(client);
          await client.query(
            'INSERT INTO schema_migrations (name, version) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
            [name, version],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** Whether a RINGSIDE_DATABASE value names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** The URL without its password, for logs and health. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable)';
  }
}
