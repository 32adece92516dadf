import { migrate, type PostgresPool } from '../database';
import { DEFAULT_DISPOSITIONS, validDispositions, type Disposition, type DispositionStore } from '../../../domain/directory/Lookups';
import { directoryWrite } from './writes';

/** Migration name of the dispositions table (next to `directory`, as in SQLite). */
export const DISPOSITIONS_SCHEMA = 'dispositions';

const MIGRATIONS = [
  `CREATE TABLE dir_dispositions (
     account TEXT NOT NULL,
     code TEXT NOT NULL,
     label TEXT NOT NULL,
     position INTEGER NOT NULL,
     PRIMARY KEY (account, code)
   )`,
];

/**
 * The accounts' disposition lists in the shared PostgreSQL database, as SqliteDispositions keeps
 * them; an account without one has DEFAULT_DISPOSITIONS. A new list replaces the old one under the
 * account's directory lock (two servers setting lists at once: one list wins whole, never a mix),
 * and is told to the other servers (writes.ts). The pool belongs to the caller.
 */
export class PostgresDispositions implements DispositionStore {
  private constructor(private readonly pool: PostgresPool) {}

  static async open(pool: PostgresPool): Promise<PostgresDispositions> {
    await migrate(pool, DISPOSITIONS_SCHEMA, MIGRATIONS);
    return new PostgresDispositions(pool);
  }

  async list(account: string): Promise<Disposition[]> {
    const { rows } = await this.pool.query<Disposition>('SELECT code, label FROM dir_dispositions WHERE account = $1 ORDER BY position', [account]);
    return rows.length > 0 ? rows : DEFAULT_DISPOSITIONS.map((d) => ({ ...d }));
  }

  async set(account: string, items: readonly Disposition[]): Promise<Disposition[]> {
    const clean = validDispositions(items);
    await directoryWrite(this.pool, account, { locked: true }, async (db) => {
      await db.query('DELETE FROM dir_dispositions WHERE account = $1', [account]);
      await db.query(
        `INSERT INTO dir_dispositions (account, code, label, position)
         SELECT $1, code, label, position - 1 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS d(code, label, position)`,
        [account, clean.map((d) => d.code), clean.map((d) => d.label)],
      );
    });
    return clean;
  }
}
