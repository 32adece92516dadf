// Who sees which calls, as SQL (src/adapters/sqlite/calllog/visibility.ts): each way a call can be
// an agent's has an index of its own. The rule itself is the contract's
// (test/contracts/callLog/visibilityCases.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../../../../src/adapters/sqlite/database';
import { SqliteCallLog } from '../../../../../src/adapters/sqlite/calllog/SqliteCallLog';
import { CALLLOG_MIGRATIONS, CALLLOG_SCHEMA } from '../../../../../src/adapters/sqlite/calllog/schema';
import { branchParams, callBranches } from '../../../../../src/adapters/sqlite/calllog/visibility';
import type { CallAudience } from '../../../../../src/domain/calllog/CallLog';
import { makeTempDir } from '../../../../support/tmp';
import { makeHarness, T0, type Harness } from './helpers';

const ALICE: CallAudience = { agent: 'alice', helplines: ['600'] };
const BOB: CallAudience = { agent: 'bob', helplines: [] };

let h: Harness;
beforeEach(() => {
  h = makeHarness();
});
afterEach(() => h.cleanup());

describe('indexes', () => {
  it("each way a call can be an agent's is read through an index of its own, never by walking the account's calls", () => {
    const audience = { agent: 'alice', helplines: ['600', '700'] };
    const order = 'ORDER BY c.started_at DESC, c.id DESC LIMIT @limit';
    for (const filters of ['c.account = @account', "c.account = @account AND c.status = 'missed'", "c.account = @account AND c.direction = 'in'"]) {
      for (const branch of callBranches(filters, audience)) {
        const plan = (h.db.prepare(`EXPLAIN QUERY PLAN ${branch} ${order}`).all({ account: 'acme', limit: 51, ...branchParams(audience) }) as Array<{ detail: string }>).map((r) => r.detail);
        expect(plan.join('\n'), branch).not.toMatch(/cl_calls_started|SCAN c\b|SCAN cl_calls\b|SCAN cl_legs\b|SCAN cl_targets\b/);
        expect(plan.join('\n'), branch).toMatch(/cl_calls_agent|cl_legs_agent|cl_targets_agent|cl_calls_helpline|cl_calls_untargeted/);
      }
    }
  });

  it('a call log from before these indexes learns which calls were offered to someone when it is opened', async () => {
    const tmp = makeTempDir();
    const file = `${tmp.dir}/old.db`;
    const old = openDatabase(file);
    migrate(old, CALLLOG_SCHEMA, CALLLOG_MIGRATIONS.slice(0, 2));
    const insert = old.prepare(`INSERT INTO cl_calls (account, id, direction, remote, remote_norm, remote_name, local, line, status, started_at)
      VALUES ('acme', ?, 'in', '+923001234567', '+923001234567', '', '201', 'direct', 'missed', ?)`);
    insert.run('offered', T0);
    insert.run('nobodys', T0 + 1);
    old.prepare("INSERT INTO cl_targets (account, call_id, agent) VALUES ('acme', 'offered', 'bob')").run();
    old.close();
    const db = openDatabase(file);
    try {
      const log = new SqliteCallLog(db);
      expect((await log.listCalls('acme', { audience: ALICE })).items.map((c) => c.id)).toEqual(['nobodys']);
      expect((await log.listCalls('acme', { audience: BOB })).items.map((c) => c.id)).toEqual(['nobodys', 'offered']);
    } finally {
      db.close();
      tmp.cleanup();
    }
  });
});
