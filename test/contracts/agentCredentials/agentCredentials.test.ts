import { join } from 'node:path';
import { SqliteAgentCredentials } from '../../../src/adapters/sqlite/SqliteAgentCredentials';
import { openDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/database';
import { SqliteDirectory } from '../../../src/adapters/sqlite/directory/SqliteDirectory';
import { describeAgentCredentialsContract } from '../agentCredentialsContract';
import { makeTempDir } from '../../support/tmp';
import { PostgresAgentCredentials } from '../../../src/adapters/postgres/PostgresAgentCredentials';
import { PostgresDirectory } from '../../../src/adapters/postgres/directory/PostgresDirectory';
import { SecretBox } from '../../../src/shared/secretBox';
import { TestPools, testDatabasePerFile } from '../../support/postgresPools';

// Cheap hash parameters: the contract is about what is kept and found, not the cost (stored with each hash).
const FAST = { N: 1024, r: 8, p: 1 };

describeAgentCredentialsContract('SqliteAgentCredentials', async () => {
  const tmp = makeTempDir();
  const file = join(tmp.dir, 'ringside.db');
  const dbs: SqliteDatabase[] = [openDatabase(file)];
  const directory = new SqliteDirectory(dbs[0]!);
  return {
    credentials: new SqliteAgentCredentials(dbs[0]!, FAST),
    other: () => {
      const db = openDatabase(file);
      dbs.push(db);
      return new SqliteAgentCredentials(db, FAST);
    },
    addAgent: async (account, id) => {
      await directory.upsertAgent(account, { id, name: id });
    },
    removeAgent: async (account, id) => {
      await directory.removeAgent(account, id);
    },
    cleanup: async () => {
      for (const db of dbs) db.close();
      tmp.cleanup();
    },
  };
});

const database = testDatabasePerFile('credentials');

describeAgentCredentialsContract('PostgresAgentCredentials', async () => {
  const pools = new TestPools((await database()).url);
  const main = pools.open();
  const directory = await PostgresDirectory.open(main, { secrets: SecretBox.forThisProcess() });
  const credentials = await PostgresAgentCredentials.open(main, FAST);
  // One database for the file: each case starts from empty tables.
  await main.query('TRUNCATE dir_agents, dir_invites');
  // Another server: its own pool on the same database.
  const other = await PostgresAgentCredentials.open(pools.open(), FAST);
  return {
    credentials,
    other: () => other,
    addAgent: async (account, id) => {
      await directory.upsertAgent(account, { id, name: id });
    },
    removeAgent: async (account, id) => {
      await directory.removeAgent(account, id);
    },
    cleanup: () => pools.end(),
  };
});
