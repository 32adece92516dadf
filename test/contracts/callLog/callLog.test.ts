import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openPostgres, type PostgresPool } from '../../../src/adapters/postgres/database';
import { PostgresCallLog, type PostgresCallLogOptions } from '../../../src/adapters/postgres/calllog/PostgresCallLog';
import { SqliteCallLog } from '../../../src/adapters/sqlite/calllog/SqliteCallLog';
import { openDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/database';
import type { Contact } from '../../../src/domain/directory/Directory';
import { testDatabasePerFile } from '../../support/postgresPools';
import { makeTempDir } from '../../support/tmp';
import { describeCallLogContract, type CallLogHarness, type CallLogHarnessOptions } from '../callLogContract';

/** SqliteCallLog on a file of its own; a second call log is another connection to that file (another process). */
async function sqliteHarness(options: CallLogHarnessOptions = {}): Promise<CallLogHarness> {
  const tmp = makeTempDir();
  const file = join(tmp.dir, 'ringside.db');
  const dbs: SqliteDatabase[] = [openDatabase(file)];
  const db = dbs[0]!;
  return {
    log: new SqliteCallLog(db, options),
    second: async () => {
      const other = openDatabase(file);
      dbs.push(other);
      return new SqliteCallLog(other, options);
    },
    query: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as T[],
    count: async (table) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n,
    tableRows: async (table) => db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all(),
    cleanup: async () => {
      for (const open of dbs) open.close();
      tmp.cleanup();
    },
  };
}

const database = testDatabasePerFile('calllog_contract');

/** The one-number contact hooks of a test, as the batched asynchronous ones PostgresCallLog takes. */
function postgresHooks(options: CallLogHarnessOptions): Pick<PostgresCallLogOptions, 'contactLookup' | 'contactSearch'> {
  const { contactLookup, contactSearch } = options;
  return {
    ...(contactLookup && {
      contactLookup: async (account: string, numbers: string[]) => new Map(numbers.flatMap((n): Array<[string, Contact]> => {
        const contact = contactLookup(account, n);
        return contact ? [[n, contact]] : [];
      })),
    }),
    ...(contactSearch && { contactSearch: async (account: string, q: string) => contactSearch(account, q) }),
  };
}

let sharedPool: PostgresPool | null = null;
afterAll(async () => {
  await sharedPool?.end();
});

/**
 * PostgresCallLog on the file's database, emptied when a harness is made (a schema for each would
 * cost a migration per test: most of a property's time); a second call log is another pool:
 * another server. Only one harness of the file is in use at a time (CallLogContext.fresh).
 */
async function postgresHarness(options: CallLogHarnessOptions = {}): Promise<CallLogHarness> {
  const { url } = await database();
  // The first call log of every harness shares one pool (new connections are most of a short
  // test's time); each second() is a pool of its own, as another server's.
  sharedPool ??= openPostgres(url, { applicationName: 'ringside-calllog', max: 4 });
  const reader = sharedPool;
  const pools: PostgresPool[] = [];
  const openOn = (pool: PostgresPool) => PostgresCallLog.open(pool, { ...postgresHooks(options), timeZone: options.timeZone, clock: options.clock });
  const log = await openOn(reader);
  // Legs, targets, missed calls and contributions go with their calls (ON DELETE CASCADE).
  await reader.query('DELETE FROM cl_processed_events; DELETE FROM cl_agent_daily_stats_pruned; DELETE FROM cl_calls');
  const toPositional = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    log,
    second: async () => {
      const pool = openPostgres(url, { applicationName: `ringside-calllog-${pools.length + 1}`, max: 4 });
      pools.push(pool);
      return openOn(pool);
    },
    query: async <T>(sql: string, params: unknown[] = []) => (await reader.query(toPositional(sql), params)).rows as T[],
    count: async (table) => Number((await reader.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n),
    tableRows: async (table) => (await reader.query(`SELECT * FROM ${table} t ORDER BY t::text`)).rows,
    cleanup: async () => {
      await Promise.all(pools.splice(0).map((pool) => pool.end()));
    },
  };
}

describeCallLogContract('SqliteCallLog', sqliteHarness);
describeCallLogContract('PostgresCallLog', postgresHarness);
