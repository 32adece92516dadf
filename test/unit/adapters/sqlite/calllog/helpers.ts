import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../../../../src/adapters/sqlite/database';
import { makeTempDir } from '../../../../support/tmp';
import { SqliteCallLog, type SqliteCallLogOptions } from '../../../../../src/adapters/sqlite/calllog/SqliteCallLog';

// The call-log behaviour every adapter shares is tested by the contract suite
// (test/contracts/callLogContract.ts); the tests here are SQLite's own.
export { callStart, DAY, ev, legStart, MAC_A, MAC_B, MAC_C, T0 } from '../../../../support/callLogFixtures';

export interface Harness {
  file: string;
  db: SqliteDatabase;
  log: SqliteCallLog;
  /** Another connection (and call log) on the same file, as a second process would have. */
  second(): { db: SqliteDatabase; log: SqliteCallLog };
  count(table: string): number;
  cleanup(): void;
}

export function makeHarness(options: SqliteCallLogOptions = {}): Harness {
  const tmp = makeTempDir();
  const file = join(tmp.dir, 'ringside.db');
  const db = openDatabase(file);
  const log = new SqliteCallLog(db, options);
  const others: SqliteDatabase[] = [];
  return {
    file,
    db,
    log,
    second() {
      const other = openDatabase(file);
      others.push(other);
      return { db: other, log: new SqliteCallLog(other, options) };
    },
    count(table) {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    },
    cleanup() {
      for (const other of others) other.close();
      db.close();
      tmp.cleanup();
    },
  };
}
