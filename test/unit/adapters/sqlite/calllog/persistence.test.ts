import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, migrate } from '../../../../../src/adapters/sqlite/database';
import { SqliteCallLog } from '../../../../../src/adapters/sqlite/calllog/SqliteCallLog';
import { CALLLOG_MIGRATIONS, CALLLOG_SCHEMA } from '../../../../../src/adapters/sqlite/calllog/schema';
import { makeTempDir } from '../../../../support/tmp';
import { callStart, legStart, MAC_A, T0 } from './helpers';

describe('migrations and persistence', () => {
  it('running the migrations again is a no-op, and the data survives reopening the file', async () => {
    const tmp = makeTempDir();
    const file = join(tmp.dir, 'persist.db');
    const db = openDatabase(file);
    const log = new SqliteCallLog(db);
    await log.recordRinging('ring-1', { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
    await log.finaliseCall('fin-1', { callId: 'call-1', account: 'acme', status: 'missed', endedAt: T0 + 10_000 });
    await log.recordMissedCall({ callId: 'call-1', account: 'acme', at: T0 + 10_000 });
    const tables = () => db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name`).pluck().all();
    const before = tables();

    new SqliteCallLog(db);
    migrate(db, CALLLOG_SCHEMA, CALLLOG_MIGRATIONS);
    expect(tables()).toEqual(before);
    expect(db.prepare('SELECT version FROM schema_migrations WHERE name = ?').pluck().get(CALLLOG_SCHEMA)).toBe(CALLLOG_MIGRATIONS.length);
    const view = await log.getCall('acme', 'call-1');
    await log.close();
    db.close();

    const reopened = openDatabase(file);
    try {
      const again = new SqliteCallLog(reopened);
      expect(await again.getCall('acme', 'call-1')).toEqual(view);
      expect(await again.getMissed('acme', 'call-1')).toMatchObject({ status: 'open' });
      expect(await again.hasProcessed('ring-1')).toBe(true);
      expect((await again.recordRinging('ring-1', { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: [] })).applied).toBe(false);
      expect(await again.stats('acme', {})).toEqual([{ agent: 'alice', offered: 1, answered: 0, missed: 1, avgRingMs: null, avgTalkMs: null, ringMsTotal: 0, ringCount: 0, talkMsTotal: 0, talkCount: 0, outgoing: 0, outgoingAnswered: 0, outgoingTalkMsTotal: 0 }]);
    } finally {
      reopened.close();
      tmp.cleanup();
    }
  });
});
