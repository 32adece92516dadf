// What the SQLite call log asks of SQLite per step (issue 15): the statements are its largest CPU
// item per call event in shared mode, so the ones it no longer needs must not come back.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCallLog, type SqliteCallLogOptions } from '../../../../../src/adapters/sqlite/calllog/SqliteCallLog';
import { callStart, ev, legStart, MAC_A, MAC_B, T0 } from './helpers';

let db: Database.Database;
let statements: string[];

function traced(options: SqliteCallLogOptions = {}): SqliteCallLog {
  db = new Database(':memory:', { verbose: (sql) => statements.push(String(sql)) });
  db.pragma('foreign_keys = ON');
  const log = new SqliteCallLog(db, options);
  statements = [];
  return log;
}

/** The statements `step` ran. */
async function during(step: () => Promise<unknown>): Promise<string[]> {
  statements = [];
  await step();
  return statements;
}

const matching = (ran: string[], pattern: RegExp) => ran.filter((sql) => pattern.test(sql));

beforeEach(() => {
  statements = [];
});
afterEach(() => db.close());

describe('SQLite call log statements', () => {
  it('reads a call\'s legs once per mutation (the device\'s leg comes from that read), none for a new call', async () => {
    const log = traced();
    const callId = 'call-1';
    const legReads = (ran: string[]) => matching(ran, /^SELECT .* FROM cl_legs/).length;
    expect(legReads(await during(() => log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] })))).toBe(0);
    expect(legReads(await during(() => log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_B, 'bob', T0 + 1), targets: ['bob'] })))).toBe(1);
    expect(legReads(await during(() => log.recordAnswered(ev(), { callId, account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 5, owner: true })))).toBe(1);
    expect(legReads(await during(() => log.recordHold(ev(), { callId, account: 'acme', mac: MAC_A, on: true, at: T0 + 6 })))).toBe(1);
    const ended = await during(() => log.recordLegEnded(ev(), { callId, account: 'acme', mac: MAC_B, agent: 'bob', outcome: 'missed', at: T0 + 7 }));
    expect(legReads(ended)).toBe(1);
    expect(legReads(await during(() => log.recordTransfer(ev(), { callId, account: 'acme', mac: MAC_A, at: T0 + 8 })))).toBe(1);
  });

  it('a call\'s first finalise only adds its statistics; finalising it again takes the first contribution back', async () => {
    const log = traced();
    const callId = 'call-1';
    await log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
    await log.recordAnswered(ev(), { callId, account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 5, owner: true });
    await log.recordLegEnded(ev(), { callId, account: 'acme', mac: MAC_A, agent: 'alice', outcome: 'hangup', at: T0 + 60_000 });
    const withdrawals = /^(DELETE FROM cl_stat_contrib|DELETE FROM cl_agent_daily_stats|UPDATE cl_agent_daily_stats)/;

    const first = await during(() => log.finaliseCall(ev(), { callId, account: 'acme', status: 'answered', endedAt: T0 + 60_000 }));
    expect(matching(first, withdrawals)).toEqual([]);
    // Its legs had all ended: nothing to close.
    expect(matching(first, /^UPDATE cl_legs/)).toEqual([]);

    const again = await during(() => log.finaliseCall(ev(), { callId, account: 'acme', status: 'answered', endedAt: T0 + 60_000 }));
    expect(matching(again, withdrawals)).toHaveLength(3);
    expect(await log.stats('acme', { fromDay: '2024-03-10', toDay: '2024-03-10' })).toMatchObject([{ agent: 'alice', offered: 1, answered: 1 }]);
  });

  it('with group commit, a group whose writes all succeed runs in one transaction without savepoints', async () => {
    const log = traced({ groupCommit: true });
    const ran = await during(() => Promise.all(Array.from({ length: 3 }, (_, i) =>
      log.recordRinging(ev(), { call: callStart({ id: `call-${i}`, remote: `+92300000000${i}` }), leg: legStart(MAC_A, 'alice', T0 + i), targets: ['alice'] }))));
    // The first write of the turn ran at once; the other two were committed together.
    expect(matching(ran, /^BEGIN/)).toHaveLength(2);
    expect(matching(ran, /^SAVEPOINT/)).toEqual([]);
  });
});
