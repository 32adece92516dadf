import { Redis } from 'ioredis';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_TYPES } from '../../../src/app/cache/cacheTypes';
import { CachedDirectory } from '../../../src/app/cache/CachedDirectory';
import { openRedisCache } from '../../../src/app/cache/openCache';
import { CallStateKeys } from '../../../src/adapters/redis/keys';
import { SqliteDirectory } from '../../../src/adapters/sqlite/directory/SqliteDirectory';
import { SqliteDispositions } from '../../../src/adapters/sqlite/directory/SqliteDispositions';
import { openDatabase } from '../../../src/adapters/sqlite/database';
import { describeDirectoryCacheContract } from '../cacheContract';
import { REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB } from '../../support/services';
import { makeTempDir } from '../../support/tmp';
import { deferred } from '../../support/wait';
import { sharedSetup, silent, type SharedSetup } from './support';

describeDirectoryCacheContract('shared (local layer + Redis + pub/sub invalidation)', async () => {
  const setup = sharedSetup();
  return { proc: await setup.open('a'), advance: setup.clock.advance, cleanup: setup.cleanup };
});

describeDirectoryCacheContract('shared, on a Redis Cluster', async () => {
  const setup = sharedSetup({ cluster: true });
  return { proc: await setup.open('a'), advance: setup.clock.advance, cleanup: setup.cleanup };
});

describeDirectoryCacheContract('shared, contacts read from the SQLite file rather than Redis (a server on a SQLite file)', async () => {
  const setup = sharedSetup();
  return { proc: await setup.open('a', { readContactsLocally: true }), advance: setup.clock.advance, cleanup: setup.cleanup };
});

const HOUR = 3_600_000;

