// PostgresCallLog's own concerns beside the contract (test/contracts/callLog/): contact lookups
// batched per page (the directory is another adapter on the same database, asked over the
// network), the statements a call's steps cost (each is a round trip), and handled markers
// pruned in chunks.
import pg from 'pg';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PostgresCallLog } from '../../../../src/adapters/postgres/calllog/PostgresCallLog';
import { HANDLED_EVENT_WINDOW_MS } from '../../../../src/domain/bus/HandledEventLedger';
import type { Contact } from '../../../../src/domain/directory/Directory';
import { callStart, DAY, legStart, MAC_A, MAC_B, T0 } from '../../../support/callLogFixtures';
import { testDatabasePerFile, TestPools } from '../../../support/postgresPools';

const database = testDatabasePerFile('calllog_adapter');
let pools: TestPools | null = null;
afterEach(async () => {
  await pools?.end();
  pools = null;
});

async function openPool() {
  pools ??= new TestPools((await database()).url);
  return pools.open();
}

describe('PostgresCallLog (adapter specifics)', () => {
  it('asks the directory for the contacts of a whole page at once, each number once', async () => {
    const asked: string[][] = [];
    const contact = (number: string): Contact => ({ number, name: `Caller ${number.slice(-2)}`, company: null, notes: null, crmUrl: null });
    const log = await PostgresCallLog.open(await openPool(), {
      contactLookup: async (_account, numbers) => {
        asked.push(numbers);
        return new Map(numbers.filter((n) => n.endsWith('1') || n.endsWith('2')).map((n) => [n, contact(n)]));
      },
    });
    const account = `acme-${ulid()}`;
    const remotes = ['+923001110001', '+923001110002', '+923001110003', '+923001110001'];
    for (const [i, remote] of remotes.entries()) {
      await log.recordRinging(ulid(), { call: callStart({ id: `c${i}`, account, remote, startedAt: T0 + i }), leg: legStart(MAC_A, null, T0 + i), targets: [] });
    }
    asked.length = 0;
    const page = await log.listCalls(account, {});
    expect(asked).toEqual([['+923001110001', '+923001110003', '+923001110002']]);
    expect(page.items.map((c) => [c.id, c.contact?.name ?? null])).toEqual([
      ['c3', 'Caller 01'], ['c2', null], ['c1', 'Caller 02'], ['c0', 'Caller 01'],
    ]);
  });

  it("a call's steps cost a few statements each: the marker goes with the call's lock, and views are built from the rows written", async () => {
    const pool = await openPool();
    const log = await PostgresCallLog.open(pool);
    const account = `acme-${ulid()}`;
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    const statementsOf = async (step: () => Promise<unknown>) => {
      sent.mockClear();
      await step();
      return sent.mock.calls.map(([query]) => (typeof query === 'string' ? query : (query as { text: string }).text).trim().split(/\s+/).slice(0, 2).join(' '));
    };
    try {
      const call = callStart({ id: 'c1', account, startedAt: T0 });
      expect(await statementsOf(() => log.recordRinging('e1', { call, leg: legStart(MAC_A, 'a1', T0), targets: ['a1', 'a2'] }))).toEqual([
        'BEGIN', 'WITH marker', 'INSERT INTO', 'INSERT INTO', 'COMMIT',
      ]);
      // A second phone of the ring group: the call is there, so it is locked and its legs read.
      expect(await statementsOf(() => log.recordRinging('e2', { call, leg: legStart(MAC_B, 'a2', T0 + 1), targets: ['a2'] }))).toEqual([
        'BEGIN', 'WITH marker', 'SELECT *', 'SELECT *', 'INSERT INTO', 'INSERT INTO', 'COMMIT',
      ]);
      const answer = { callId: 'c1', account, mac: MAC_A, agent: 'a1', at: T0 + 5_000, owner: true };
      expect(await statementsOf(() => log.recordAnswered('e3', answer))).toEqual(['BEGIN', 'WITH marker', 'SELECT *', 'UPDATE cl_legs', 'UPDATE cl_calls', 'COMMIT']);
      expect(await statementsOf(() => log.closeMissedCalls(account, call.remote, 'a1', T0 + 5_000))).toEqual(['UPDATE cl_missed']);
      const ended = { callId: 'c1', account, mac: MAC_A, agent: 'a1', outcome: 'hangup' as const, at: T0 + 60_000 };
      expect(await statementsOf(() => log.recordLegEnded('e4', ended))).toEqual(['BEGIN', 'WITH marker', 'SELECT *', 'UPDATE cl_legs', 'COMMIT']);
      // A contribution the call no longer makes (as if recorded by an earlier finalisation) goes when it is finalised.
      await pool.query(
        `INSERT INTO cl_stat_contrib (account, call_id, agent, day, offered, answered, missed, ring_ms, ring_count, talk_ms, talk_count)
         VALUES ($1, 'c1', 'gone', '2024-03-09', 1, 1, 0, 1, 1, 1, 1)`,
        [account],
      );
      const finalised = await statementsOf(() => log.finaliseCall('e4', { callId: 'c1', account, status: 'answered', endedAt: T0 + 60_000 }));
      // The open legs closed and all legs read in one statement, the contributions replaced in one; the view is built from the rows.
      expect(finalised).toEqual(['BEGIN', 'WITH marker', 'WITH closed', 'UPDATE cl_calls', 'SELECT agent', 'WITH given', 'COMMIT']);
      // A repeat: the marker is there, so the call's view is read and nothing is written.
      expect(await statementsOf(() => log.recordLegEnded('e4', ended))).toEqual(['BEGIN', 'WITH marker', 'SELECT *', 'COMMIT']);
    } finally {
      sent.mockRestore();
    }
    const contributions = await pool.query('SELECT agent, day, offered, answered FROM cl_stat_contrib WHERE account = $1 ORDER BY agent', [account]);
    expect(contributions.rows).toEqual([
      { agent: 'a1', day: '2024-03-10', offered: 1, answered: 1 },
      { agent: 'a2', day: '2024-03-10', offered: 1, answered: 0 },
    ]);
    const view = await log.getCall(account, 'c1');
    expect(view?.status).toBe('answered');
    expect(view?.legs.map((l) => [l.mac, l.state])).toEqual([[MAC_A, 'ended'], [MAC_B, 'ended']]);
  });

  it('deletes any number of markers, in chunks', async () => {
    const pool = await openPool();
    const log = await PostgresCallLog.open(pool);
    const prefix = ulid();
    await pool.query("INSERT INTO cl_processed_events (event_id, op, at) SELECT $1 || '-' || n, 'mark', $2 FROM generate_series(1, 12345) AS n", [prefix, T0 - 10 * DAY]);
    await log.markProcessed(`${prefix}-recent`);
    expect(await log.pruneHandledMarkers(T0 - HANDLED_EVENT_WINDOW_MS)).toBe(12_345);
    expect((await pool.query('SELECT event_id FROM cl_processed_events WHERE event_id LIKE $1', [`${prefix}%`])).rows).toEqual([{ event_id: `${prefix}-recent` }]);
  });
});
