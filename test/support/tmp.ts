import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../src/adapters/sqlite/database';

/** A fresh directory per test for real SQLite files; removed by the returned cleanup. */
export function makeTempDir(prefix = 'ringside-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh `ringside.db` in a fresh directory, opened as Ringside opens it; cleanup closes and removes both. */
export function openTempDatabase(): { dir: string; db: SqliteDatabase; cleanup: () => void } {
  const tmp = makeTempDir();
  const db = openDatabase(join(tmp.dir, 'ringside.db'));
  return {
    dir: tmp.dir,
    db,
    cleanup: () => {
      db.close();
      tmp.cleanup();
    },
  };
}