describe('Redis-backed directory cache (adapter specifics)', () => {
  let setup: SharedSetup;
  beforeEach(() => {
    setup = sharedSetup();
  });
  afterEach(async () => {
    await setup.cleanup();
  });

  it('keeps every entry in the cache DB under the account hash tag, with the TTLs of cacheTypes.ts', async () => {
    const a = await setup.open('a');
    const dir = a.directory;
    await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '201', devices: ['000B82000A01'] });
    await dir.upsertHelpline('acme', { number: '5000', name: 'Sales' });
    await dir.upsertContact('acme', { number: '+923001234567', name: 'Zara', company: null, notes: null, crmUrl: null });
    await Promise.all([
      dir.getAgent('acme', 'alice'), dir.agentByExtension('acme', '201'), dir.deviceOwner('acme', '000B82000A01'), dir.helplineByNumber('acme', '5000'),
      dir.contactByNumber('acme', '+923001234567'), dir.listAgents('acme'), dir.listHelplines('acme'), dir.listDispositions('acme'),
      dir.dropdown('acme', 'agents'), dir.dropdown('acme', 'helplines'), dir.dropdown('acme', 'dispositions'),
    ]);
    await a.cache.idle();
    const tenant = `${setup.root}:account:{acme}:`;
    const names = ['agents:by_id', 'agent:idents', 'device:idents', 'helplines:by_number', 'contact:idents',
      'masterlookup:agents', 'masterlookup:helplines', 'masterlookup:dispositions', 'dropdown:agents', 'dropdown:helplines', 'dropdown:dispositions', 'cache:versions'];
    expect(await setup.keys()).toEqual(names.map((n) => tenant + n).sort());
    const ttl = async (name: string) => setup.admin.pttl(tenant + name);
    for (const name of ['agents:by_id', 'agent:idents', 'device:idents', 'helplines:by_number', 'contact:idents', 'masterlookup:agents', 'dropdown:helplines']) {
      expect({ name, ok: (await ttl(name)) > 0 && (await ttl(name)) <= HOUR }).toEqual({ name, ok: true });
    }
    for (const name of ['masterlookup:dispositions', 'dropdown:dispositions']) {
      const left = await ttl(name);
      expect({ name, ok: left > HOUR && left <= 24 * HOUR }).toEqual({ name, ok: true });
    }
    expect(await ttl('cache:versions')).toBeGreaterThan(24 * HOUR);
    expect(JSON.parse((await setup.admin.hget(tenant + 'device:idents', '000B82000A01'))!)).toMatchObject({ v: 'alice' });
    // Nothing of the cache in another DB under this root.
    const calls = new Redis(REDIS_URL, { db: TEST_CALLS_DB });
    try {
      const [, found] = await calls.scan('0', 'MATCH', `${setup.root}:*`, 'COUNT', 10_000);
      expect(found).toEqual([]);
    } finally {
      calls.disconnect();
    }
  });

  it('reads contacts from the local layer, else the file, keeping none in Redis, and still drops them on a write in another process', async () => {
    const a = await setup.open('a', { readContactsLocally: true });
    const b = await setup.open('b', { readContactsLocally: true });
    await b.directory.upsertContact('acme', { number: '+923001234567', name: 'Zara', company: null, notes: null, crmUrl: null });
    expect((await a.directory.contactByNumber('acme', '+923001234567'))?.name).toBe('Zara');
    expect(await a.directory.contactByNumber('acme', '+923009999999')).toBeNull();
    expect((await a.directory.contactByNumber('acme', '+923001234567'))?.name).toBe('Zara');
    // Each number read from the file once; nothing of the contacts in Redis.
    expect(a.source.calls('contactByNumberSync')).toBe(2);
    expect(a.source.calls('contactByNumber')).toBe(0);
    expect((await setup.keys()).filter((key) => key.includes('contact'))).toEqual([]);
    const dropped = a.next((n) => n.type === 'event' && n.event.entity === 'contact', "b's contact write");
    await b.directory.upsertContact('acme', { number: '+923001234567', name: 'Zara Khan', company: null, notes: null, crmUrl: null });
    await dropped;
    expect((await a.directory.contactByNumber('acme', '+923001234567'))?.name).toBe('Zara Khan');
  });

  it("publishes every write on its own account's channel only", async () => {
    // The listener below never acknowledges: each write waits for it ackWaitMs, then goes on.
    const a = await setup.open('a', { ackWaitMs: 50 });
    const listener = new Redis(REDIS_URL, { db: TEST_CACHE_DB });
    const seen: Array<{ channel: string; event: { kind: string; entity: string; account: string; ids: string[] } }> = [];
    const fiveSeen = deferred('five events on the account channels');
    try {
      await listener.psubscribe(`${setup.root}:account:{*}:events`);
      listener.on('pmessage', (_p: string, channel: string, payload: string) => {
        seen.push({ channel, event: JSON.parse(payload) });
        if (seen.length === 5) fiveSeen.resolve();
      });
      await a.directory.upsertAgent('acme', { id: 'alice', name: 'Alice' });
      await a.directory.upsertAgent('acme', { id: 'alice', name: 'Alice Smith' });
      await a.directory.upsertContact('globex', { number: '+923001234567', name: 'Zara', company: null, notes: null, crmUrl: null });
      await a.directory.removeAgent('acme', 'alice');
      await a.directory.setDispositions('acme', [{ code: 'sold', label: 'Sold' }]);
      await fiveSeen.wait();
      expect(seen.map((s) => [s.channel.replace(setup.root, '<root>'), s.event.kind, s.event.entity, s.event.account, s.event.ids])).toEqual([
        ['<root>:account:{acme}:events', 'Create', 'agent', 'acme', ['alice']],
        ['<root>:account:{acme}:events', 'Update', 'agent', 'acme', ['alice']],
        ['<root>:account:{globex}:events', 'Create', 'contact', 'globex', ['+923001234567']],
        ['<root>:account:{acme}:events', 'Delete', 'agent', 'acme', ['alice']],
        ['<root>:account:{acme}:events', 'Sync', 'disposition', 'acme', ['sold']],
      ]);
    } finally {
      listener.disconnect();
    }
  });

  it('clears the local layer when its subscriber connection is dropped, and uses it again once resubscribed', async () => {
    const a = await setup.open('a');
    await a.directory.upsertAgent('acme', { id: 'alice', name: 'Alice' });
    await a.directory.getAgent('acme', 'alice');
    await a.directory.listAgents('acme');
    expect(a.cache.localEntries()).toBeGreaterThan(0);

    const dropped = a.next((n) => n.type === 'reset' && n.reason === 'dropped', 'a reset: subscriber dropped');
    const resubscribed = a.next((n) => n.type === 'reset' && n.reason === 'resubscribed', 'a reset: resubscribed');
    const id = clientId(await setup.admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub') as string, `${setup.root}-a-sub`);
    const killed = await setup.admin.call('CLIENT', 'KILL', 'ID', id);
    expect(killed).toBe(1);
    await dropped;
    expect(a.cache.localEnabled).toBe(false);
    expect(a.cache.localEntries()).toBe(0);
    // While the subscriber is away, reads go past the local layer and keep nothing in it.
    expect((await a.directory.getAgent('acme', 'alice'))?.name).toBe('Alice');
    expect(a.cache.peek('agent', 'acme', 'alice')).toBeUndefined();
    await resubscribed;
    expect(a.cache.localEnabled).toBe(true);
    expect(a.cache.localEntries()).toBe(0);
    expect((await a.directory.getAgent('acme', 'alice'))?.name).toBe('Alice');
    expect(a.cache.peek('agent', 'acme', 'alice')).toMatchObject({ name: 'Alice' });
  });

  it("refuses a write while Redis is unreachable (503), reads from the source meanwhile, and adds the seat's agent anyway", async () => {
    const temp = makeTempDir('ringside-cache-');
    const dead = await closedPort();
    const cache = openRedisCache({ target: { kind: 'url', url: `redis://127.0.0.1:${dead}` }, db: TEST_CACHE_DB, root: setup.root, node: 'dead', logger: silent });
    const db = openDatabase(`${temp.dir}/ringside.db`);
    try {
      const source = new SqliteDirectory(db);
      const directory = new CachedDirectory(source, new SqliteDispositions(db), cache);
      await source.upsertAgent('acme', { id: 'alice', name: 'Alice' });
      await expect(directory.upsertAgent('acme', { id: 'bob', name: 'Bob' })).rejects.toMatchObject({ code: 'unavailable' });
      await expect(directory.removeAgent('acme', 'alice')).rejects.toMatchObject({ code: 'unavailable' });
      expect(await source.getAgent('acme', 'bob')).toBeNull();
      expect((await directory.getAgent('acme', 'alice'))?.name).toBe('Alice');
      expect(cache.localEnabled).toBe(false);
      await directory.ensureAgent('acme', 'me', 'Me');
      expect((await directory.getAgent('acme', 'me'))?.name).toBe('Me');
    } finally {
      await cache.close();
      db.close();
      temp.cleanup();
    }
  });

  it('refreshes a master lookup in Redis in the background once it is older than its refresh time', async () => {
    const a = await setup.open('a');
    await a.directory.upsertAgent('acme', { id: 'alice', name: 'Alice' });
    expect((await a.directory.listAgents('acme')).map((x) => x.id)).toEqual(['alice']);
    await a.cache.idle();
    const key = `${setup.root}:account:{acme}:masterlookup:agents`;
    const firstAt = (JSON.parse((await setup.admin.get(key))!) as { at: number }).at;
    await a.source.target.upsertAgent('acme', { id: 'bob', name: 'Bob' });
    setup.clock.advance(CACHE_TYPES.agentsMaster.refreshAfterMs! + 1_000);
    const before = a.source.calls('listAgents');
    // The old list is answered at once; the refresh runs behind it.
    expect((await a.directory.listAgents('acme')).map((x) => x.id)).toEqual(['alice']);
    await a.cache.idle();
    expect(a.source.calls('listAgents')).toBe(before + 1);
    const refreshed = JSON.parse((await setup.admin.get(key))!) as { at: number; v: Array<{ id: string }> };
    expect(refreshed.at).toBeGreaterThan(firstAt);
    expect(refreshed.v.map((x) => x.id)).toEqual(['alice', 'bob']);
    expect((await a.directory.listAgents('acme')).map((x) => x.id)).toEqual(['alice', 'bob']);
  });

  it("drops every account's entries in every process on a global Sync (cal:events)", async () => {
    const a = await setup.open('a');
    const b = await setup.open('b');
    await a.directory.upsertAgent('acme', { id: 'alice', name: 'Alice' });
    await a.directory.upsertAgent('globex', { id: 'gus', name: 'Gus' });
    await b.directory.getAgent('acme', 'alice');
    await b.directory.getAgent('globex', 'gus');
    await b.cache.idle();
    expect(b.cache.localEntries()).toBe(2);
    const seen = b.next((n) => n.type === 'event' && n.event.account === null, 'the global Sync event');
    await a.cache.syncAll();
    await seen;
    expect(b.cache.localEntries()).toBe(0);
    expect((await setup.keys()).filter((k) => !k.endsWith(':cache:versions'))).toEqual([]);
  });

  it('builds keys only for accounts a hash tag can hold', () => {
    const keys = new CallStateKeys('cal').cache();
    expect(keys.tenant('acme').agentsById()).toBe('cal:account:{acme}:agents:by_id');
    expect(keys.tenant('acme').events()).toBe('cal:account:{acme}:events');
    expect(keys.globalEvents()).toBe('cal:events');
    for (const bad of ['', 'a{b', 'b}', '{x}', 'a:b', 'a b', 'a\nb']) expect(() => keys.tenant(bad)).toThrow(/Account unusable/);
    expect(() => new CallStateKeys('c{a}l')).toThrow(/without braces/);
  });
});

/** The id of the client named `name` in a CLIENT LIST answer. */
function clientId(list: string, name: string): string {
  const line = list.split('\n').find((l) => l.includes(` name=${name} `));
  if (!line) throw new Error(`no client named ${name}`);
  return /\bid=(\d+)/.exec(line)![1]!;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
