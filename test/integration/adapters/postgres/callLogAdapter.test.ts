// PostgresCallLog's own concerns beside the contract (test/contracts/callLog/): contact lookups
// batched per page (the directory is another adapter on the same database, asked over the
// network), and handled markers pruned in chunks.
import { ulid } from 'ulid';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresCallLog } from '../../../../src/adapters/postgres/calllog/PostgresCallLog';
import { HANDLED_EVENT_WINDOW_MS } from '../../../../src/domain/bus/HandledEventLedger';
import type { Contact } from '../../../../src/domain/directory/Directory';
import { callStart, DAY, legStart, MAC_A, T0 } from '../../../support/callLogFixtures';
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
