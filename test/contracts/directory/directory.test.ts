import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/database';
import { SqliteDirectory } from '../../../src/adapters/sqlite/directory/SqliteDirectory';
import { SqliteDispositions } from '../../../src/adapters/sqlite/directory/SqliteDispositions';
import { PostgresDirectory } from '../../../src/adapters/postgres/directory/PostgresDirectory';
import { PostgresDispositions } from '../../../src/adapters/postgres/directory/PostgresDispositions';
import { SecretBox } from '../../../src/shared/secretBox';
import { describeDirectoryContract, type DirectoryOptions } from '../directoryContract';
import { makeTempDir } from '../../support/tmp';
import { TestPools, testDatabasePerFile } from '../../support/postgresPools';

describeDirectoryContract('SqliteDirectory', async () => {
  const tmp = makeTempDir();
  const file = join(tmp.dir, 'ringside.db');
  const dbs: SqliteDatabase[] = [];
  // Each connection stands for a process on the file.
  const connection = () => {
    const db = openDatabase(file);
    dbs.push(db);
    return db;
  };
  const main = connection();
  return {
    open: async (options?: DirectoryOptions) => new SqliteDirectory(main, options),
    openOther: async (options?: DirectoryOptions) => new SqliteDirectory(connection(), options),
    dispositions: async () => new SqliteDispositions(connection()),
    storedControlPassword: async (account, mac) =>
      main.prepare('SELECT control_password FROM dir_devices WHERE account = ? AND mac = ?').pluck().get(account, mac) as string | null,
    insertLegacyHelpline: async (account, number, name) => {
      main.prepare('INSERT INTO dir_helplines (account, number, name, all_agents) VALUES (?, ?, ?, 1)').run(account, number, name);
    },
    cleanup: async () => {
      for (const db of dbs) db.close();
      tmp.cleanup();
    },
  };
});

const database = testDatabasePerFile('directory');
const TABLES = ['dir_agents', 'dir_devices', 'dir_helplines', 'dir_helpline_members', 'dir_contacts', 'dir_invites', 'dir_dispositions'];

describeDirectoryContract('PostgresDirectory', async () => {
  const pools = new TestPools((await database()).url);
  // Each pool stands for a server on the database.
  const main = pools.open();
  const open = (pool: typeof main, options: DirectoryOptions = {}) => PostgresDirectory.open(pool, { ...options, secrets: options.secrets ?? SecretBox.forThisProcess() });
  await open(main);
  await PostgresDispositions.open(main);
  // One database for the file: each case starts from empty tables.
  await main.query(`TRUNCATE ${TABLES.join(', ')}`);
  return {
    open: (options) => open(main, options),
    openOther: (options) => open(pools.open(), options),
    dispositions: () => PostgresDispositions.open(pools.open()),
    storedControlPassword: async (account, mac) =>
      (await main.query<{ control_password: string | null }>('SELECT control_password FROM dir_devices WHERE account = $1 AND mac = $2', [account, mac])).rows[0]?.control_password ?? null,
    insertLegacyHelpline: async (account, number, name) => {
      await main.query('INSERT INTO dir_helplines (account, number, name, all_agents) VALUES ($1, $2, $3, 1)', [account, number, name]);
    },
    cleanup: () => pools.end(),
  };
});
