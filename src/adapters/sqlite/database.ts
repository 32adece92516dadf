import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/**
 * Opens a SQLite file for Ringside's durable stores. WAL with synchronous=NORMAL: a committed
 * transaction survives kill -9 of the process (it is in the WAL, handed to the OS); only an
 * OS crash or power loss can take the last transactions, which `durability: 'full'` closes.
 */
export function openDatabase(file: string, options: { durability?: 'normal' | 'full'; checkpointPages?: number } = {}): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // First: switching a fresh file to WAL takes a lock that another process opening the same file
  // at the same moment may hold; without the timeout that is an immediate SQLITE_BUSY.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  switchToWal(db);
  db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  if (options.checkpointPages !== undefined) db.pragma(`wal_autocheckpoint = ${options.checkpointPages}`);
  return db;
}

const BUSY_TIMEOUT_MS = 5000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * The switch to WAL needs the file to itself, and when several processes open a fresh file at
 * once SQLite may answer SQLITE_BUSY at once instead of waiting out the busy timeout (seen in CI:
 * the concurrent start-up test of migrate). Try again, briefly pausing, within that timeout.
 */
function switchToWal(db: SqliteDatabase): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

export type Migration = (db: SqliteDatabase) => void;

/**
 * Applies the migrations of one schema (`name`) that this database has not seen yet, each in
 * its own transaction. Several schemas (call log, directory) can share one file.
 *
 * Several processes may open a shared file at the same moment (shared mode: RINGSIDE_DATABASE),
 * so each step reads the version inside its own write transaction (IMMEDIATE: the write lock is
 * taken first) and is skipped when another process has applied it meanwhile. Reading it once
 * beforehand let two processes both apply the first migration ("table ... already exists").
 */
export function migrate(db: SqliteDatabase, name: string, migrations: readonly Migration[]): void {
  // Under the write lock from the start (IMMEDIATE): a plain statement would read the schema, then
  // find another process had created the table meanwhile, and fail without waiting.
  db.transaction(() => db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, version INTEGER NOT NULL)')).immediate();
  const versionOf = db.prepare('SELECT version FROM schema_migrations WHERE name = ?');
  const applied = () => (versionOf.get(name) as { version: number } | undefined)?.version ?? 0;
  for (let version = applied() + 1; version <= migrations.length; version++) {
    const step = migrations[version - 1]!;
    db.transaction(() => {
      if (applied() >= version) return;
      step(db);
      db.prepare('INSERT INTO schema_migrations (name, version) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version').run(name, version);
    }).immediate();
  }
}

export type Statement = Database.Statement;

const caches = new WeakMap<SqliteDatabase, (text: string) => Statement>();

/**
 * Prepared statements compiled once per SQL text (preparing costs more than running), one cache
 * per connection shared by every module that uses it.
 */
export function statementCache(db: SqliteDatabase): (text: string) => Statement {
  const existing = caches.get(db);
  if (existing) return existing;
  const cache = new Map<string, Statement>();
  const lookup = (text: string) => {
    let statement = cache.get(text);
    if (!statement) {
      statement = db.prepare(text);
      cache.set(text, statement);
    }
    return statement;
  };
  caches.set(db, lookup);
  return lookup;
}
