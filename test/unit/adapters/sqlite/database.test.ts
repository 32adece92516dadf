// How openDatabase sets up a connection beyond file modes (fileModes.test.ts): temporary storage; and the connection's transaction runner.
import { afterEach, describe, expect, it } from 'vitest';
import { transactionRunner, vacuum } from '../../../../src/adapters/sqlite/database';
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

describe('transactionRunner', () => {
  it('is made once per connection, commits an immediate transaction, and rolls back only a failed nested write', () => {
    const temp = openTempDatabase();
    cleanup = temp.cleanup;
    const { db } = temp;
    const runner = transactionRunner(db);
    expect(transactionRunner(db)).toBe(runner);
    db.exec('CREATE TABLE t (v INTEGER)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    runner.immediate(() => {
      insert.run(1);
      expect(() => runner.nested(() => {
        insert.run(2);
        throw new Error('this write fails');
      })).toThrow('this write fails');
      insert.run(3);
    });
    expect(db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual([1, 3]);
  });

  it('leaves nothing of a transaction whose work throws', () => {
    const temp = openTempDatabase();
    cleanup = temp.cleanup;
    const { db } = temp;
    db.exec('CREATE TABLE t (v INTEGER)');
    expect(() => transactionRunner(db).immediate(() => {
      db.prepare('INSERT INTO t (v) VALUES (1)').run();
      throw new Error('refused');
    })).toThrow('refused');
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(0);
    expect(db.inTransaction).toBe(false);
  });
});
