import { join } from 'node:path';
import { SqliteAgentCredentials } from '../../../src/adapters/sqlite/SqliteAgentCredentials';
import { openDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/database';
import { SqliteDirectory } from '../../../src/adapters/sqlite/directory/SqliteDirectory';
import { describeAgentCredentialsContract } from '../agentCredentialsContract';
import { makeTempDir } from '../../support/tmp';

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
