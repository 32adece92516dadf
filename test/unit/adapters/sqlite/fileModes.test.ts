// Database files are their user's alone (docs/architecture.md, Files on disk): 0600 for the file,
// its -wal and -shm, whatever the umask, and narrowed with one warning line when found wider.
// Tests run in forked processes (vitest pool 'forks'), so this file may set its own umask.
import Database from 'better-sqlite3';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseFiles, openDatabase, type SqliteDatabase } from '../../../../src/adapters/sqlite/database';
import { makePrivateDir } from '../../../../src/shared/privateFiles';
import { makeTempDir } from '../../../support/tmp';

const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(3, '0');

/** A logger that keeps its warnings. */
function recordingLogger(): { warn(fields: object, message: string): void; lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_fields, message) => void lines.push(message) };
}

let previousUmask: number;
beforeAll(() => {
  previousUmask = process.umask(0o022);
});
afterAll(() => {
  process.umask(previousUmask);
});

let tmp: ReturnType<typeof makeTempDir>;
const opened: SqliteDatabase[] = [];
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  tmp.cleanup();
});

describe.skipIf(process.platform === 'win32')('database file modes under umask 022', () => {
  it('a new database, its -wal and -shm are 0600, and a directory created for it 0700', () => {
    const file = join(tmp.dir, 'made-here', 'ringside.db');
    const logger = recordingLogger();
    const db = openDatabase(file, { logger });
    opened.push(db);
    db.exec('CREATE TABLE t (a)');
    expect(databaseFiles(file).map(modeOf)).toEqual(['600', '600', '600']);
    expect(modeOf(join(tmp.dir, 'made-here'))).toBe('700');
    expect(logger.lines).toEqual([]);
  });

  it('a database an older Ringside left 0644 (with its -wal and -shm) is made 0600, with one warning line per file naming it and its old mode', () => {
    const file = join(tmp.dir, 'ringside.db');
    // As SQLite makes them under umask 022; kept open so the -wal and -shm stay.
    const older = new Database(file);
    older.pragma('journal_mode = WAL');
    older.exec('CREATE TABLE t (a); INSERT INTO t VALUES (1)');
    expect(databaseFiles(file).map(modeOf)).toEqual(['644', '644', '644']);

    const logger = recordingLogger();
    const db = openDatabase(file, { logger });
    opened.push(db);
    older.close();
    expect(databaseFiles(file).map(modeOf)).toEqual(['600', '600', '600']);
    expect(logger.lines).toEqual(databaseFiles(file).map((path) => `${path} was readable by others (mode 0644); made it 0600`));
    expect(db.prepare('SELECT a FROM t').pluck().get()).toBe(1);
  });

  it("a file outside the data directory (RINGSIDE_DATABASE) is made 0600 too, while its directory (another seat's too) is left as it is", () => {
    const shared = join(tmp.dir, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    const file = join(shared, 'office.db');
    writeFileSync(file, '', { mode: 0o644 });
    const db = openDatabase(file, { logger: recordingLogger() });
    opened.push(db);
    expect(modeOf(file)).toBe('600');
    expect(modeOf(shared)).toBe('755');
    // A second connection (another seat of the same user) opens it as before.
    const other = openDatabase(file);
    opened.push(other);
    db.exec('CREATE TABLE t (a)');
    expect(other.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 't'").pluck().get()).toBe(1);
  });
});

describe.skipIf(process.platform === 'win32')('makePrivateDir', () => {
  it('creates the directory 0700 under umask 022, and narrows an existing 0755 one with the old mode told once', () => {
    const fresh = join(tmp.dir, 'Ringside');
    makePrivateDir(fresh);
    expect(modeOf(fresh)).toBe('700');

    const wide = join(tmp.dir, 'older');
    mkdirSync(wide, { mode: 0o755 });
    const told: Array<[string, string]> = [];
    makePrivateDir(wide, (path, oldMode) => void told.push([path, (oldMode & 0o777).toString(8)]));
    expect(modeOf(wide)).toBe('700');
    expect(told).toEqual([[wide, '755']]);
    makePrivateDir(wide, (path) => void told.push([path, 'again']));
    expect(told).toHaveLength(1);
  });
});
