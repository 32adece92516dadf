import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { createPrivateFile, keepFilePrivate, makeParentDirs, modeFixedMessage, PRIVATE_FILE_MODE, type ModeFixed } from '../../shared/privateFiles';

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  durability?: 'normal' | 'full';
  checkpointPages?: number;
  /**
   * 'incremental': freed pages can be given back to the file system (`reclaimFreePages`). Set on
   * a new file before its first table; an existing file is switched by one VACUUM, once.
   */
  autoVacuum?: 'incremental';
  /** Told when a file's mode was found wider than 0600 and narrowed (one warning line each). */
  logger?: { warn(fields: object, message: string): void };
}

/**
 * The largest a WAL file stays once a checkpoint has emptied it: SQLite truncates it to this on
 * the next write (`journal_size_limit`). Without it a WAL keeps the size of its biggest burst for
 * as long as the process runs (40 MB and more, docs/architecture.md, Files on disk).
 */
export const JOURNAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;

/** The files SQLite keeps for a database in WAL mode. */
export function databaseFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`];
}

/**
 * Opens a SQLite file for Ringside's durable stores. WAL with synchronous=NORMAL: a committed
 * transaction survives kill -9 of the process (it is in the WAL, handed to the OS); only an
 * OS crash or power loss can take the last transactions, which `durability: 'full'` closes.
 *
 * The file is its user's alone: created 0600 before SQLite writes a byte into it (its -wal and
 * -shm files take the database file's mode), and narrowed to 0600 when it, or a -wal or -shm
 * left by an earlier run, is found wider, with a warning. That is also a RINGSIDE_DATABASE outside
 * the data directory (the file is ours); its directory is left as it is (seats of one machine and
 * user may share it), only created 0700 when missing.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const onFixed = modeWarning(options.logger);
  if (file !== ':memory:') {
    makeParentDirs(dirname(file));
    for (const path of databaseFiles(file)) keepFilePrivate(path, onFixed);
    createPrivateFile(file);
  }
  const db = new Database(file);
  // First: switching a fresh file to WAL takes a lock that another process opening the same file
  // at the same moment may hold; without the timeout that is an immediate SQLITE_BUSY.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Before WAL: switching to WAL writes the file's header, after which a new file no longer takes it.
  if (options.autoVacuum === 'incremental') db.pragma('auto_vacuum = INCREMENTAL');
  switchToWal(db);
  db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  // A statement's own journal and the scratch tables of RETURNING and sorts stay in memory: as
  // temporary files they were about a quarter of a call event's write system calls under load
  // (issue 15). VACUUM alone builds its copy on disk (vacuum, below).
  db.pragma('temp_store = MEMORY');
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
  if (options.checkpointPages !== undefined) db.pragma(`wal_autocheckpoint = ${options.checkpointPages}`);
  // Another process may have created the file between our check and SQLite's open: check again.
  if (file !== ':memory:') for (const path of databaseFiles(file)) keepFilePrivate(path, onFixed);
  return db;
}

function modeWarning(logger: OpenDatabaseOptions['logger']): ModeFixed | undefined {
  if (!logger) return undefined;
  return (path, oldMode, error) => logger.warn({ file: path }, modeFixedMessage(path, oldMode, PRIVATE_FILE_MODE, error));
}

/** SQLite's auto_vacuum setting: 0 none, 1 full, 2 incremental. */
const AUTO_VACUUM_INCREMENTAL = 2;

/**
 * Switches a file opened with `autoVacuum: 'incremental'` that was created without it (an older
 * Ringside's spool): one VACUUM rewrites it with the setting, which also gives back the space its
 * deleted rows left. Run after the schema exists (a new file has the setting from its first table).
 * Returns whether it vacuumed.
 */
export function ensureIncrementalVacuum(db: SqliteDatabase): boolean {
  if (db.pragma('auto_vacuum', { simple: true }) === AUTO_VACUUM_INCREMENTAL) return false;
  db.pragma('auto_vacuum = INCREMENTAL');
  vacuum(db);
  return true;
}

/**
 * Rewrites the whole file (VACUUM). Its copy of the database is built in a temporary file, not in
 * memory (temp_store = MEMORY otherwise, openDatabase): a call log of a year is larger than the
 * memory a seat should take for it.
 */
export function vacuum(db: SqliteDatabase): void {
  db.pragma('temp_store = FILE');
  try {
    db.exec('VACUUM');
  } finally {
    db.pragma('temp_store = MEMORY');
  }
}

/**
 * Gives free pages back to the file system when more than `keepPages` are free (a few are kept,
 * so a file that shrinks and grows by a little every pass is left alone), at most `maxPages` per
 * call (each call is a short write, not one long stall). The file shrinks at the next checkpoint.
 * Only for a file with incremental auto_vacuum; returns the pages given back.
 */
export function reclaimFreePages(db: SqliteDatabase, options: { keepPages: number; maxPages: number }): number {
  const free = db.pragma('freelist_count', { simple: true }) as number;
  if (free <= options.keepPages) return 0;
  const pages = Math.min(free, options.maxPages);
  db.pragma(`incremental_vacuum(${pages})`);
  return free - (db.pragma('freelist_count', { simple: true }) as number);
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
const arrayCaches = new WeakMap<SqliteDatabase, (text: string) => Statement>();

/**
 * Prepared statements compiled once per SQL text (preparing costs more than running), one cache
 * per connection shared by every module that uses it.
 */
export function statementCache(db: SqliteDatabase): (text: string) => Statement {
  return cachedStatements(db, caches, (text) => db.prepare(text));
}

/**
 * The same for statements whose rows come back as arrays (better-sqlite3's raw mode), for the
 * hot reads that name the values themselves: building an object per row costs better-sqlite3 a
 * string lookup and a property store per column (issue 15).
 */
export function arrayStatementCache(db: SqliteDatabase): (text: string) => Statement {
  return cachedStatements(db, arrayCaches, (text) => {
    const statement = db.prepare(text);
    return statement.reader ? statement.raw(true) : statement;
  });
}

function cachedStatements(
  db: SqliteDatabase,
  perConnection: WeakMap<SqliteDatabase, (text: string) => Statement>,
  prepare: (text: string) => Statement,
): (text: string) => Statement {
  const existing = perConnection.get(db);
  if (existing) return existing;
  const cache = new Map<string, Statement>();
  const lookup = (text: string) => {
    let statement = cache.get(text);
    if (!statement) {
      statement = prepare(text);
      cache.set(text, statement);
    }
    return statement;
  };
  perConnection.set(db, lookup);
  return lookup;
}

/** Runs a function in a transaction of the connection: `immediate` takes the write lock first; a nested call is a savepoint. */
export interface TransactionRunner {
  immediate<T>(work: () => T): T;
  nested<T>(work: () => T): T;
}

const runners = new WeakMap<SqliteDatabase, TransactionRunner>();

/**
 * The connection's transaction runner, made once: `db.transaction(fn)` builds four wrapper
 * functions each time it is called, which on a hot write path (a call event's writes, a desktop's
 * call state) was a measurable part of every write (issue 15).
 */
export function transactionRunner(db: SqliteDatabase): TransactionRunner {
  const existing = runners.get(db);
  if (existing) return existing;
  const run = db.transaction((work: () => unknown) => work());
  const runner: TransactionRunner = {
    immediate: <T>(work: () => T) => run.immediate(work) as T,
    nested: <T>(work: () => T) => run(work) as T,
  };
  runners.set(db, runner);
  return runner;
}
