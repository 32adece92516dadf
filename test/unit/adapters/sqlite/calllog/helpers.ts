import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../../../../src/adapters/sqlite/database';
import { makeTempDir } from '../../../../support/tmp';
import { SqliteCallLog, type SqliteCallLogOptions } from '../../../../../src/adapters/sqlite/calllog/SqliteCallLog';
import type { CallStart, LegStart } from '../../../../../src/domain/calllog/CallLog';

/** 2024-03-10T09:00:00Z: a fixed clock for every test. */
export const T0 = Date.UTC(2024, 2, 10, 9, 0, 0);
export const DAY = 24 * 60 * 60 * 1000;

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

export function callStart(overrides: Partial<CallStart> = {}): CallStart {
  return {
    id: 'call-1',
    account: 'acme',
    direction: 'in',
    remote: '+923001234567',
    remoteName: 'Customer',
    local: '600',
    line: 'helpline',
    helpline: '600',
    startedAt: T0,
    parentId: null,
    transferredFrom: null,
    agent: null,
    ...overrides,
  };
}

export function legStart(mac: string, agent: string | null, at: number, overrides: Partial<LegStart> = {}): LegStart {
  return { mac, agent, at, transfer: false, transferredFrom: null, ...overrides };
}

export const MAC_A = '000B82000001';
export const MAC_B = '000B82000002';
export const MAC_C = '000B82000003';

let counter = 0;
/** A fresh event id. */
export function ev(label = 'e'): string {
  counter += 1;
  return `${label}-${counter}`;
}
