import { migrate, type PostgresMigration, type PostgresPool } from './database';
import { checkItem, checkQueueName, itemBody, itemFrom, takerNamesOf, type QueueItem, type QueueMeta, type Queues, type TakeOptions } from '../../domain/queues/Queues';

export const QUEUES_SCHEMA = 'queues';

/**
 * The same tables as SQLite's (SqliteQueues.ts). Names and ids compare byte-wise (COLLATE "C"),
 * so equal scores come out in the order SQLite and Redis give them, whatever the database's
 * locale. The audience is a text array, so the taker's filter is SQL: overlap (`&&`) with its names.
 */
export const QUEUES_MIGRATIONS: readonly PostgresMigration[] = [
  `CREATE TABLE q_queues (
    account TEXT NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account, name)
  );
  CREATE TABLE q_items (
    account TEXT NOT NULL,
    queue TEXT NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    body TEXT NOT NULL,
    audience TEXT[],
    PRIMARY KEY (account, queue, id)
  );
  CREATE INDEX q_items_order ON q_items (account, queue, score, id);`,
];

interface ItemRow {
  id: string;
  score: number;
  body: string;
}

/**
 * The first item in order that the taker may take: $3 is the taker's names (a text array), or
 * null for anyone's items. An empty array takes only the items for anyone.
 */
const FIRST_ITEM = `SELECT account, queue, id FROM q_items
  WHERE account = $1 AND queue = $2 AND ($3::text[] IS NULL OR audience IS NULL OR audience && $3::text[])
  ORDER BY score, id LIMIT 1`;

/**
 * Queues in the shared PostgreSQL database (RINGSIDE_DATABASE=postgres://…; docs/architecture.md,
 * Several servers). pop is one statement: the first item the taker may take is locked (rows
 * another server's pop holds are skipped, not waited for) and deleted in the same step, so two
 * takers on any servers never get the same item.
 */
export class PostgresQueues implements Queues {
  private constructor(private readonly pool: PostgresPool) {}

  /** Migrates the `queues` schema (several servers may start together: database.ts, migrate). */
  static async open(pool: PostgresPool): Promise<PostgresQueues> {
    await migrate(pool, QUEUES_SCHEMA, QUEUES_MIGRATIONS);
    return new PostgresQueues(pool);
  }

  async define(account: string, meta: QueueMeta): Promise<QueueMeta> {
    const name = checkQueueName(meta.name);
    await this.pool.query(
      'INSERT INTO q_queues (account, name, description, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (account, name) DO NOTHING',
      [account, name, meta.description, meta.createdAt],
    );
    // A statement of its own: it sees the row another server inserted first, committed meanwhile.
    const { rows } = await this.pool.query<{ name: string; description: string; created_at: number }>(
      'SELECT name, description, created_at FROM q_queues WHERE account = $1 AND name = $2',
      [account, name],
    );
    const row = rows[0]!;
    return { name: row.name, description: row.description, createdAt: row.created_at };
  }

  async queues(account: string): Promise<QueueMeta[]> {
    const { rows } = await this.pool.query<{ name: string; description: string; created_at: number }>(
      'SELECT name, description, created_at FROM q_queues WHERE account = $1 ORDER BY name',
      [account],
    );
    return rows.map((r) => ({ name: r.name, description: r.description, createdAt: r.created_at }));
  }

  async add(account: string, queue: string, item: QueueItem): Promise<boolean> {
    checkQueueName(queue);
    checkItem(item);
    const { rowCount } = await this.pool.query(
      'INSERT INTO q_items (account, queue, id, score, body, audience) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account, queue, id) DO NOTHING',
      [account, queue, item.id, item.score, itemBody(item), item.audience],
    );
    return (rowCount ?? 0) > 0;
  }

  async pop(account: string, queue: string, options: TakeOptions = {}): Promise<QueueItem | null> {
    checkQueueName(queue);
    const { rows } = await this.pool.query<ItemRow>(
      `DELETE FROM q_items WHERE (account, queue, id) = (${FIRST_ITEM} FOR UPDATE SKIP LOCKED)
       RETURNING id, score, body`,
      [account, queue, takerNamesOf(options)],
    );
    return rows[0] ? itemFrom(rows[0].id, rows[0].score, rows[0].body) : null;
  }

  async peek(account: string, queue: string, options: TakeOptions = {}): Promise<QueueItem | null> {
    checkQueueName(queue);
    const { rows } = await this.pool.query<ItemRow>(
      `SELECT id, score, body FROM q_items WHERE (account, queue, id) = (${FIRST_ITEM})`,
      [account, queue, takerNamesOf(options)],
    );
    return rows[0] ? itemFrom(rows[0].id, rows[0].score, rows[0].body) : null;
  }

  async remove(account: string, queue: string, id: string): Promise<boolean> {
    checkQueueName(queue);
    const { rowCount } = await this.pool.query('DELETE FROM q_items WHERE account = $1 AND queue = $2 AND id = $3', [account, queue, id]);
    return (rowCount ?? 0) > 0;
  }

  async length(account: string, queue: string): Promise<number> {
    checkQueueName(queue);
    const { rows } = await this.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM q_items WHERE account = $1 AND queue = $2', [account, queue]);
    return rows[0]!.n;
  }

  async items(account: string, queue: string): Promise<QueueItem[]> {
    checkQueueName(queue);
    const { rows } = await this.pool.query<ItemRow>(
      'SELECT id, score, body FROM q_items WHERE account = $1 AND queue = $2 ORDER BY score, id',
      [account, queue],
    );
    return rows.map((r) => itemFrom(r.id, r.score, r.body));
  }

  /** The pool belongs to the caller (one per process: database.ts). */
  async close(): Promise<void> {}
}
