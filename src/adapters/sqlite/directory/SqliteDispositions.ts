import { migrate, statementCache, type SqliteDatabase, type Statement } from '../database';
import { DEFAULT_DISPOSITIONS, validDispositions, type Disposition, type DispositionStore } from '../../../domain/directory/Lookups';

/** Migration namespace of the dispositions table in the shared database (next to `directory`). */
export const DISPOSITIONS_SCHEMA = 'dispositions';

const MIGRATIONS = [
  (db: SqliteDatabase) => {
    db.exec(`
      CREATE TABLE dir_dispositions (
        account TEXT NOT NULL,
        code TEXT NOT NULL,
        label TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (account, code)
      );
    `);
  },
];

/** The accounts' disposition lists in the call-log database; an account without one has DEFAULT_DISPOSITIONS. */
export class SqliteDispositions implements DispositionStore {
  private readonly sql: (text: string) => Statement;

  constructor(private readonly db: SqliteDatabase) {
    this.sql = statementCache(db);
    migrate(db, DISPOSITIONS_SCHEMA, MIGRATIONS);
  }

  async list(account: string): Promise<Disposition[]> {
    const rows = this.sql('SELECT code, label FROM dir_dispositions WHERE account = ? ORDER BY position').all(account) as Disposition[];
    return rows.length > 0 ? rows : DEFAULT_DISPOSITIONS.map((d) => ({ ...d }));
  }

  async set(account: string, items: readonly Disposition[]): Promise<Disposition[]> {
    const clean = validDispositions(items);
    this.db.transaction(() => {
      this.sql('DELETE FROM dir_dispositions WHERE account = ?').run(account);
      clean.forEach((d, position) => this.sql('INSERT INTO dir_dispositions (account, code, label, position) VALUES (?, ?, ?, ?)').run(account, d.code, d.label, position));
    }).immediate();
    return clean;
  }
}
