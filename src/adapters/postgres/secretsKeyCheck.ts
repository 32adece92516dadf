import { migrate, type PostgresPool } from './database';

const MIGRATIONS = [
  `CREATE TABLE ringside_secrets_key (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     fingerprint TEXT NOT NULL,
     recorded_at BIGINT NOT NULL
   )`,
];

/**
 * Every server sharing the database must seal phone passwords with the same key (src/app/secretsKey.ts).
 * The first server records its key's fingerprint; each later one compares its own with it.
 * True when this server's key is the database's.
 */
export async function sameSecretsKeyAsDatabase(pool: PostgresPool, fingerprint: string, now: number): Promise<boolean> {
  await migrate(pool, 'secrets_key', MIGRATIONS);
  await pool.query('INSERT INTO ringside_secrets_key (id, fingerprint, recorded_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING', [fingerprint, now]);
  const { rows } = await pool.query<{ fingerprint: string }>('SELECT fingerprint FROM ringside_secrets_key WHERE id = 1');
  return rows[0]?.fingerprint === fingerprint;
}
