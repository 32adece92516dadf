import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, migrate } from '../../../../../src/adapters/sqlite/database';
import { SqliteDirectory, contactHooksFor, contactLookupFor } from '../../../../../src/adapters/sqlite/directory/SqliteDirectory';
import { DIRECTORY_MIGRATIONS, DIRECTORY_SCHEMA } from '../../../../../src/adapters/sqlite/directory/schema';
import { SqliteCallLog } from '../../../../../src/adapters/sqlite/calllog/SqliteCallLog';
import { CALLLOG_MIGRATIONS } from '../../../../../src/adapters/sqlite/calllog/schema';
import { makeTempDir } from '../../../../support/tmp';
import { SqliteAgentSessions } from '../../../../../src/adapters/sqlite/SqliteAgentSessions';

const T0 = Date.UTC(2024, 2, 10, 9, 0, 0);

function start(id: string, remote: string, account = 'acme') {
  return {
    call: { id, account, direction: 'in' as const, remote, remoteName: '', local: '101', line: 'direct' as const, helpline: null, startedAt: T0, parentId: null, transferredFrom: null, agent: null },
    leg: { mac: '000B82000001', agent: 'alice', at: T0, transfer: false, transferredFrom: null },
    targets: ['alice'],
  };
}

describe('directory and call log in one database file', () => {
  it('fills caller cards and finds calls by contact name across number spellings; tenants stay apart', async () => {
    const tmp = makeTempDir();
    const db = openDatabase(join(tmp.dir, 'ringside.db'));
    try {
      const directory = new SqliteDirectory(db);
      const log = new SqliteCallLog(db, contactHooksFor(directory));
      await directory.upsertContact('acme', { number: '0092 300 1234567', name: 'Zara Khan', company: 'Acme Traders', notes: null, crmUrl: null });
      await log.recordRinging('e1', start('c1', '03001234567'));
      await log.recordRinging('e2', start('c2', '+441234567890'));
      await log.recordRinging('e3', start('c3', '+923001234567', 'other'));

      expect((await log.getCall('acme', 'c1'))!.contact).toMatchObject({ name: 'Zara Khan', number: '+923001234567' });
      expect((await log.getCall('acme', 'c2'))!.contact).toBeNull();
      expect((await log.getCall('other', 'c3'))!.contact).toBeNull();
      expect((await log.listCalls('acme', { q: 'zara' })).items.map((c) => c.id)).toEqual(['c1']);
      expect((await log.listCalls('acme', { q: 'traders' })).items.map((c) => c.id)).toEqual(['c1']);
      expect((await log.listCalls('other', { q: 'zara' })).items).toEqual([]);
      expect(contactLookupFor(directory)('acme', '+923001234567')!.name).toBe('Zara Khan');
    } finally {
      db.close();
      tmp.cleanup();
    }
  });

  it('running the directory migrations again is a no-op, and the data survives reopening the file', async () => {
    const tmp = makeTempDir();
    const file = join(tmp.dir, 'ringside.db');
    const db = openDatabase(file);
    const directory = new SqliteDirectory(db);
    await directory.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '101', devices: ['000B82000001'], helplines: ['600'] });
    await directory.upsertContact('acme', { number: '+923001234567', name: 'Zara', company: null, notes: null, crmUrl: null });
    const session = await new SqliteAgentSessions(db).create('acme', 'alice', 60_000, T0);
    new SqliteDirectory(db);
    migrate(db, DIRECTORY_SCHEMA, DIRECTORY_MIGRATIONS);
    new SqliteCallLog(db);
    expect(db.prepare('SELECT name, version FROM schema_migrations ORDER BY name').all()).toEqual([
      { name: 'calllog', version: CALLLOG_MIGRATIONS.length },
      { name: 'directory', version: DIRECTORY_MIGRATIONS.length },
    ]);
    await directory.close();
    db.close();

    const reopened = openDatabase(file);
    try {
      const again = new SqliteDirectory(reopened);
      expect(await again.getAgent('acme', 'alice')).toEqual({ id: 'alice', account: 'acme', name: 'Alice', extension: '101', devices: ['000B82000001'], helplines: ['600'], supervisor: false, admin: false });
      expect((await again.contactByNumber('acme', '03001234567'))!.name).toBe('Zara');
      expect(await new SqliteAgentSessions(reopened).get('acme', session.token, T0 + 1)).toMatchObject({ agent: 'alice' });
    } finally {
      reopened.close();
      tmp.cleanup();
    }
  });
});
