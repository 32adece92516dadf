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

/**
 * Connections per server: the event handlers (64 at once in shared mode, src/app/server.ts) hold
 * one only for a transaction's few round trips, and PostgreSQL's default of 100 connections leaves
 * room for several servers.
 */
const DEFAULT_POOL_SIZE = 20;

export function openPostgres(url: string, options: OpenPostgresOptions = {}): PostgresPool {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: options.applicationName ?? 'ringside',
    max: options.max ?? DEFAULT_POOL_SIZE,
    // The wait for a free connection counts too (pg measures both): long enough for a busy pool
    // under load, short enough that an unreachable server fails the query rather than hanging it.
    connectionTimeoutMillis: 15_000,
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
    const { client, release } = await checkOut(pool);
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
      release(broken);
    }
  }
}

/**
 * A connection of the pool for several statements. The pool listens for a lost connection only
 * while a client is idle in it: one lost while checked out (between two statements of a
 * transaction) would emit an 'error' nobody hears, which ends the process. The statement that
 * follows fails instead, and the client is not given back to the pool.
 */
async function checkOut(pool: PostgresPool): Promise<{ client: PostgresClient; release(broken?: boolean): void }> {
  const client = await pool.connect();
  let lost = false;
  const onError = () => {
    lost = true;
  };
  client.on('error', onError);
  return {
    client,
    release: (broken = false) => {
      client.off('error', onError);
      client.release(broken || lost);
    },
  };
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
  const { client, release } = await checkOut(pool);
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
    release();
  }
}

/** Whether a RINGSIDE_DATABASE value names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** SQLSTATE classes and socket errors that mean "the server is not reachable now", not "this query is wrong". */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03']);

export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/i.test(message ?? '');
}

/**
 * Whether the database answers, as the event handlers need to know at once (src/shared/outages.ts:
 * a handler that fails while a service is down waits for it instead of spending the event's
 * attempts). A connection error seen anywhere marks it down; from then on it is asked every
 * `recheckMs` until it answers. Nothing is polled while it is up.
 */
const PROBE_TIMEOUT_MS = 3_000;

export class PostgresAvailability {
  private down = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly pool: PostgresPool, private readonly options: { recheckMs?: number; onChange?: (up: boolean) => void } = {}) {}

  isUp(): boolean {
    return !this.down;
  }

  /** Tells it of a failure: a connection error marks the database down until it answers again. */
  noteFailure(error: unknown): void {
    if (!isConnectionError(error) || this.down) return;
    this.down = true;
    this.options.onChange?.(false);
    this.timer = setInterval(() => void this.recheck(), this.options.recheckMs ?? 500);
    this.timer.unref();
  }

  /** Asks the database now, on a connection of its own (a busy pool is not an unreachable server): true when it answered. */
  async probe(): Promise<boolean> {
    return this.check().then(() => true, () => false);
  }

  /** As probe, but a failure rejects with its reason (the admin console's Test shows it). */
  async check(): Promise<void> {
    const client = new pg.Client({ ...this.pool.options, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (error) {
      this.noteFailure(error);
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async recheck(): Promise<void> {
    if (!(await this.probe().catch(() => false)) || !this.down) return;
    this.down = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.options.onChange?.(true);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
