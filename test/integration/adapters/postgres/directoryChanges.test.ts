// What the servers of one PostgreSQL database tell each other about the directory
// (src/adapters/postgres/directory/listen.ts, writes.ts): a write committed through one pool
// reaches a listener on another; a listener whose connection is lost comes back, says every
// account may have changed, and goes on. And the call log's contact hooks (postgresContactHooks).
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ALL_ACCOUNTS, PostgresDirectory, listenForDirectoryChanges, postgresContactHooks, type DirectoryListener } from '../../../../src/adapters/postgres/directory/PostgresDirectory';
import { PostgresDispositions } from '../../../../src/adapters/postgres/directory/PostgresDispositions';
import { SecretBox } from '../../../../src/shared/secretBox';
import { createTestDatabase, type TestDatabase } from '../../../support/postgres';
import { TestPools } from '../../../support/postgresPools';
import { uniqueName } from '../../../support/services';
import { Inbox } from '../../../support/wait';

let database: TestDatabase | null = null;
afterAll(async () => database?.drop());
const url = async () => (database ??= await createTestDatabase('directory_changes')).url;

const pools: TestPools[] = [];
const listeners: DirectoryListener[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.close();
  for (const set of pools.splice(0)) await set.end();
});

async function poolsOnDatabase(): Promise<TestPools> {
  const set = new TestPools(await url());
  pools.push(set);
  return set;
}

async function listen(source: Parameters<typeof listenForDirectoryChanges>[0]): Promise<Inbox<string>> {
  const changes = new Inbox<string>('directory changes');
  listeners.push(await listenForDirectoryChanges(source, (account) => changes.push(account)));
  return changes;
}

/** Ends the server side of the connections with this application name, as a restart or failover would. */
async function terminateBackends(applicationName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: await url() });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    return rows.length;
  } finally {
    await admin.end();
  }
}

const secrets = SecretBox.forThisProcess();

describe('listenForDirectoryChanges', () => {
  it('reports the account of every write another server commits, and nothing of a refused one', async () => {
    const set = await poolsOnDatabase();
    const changes = await listen(set.open('listener'));
    const writer = await PostgresDirectory.open(set.open('writer'), { secrets });
    await writer.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '101' });
    expect(await changes.next((a) => a === 'acme', 'the agent write')).toBe('acme');

    // Refused: rolled back, so nothing is sent; the next change is the one after it.
    const mark = changes.mark();
    await expect(writer.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '101' })).rejects.toMatchObject({ code: 'extension_taken' });
    await writer.upsertContact('globex', { number: '+923001234567', name: 'Zara', company: null, notes: null, crmUrl: null });
    await (await PostgresDispositions.open(set.open('dispositions'))).set('initech', [{ code: 'sold', label: 'Sold' }]);
    await changes.next((a) => a === 'initech', 'the disposition write', { since: mark });
    expect(changes.all.slice(mark)).toEqual(['globex', 'initech']);
  });

  it('after its connection is lost it listens again, reports every account, and goes on reporting', async () => {
    const set = await poolsOnDatabase();
    const applicationName = uniqueName('listener');
    const listenUrl = new URL(await url());
    listenUrl.searchParams.set('application_name', applicationName);
    const changes = await listen(listenUrl.toString());
    const writer = await PostgresDirectory.open(set.open('writer'), { secrets });

    expect(await terminateBackends(applicationName)).toBe(1);
    await changes.next((a) => a === ALL_ACCOUNTS, 'the reconnect');
    const mark = changes.mark();
    await writer.upsertHelpline('acme', { number: '600', name: 'Support' });
    await changes.next((a) => a === 'acme', 'a write after the reconnect', { since: mark });
  });
});

describe('postgresContactHooks', () => {
  it("finds a page of calls' contacts in one lookup, each number as the call has it, and numbers by contact name", async () => {
    const set = await poolsOnDatabase();
    const directory = await PostgresDirectory.open(set.open(), { secrets, defaultCountry: 'PK' });
    await directory.upsertContact('acme', { number: '0300 1234567', name: 'Zara Khan', company: 'Acme Traders', notes: null, crmUrl: null });
    await directory.upsertContact('acme', { number: '201', name: 'Reception', company: null, notes: null, crmUrl: null });
    const hooks = postgresContactHooks(directory);
    const found = await hooks.contactLookup('acme', ['+923001234567', '0092 300 1234567', '201', '+441234567890', '']);
    expect([...found.keys()].sort()).toEqual(['+923001234567', '0092 300 1234567', '201']);
    expect(found.get('0092 300 1234567')).toMatchObject({ number: '+923001234567', name: 'Zara Khan' });
    expect(await hooks.contactLookup('umbrella', ['+923001234567'])).toEqual(new Map());
    expect(await hooks.contactSearch('acme', 'traders')).toEqual([{ number: '+923001234567', tail: '001234567' }]);
  });
});
