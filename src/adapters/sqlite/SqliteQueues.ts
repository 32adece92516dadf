import { migrate, statementCache, type Migration, type SqliteDatabase, type Statement } from './database';
import { checkItem, checkQueueName, itemBody, itemFrom, takerNamesOf, type QueueItem, type QueueMeta, type Queues, type TakeOptions } from '../../domain/queues/Queues';

export const QUEUES_SCHEMA = 'queues';

export const QUEUES_MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.exec(`
      CREATE TABLE q_queues (
        account TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      );
      CREATE TABLE q_items (
        account TEXT NOT NULL,
        queue TEXT NOT NULL,
        id TEXT NOT NULL,
        score REAL NOT NULL,
        body TEXT NOT NULL,
        audience TEXT,
        PRIMARY KEY (account, queue, id)
      );
      CREATE INDEX q_items_order ON q_items (account, queue, score, id);
    `);
  },
];

interface ItemRow {
  id: string;
  score: number;
  body: string;
}

/** The first item in order that the taker (if any: a JSON array of its names) may take. */
const FIRST_ITEM = `SELECT id, score, body FROM q_items
  WHERE account = @account AND queue = @queue
    AND (@members IS NULL OR audience IS NULL
      OR EXISTS (SELECT 1 FROM json_each(q_items.audience) a WHERE a.value IN (SELECT value FROM json_each(@members))))
  ORDER BY score, id LIMIT 1`;

/**
 * Queues in the call-log database (embedded mode; seats sharing the file share them). pop is one
 * IMMEDIATE transaction (select and delete under the write lock), so two processes on one file
 * never take the same item. Ordering as in Redis: score, then id (binary).
 */
export class SqliteQueues implements Queues {
  private readonly sql: (text: string) => Statement;

  constructor(private readonly db: SqliteDatabase) {
    migrate(db, QUEUES_SCHEMA, QUEUES_MIGRATIONS);
    this.sql = statementCache(db);
  }

  async define(account: string, meta: QueueMeta): Promise<QueueMeta> {
    const name = checkQueueName(meta.name);
    this.sql('INSERT OR IGNORE INTO q_queues (account, name, description, created_at) VALUES (?, ?, ?, ?)').run(account, name, meta.description, meta.createdAt);
    const row = this.sql('SELECT name, description, created_at FROM q_queues WHERE account = ? AND name = ?').get(account, name) as { name: string; description: string; created_at: number };
    return { name: row.name, description: row.description, createdAt: row.created_at };
  }

  async queues(account: string): Promise<QueueMeta[]> {
    const rows = this.sql('SELECT name, description, created_at FROM q_queues WHERE account = ? ORDER BY name').all(account) as Array<{ name: string; description: string; created_at: number }>;
    return rows.map((r) => ({ name: r.name, description: r.description, createdAt: r.created_at }));
  }

  async add(account: string, queue: string, item: QueueItem): Promise<boolean> {
    checkQueueName(queue);
    checkItem(item);
    return this.sql('INSERT OR IGNORE INTO q_items (account, queue, id, score, body, audience) VALUES (?, ?, ?, ?, ?, ?)')
      .run(account, queue, item.id, item.score, itemBody(item), item.audience === null ? null : JSON.stringify(item.audience))
      .changes > 0;
  }

  async pop(account: string, queue: string, options: TakeOptions = {}): Promise<QueueItem | null> {
    checkQueueName(queue);
    return this.db.transaction(() => {
      const row = this.first(account, queue, options);
      if (!row) return null;
      this.sql('DELETE FROM q_items WHERE account = ? AND queue = ? AND id = ?').run(account, queue, row.id);
      return itemFrom(row.id, row.score, row.body);
    }).immediate();
  }

  async peek(account: string, queue: string, options: TakeOptions = {}): Promise<QueueItem | null> {
    checkQueueName(queue);
    const row = this.first(account, queue, options);
    return row ? itemFrom(row.id, row.score, row.body) : null;
  }

  private first(account: string, queue: string, options: TakeOptions): ItemRow | undefined {
    const names = takerNamesOf(options);
    return this.sql(FIRST_ITEM).get({ account, queue, members: names === null ? null : JSON.stringify(names) }) as ItemRow | undefined;
  }

  async remove(account: string, queue: string, id: string): Promise<boolean> {
    checkQueueName(queue);
    return this.sql('DELETE FROM q_items WHERE account = ? AND queue = ? AND id = ?').run(account, queue, id).changes > 0;
  }

  async length(account: string, queue: string): Promise<number> {
    checkQueueName(queue);
    return (this.sql('SELECT COUNT(*) AS n FROM q_items WHERE account = ? AND queue = ?').get(account, queue) as { n: number }).n;
  }

  async items(account: string, queue: string): Promise<QueueItem[]> {
    checkQueueName(queue);
    const rows = this.sql('SELECT id, score, body FROM q_items WHERE account = ? AND queue = ? ORDER BY score, id').all(account, queue) as ItemRow[];
    return rows.map((r) => itemFrom(r.id, r.score, r.body));
  }

  /** The Database belongs to the caller. */
  async close(): Promise<void> {}
}
