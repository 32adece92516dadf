import pg from 'pg';
import { ulid } from 'ulid';

/**
 * The real PostgreSQL the Postgres adapters' tests talk to (scripts/ensure-services.sh brings it
 * up). Runs never collide: each test file (or test) makes its own database and drops it after.
 * The password is ignored where the server trusts local connections (this machine, CI) and is
 * the one ensure-services.sh sets where it installed the server itself.
 */
export const POSTGRES_URL = process.env.RINGSIDE_TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** The URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops it (closing whatever is still connected to it). */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabaseOptions {
  /** An ICU locale (`en`) for the database's default collation, instead of the server's (C.UTF-8 here). */
  icuLocale?: string;
}

/** A fresh database `rt_<label>_<ulid>` on the test server. */
export async function createTestDatabase(label: string, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `rt_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${ulid().toLowerCase()}`.slice(0, 63);
  // CREATE DATABASE takes no parameters: the locale is checked to be a plain tag instead.
  if (options.icuLocale !== undefined && !/^[A-Za-z0-9_-]+$/.test(options.icuLocale)) throw new RangeError(`not an ICU locale: ${options.icuLocale}`);
  const locale = options.icuLocale === undefined ? '' : ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${options.icuLocale}'`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"${locale}`));
  return {
    url: withDatabase(POSTGRES_URL, name),
    name,
    drop: () => admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}
