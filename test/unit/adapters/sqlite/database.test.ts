// How openDatabase sets up a connection beyond file modes (fileModes.test.ts): temporary storage.
import { afterEach, describe, expect, it } from 'vitest';
import { vacuum } from '../../../../src/adapters/sqlite/database';
import { openTempDatabase } from '../../../support/tmp';

/** SQLite's temp_store values: 1 file, 2 memory. */
const TEMP_STORE = { file: 1, memory: 2 } as const;

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

describe('openDatabase: temporary storage', () => {
  it('keeps statement journals and scratch tables in memory (as temporary files: a quarter of a call event\'s write system calls)', () => {
    const temp = openTempDatabase();
    cleanup = temp.cleanup;
    expect(temp.db.pragma('temp_store', { simple: true })).toBe(TEMP_STORE.memory);
  });

  it('vacuum builds its copy of the file on disk, not in memory, and leaves the connection as it was', () => {
    const temp = openTempDatabase();
    cleanup = temp.cleanup;
    const { db } = temp;
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => { for (let i = 0; i < 2_000; i++) insert.run('x'.repeat(200)); })();
    db.exec('DELETE FROM t');
    const pagesBefore = db.pragma('page_count', { simple: true }) as number;
    vacuum(db);
    expect(db.pragma('page_count', { simple: true })).toBeLessThan(pagesBefore);
    expect(db.pragma('temp_store', { simple: true })).toBe(TEMP_STORE.memory);
  });
});
