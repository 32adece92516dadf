import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CacheEventKind } from '../../src/app/cache/cacheTypes';
import { DEFAULT_DISPOSITIONS } from '../../src/domain/directory/Lookups';
import type { CacheProcess } from './cache/support';

export interface CacheHarness {
  proc: CacheProcess;
  /** Moves the cache's clocks (entry ages, local TTLs) forward. */
  advance(ms: number): void;
  cleanup(): Promise<void>;
}

const MAC_A = '000B82000A01';
const MAC_B = '000B82000B02';

/**
 * The behaviour every directory cache must have, embedded (local layer over SQLite) or shared
 * (local + Redis + pub/sub invalidation): run unchanged against each (docs/redis.md, Cache database).
 */
export function describeDirectoryCacheContract(name: string, factory: () => Promise<CacheHarness>): void {
  describe(`directory cache contract: ${name}`, () => {
    let h: CacheHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.cleanup();
    });
    const dir = () => h.proc.directory;
    const calls = (method: string) => h.proc.source.calls(method);

    it('reads cache-first: the second read of every kind, found or not, does not reach the source', async () => {
      await dir().upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '201', devices: [MAC_A] });
      await dir().upsertHelpline('acme', { number: '5000', name: 'Sales' });
      await dir().upsertContact('acme', { number: '+923001234567', name: 'Zara', company: null, notes: null, crmUrl: null });
      const reads: Array<[string, () => Promise<unknown>]> = [
        ['getAgent', () => dir().getAgent('acme', 'alice')],
        ['getAgent', () => dir().getAgent('acme', 'nobody')],
        ['agentByExtension', () => dir().agentByExtension('acme', '201')],
        ['agentByExtension', () => dir().agentByExtension('acme', '999')],
        ['deviceOwner', () => dir().deviceOwner('acme', MAC_A)],
        ['helplineByNumber', () => dir().helplineByNumber('acme', '5000')],
        ['contactByNumber', () => dir().contactByNumber('acme', '+923001234567')],
        ['contactByNumber', () => dir().contactByNumber('acme', '+15550000000')],
        ['listAgents', () => dir().listAgents('acme')],
        ['listHelplines', () => dir().listHelplines('acme')],
      ];
      const first = [];
      for (const [, read] of reads) first.push(await read());
      const before = new Map(reads.map(([method]) => [method, calls(method)]));
      const second = [];
      for (const [, read] of reads) second.push(await read());
      expect(second).toEqual(first);
      for (const [method, count] of before) expect({ method, calls: calls(method) }).toEqual({ method, calls: count });
      expect(first[1]).toBeNull();
      expect(first[3]).toBeNull();
      expect(first[4]).toBe('alice');
      expect(first[7]).toBeNull();
      await dir().listDispositions('acme');
      await dir().dropdown('acme', 'dispositions');
      await dir().listDispositions('acme');
      await dir().dropdown('acme', 'dispositions');
      expect(h.proc.dispositions.calls('list')).toBe(2);
    });

    it('shows every write on the next read: agents, extensions, phones, helplines, contacts, lists and drop-downs', async () => {
      await dir().upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '201' });
      await dir().upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '202' });
      await dir().bindDevice('acme', MAC_A, 'alice');
      await dir().upsertHelpline('acme', { number: '5000', name: 'Sales', agents: ['alice'] });
      await dir().upsertContact('acme', { number: '+923001234567', name: 'Zara', company: null, notes: null, crmUrl: null });
      const snapshot = async () => ({
        alice: await dir().getAgent('acme', 'alice'),
        ext201: (await dir().agentByExtension('acme', '201'))?.id ?? null,
        ext203: (await dir().agentByExtension('acme', '203'))?.id ?? null,
        owner: await dir().deviceOwner('acme', MAC_A),
        helpline: await dir().helplineByNumber('acme', '5000'),
        contact: (await dir().contactByNumber('acme', '0092 300 1234567'))?.name ?? null,
        agents: (await dir().listAgents('acme')).map((a) => `${a.id}:${a.name}`),
        helplines: await dir().dropdown('acme', 'helplines'),
        agentChoices: await dir().dropdown('acme', 'agents'),
      });
      expect(await snapshot()).toMatchObject({ ext201: 'alice', ext203: null, owner: 'alice', contact: 'Zara', agents: ['alice:Alice', 'bob:Bob'] });

      await dir().upsertAgent('acme', { id: 'alice', name: 'Alice Smith', extension: '203' });
      await dir().bindDevice('acme', MAC_A, 'bob');
      await dir().upsertHelpline('acme', { number: '5000', name: 'Support', agents: ['bob'] });
      await dir().upsertContact('acme', { number: '+923001234567', name: 'Zara Khan', company: null, notes: null, crmUrl: null });
      const after = await snapshot();
      expect(after).toMatchObject({
        alice: { name: 'Alice Smith', extension: '203', devices: [] },
        ext201: null, ext203: 'alice', owner: 'bob',
        helpline: { name: 'Support', agents: ['bob'] },
        contact: 'Zara Khan',
        agents: ['alice:Alice Smith', 'bob:Bob'],
        helplines: [{ value: '5000', label: 'Support (5000)' }],
        agentChoices: [{ value: 'alice', label: 'Alice Smith (203)' }, { value: 'bob', label: 'Bob (202)' }],
      });

      await dir().removeDevice('acme', MAC_A);
      await dir().removeHelpline('acme', '5000');
      await dir().removeContact('acme', '+923001234567');
      await dir().removeAgent('acme', 'alice');
      expect(await snapshot()).toMatchObject({
        alice: null, ext203: null, owner: null, helpline: null, contact: null, agents: ['bob:Bob'], helplines: [], agentChoices: [{ value: 'bob', label: 'Bob (202)' }],
      });

      const imported = await dir().importContactsCsv('acme', 'number,name\n+923001234567,Zara Imported\n');
      expect(imported.imported).toBe(1);
      expect((await dir().contactByNumber('acme', '0092 300 1234567'))?.name).toBe('Zara Imported');

      expect(await dir().listDispositions('acme')).toEqual(DEFAULT_DISPOSITIONS);
      await dir().setDispositions('acme', [{ code: 'sold', label: 'Sold' }]);
      expect(await dir().listDispositions('acme')).toEqual([{ code: 'sold', label: 'Sold' }]);
      expect(await dir().dropdown('acme', 'dispositions')).toEqual([{ value: 'sold', label: 'Sold' }]);
    });

    it('tells its listeners Create, Update, Delete and Sync by the time the write returns', async () => {
      const kinds = (): CacheEventKind[] => h.proc.notices.flatMap((n) => (n.type === 'event' ? [n.event.kind] : []));
      await dir().upsertAgent('acme', { id: 'alice', name: 'Alice' });
      expect(kinds()).toEqual(['Create']);
      await dir().upsertAgent('acme', { id: 'alice', name: 'Alice Smith' });
      expect(kinds()).toEqual(['Create', 'Update']);
      await dir().removeAgent('acme', 'alice');
      expect(kinds()).toEqual(['Create', 'Update', 'Delete']);
      expect(await dir().removeAgent('acme', 'alice')).toBe(false);
      await dir().importContactsCsv('acme', 'number,name\n+923001234567,Zara\n');
      expect(kinds()).toEqual(['Create', 'Update', 'Delete', 'Sync']);
      const last = h.proc.notices.at(-1)!;
      expect(last).toMatchObject({ type: 'event', event: { account: 'acme', entity: 'contact', scopes: ['contacts'] } });
    });

    it("passes the source's refusal through unchanged and announces nothing for it (extension vs helpline)", async () => {
      await dir().upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '201' });
      await dir().upsertHelpline('acme', { number: '5000', name: 'Sales' });
      // Cached before the refused writes: a refusal must leave them cached (nothing was invalidated).
      expect((await dir().getAgent('acme', 'alice'))?.extension).toBe('201');
      expect(await dir().helplineByNumber('acme', '201')).toBeNull();
      const noticesBefore = h.proc.notices.length;
      const readsBefore = calls('getAgent') + calls('helplineByNumber');

      await expect(dir().upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '5000' })).rejects.toMatchObject({
        name: 'DirectoryError', code: 'extension_is_helpline', message: 'extension 5000 is a helpline number; calls to it would never reach the agent directly',
      });
      await expect(dir().upsertHelpline('acme', { number: '201', name: 'Support' })).rejects.toMatchObject({
        name: 'DirectoryError', code: 'extension_is_helpline', message: '201 is the extension of agent alice; a helpline needs a number of its own',
      });
      await h.proc.cache.idle();
      expect(h.proc.notices.length).toBe(noticesBefore);
      const writeReads = calls('getAgent') + calls('helplineByNumber') - readsBefore;
      expect((await dir().getAgent('acme', 'alice'))?.extension).toBe('201');
      expect(await dir().helplineByNumber('acme', '201')).toBeNull();
      // Still served from the cache: the reads above did not reach the source.
      expect(calls('getAgent') + calls('helplineByNumber') - readsBefore).toBe(writeReads);
    });

    it('never keeps what a read loaded before a write that returned first', async () => {
      await dir().upsertAgent('acme', { id: 'alice', name: 'Old' });
      const held = h.proc.source.hold('getAgent');
      const racing = dir().getAgent('acme', 'alice');
      await held.reached();
      await dir().upsertAgent('acme', { id: 'alice', name: 'New' });
      held.release();
      expect((await racing)?.name).toBe('Old');
      await h.proc.cache.idle();
      expect((await dir().getAgent('acme', 'alice'))?.name).toBe('New');
      expect((await dir().getAgent('acme', 'alice'))?.name).toBe('New');
    });

    it('reads a batch with one source read for what the cache lacks', async () => {
      await dir().upsertAgent('acme', { id: 'alice', name: 'Alice' });
      await dir().upsertAgent('acme', { id: 'bob', name: 'Bob' });
      await dir().getAgent('acme', 'alice');
      const before = calls('getAgent');
      const batch = await dir().getAgents('acme', ['alice', 'bob', 'nobody', 'bob']);
      expect([...batch].map(([id, agent]) => [id, agent?.name ?? null])).toEqual([['alice', 'Alice'], ['bob', 'Bob'], ['nobody', null]]);
      expect(calls('getAgent') - before).toBe(2);
      const again = await dir().getAgents('acme', ['alice', 'bob', 'nobody']);
      expect([...again.values()].map((a) => a?.name ?? null)).toEqual(['Alice', 'Bob', null]);
      expect(calls('getAgent') - before).toBe(2);
    });

    it('keeps short-lived reads out of the local layer, and synchronous lookups in it', async () => {
      let loads = 0;
      const value = await h.proc.cache.getDirect('agent', 'acme', 'direct', () => {
        loads += 1;
        return { id: 'direct' };
      });
      expect(value).toEqual({ id: 'direct' });
      expect(loads).toBe(1);
      expect(h.proc.cache.peek('agent', 'acme', 'direct')).toBeUndefined();

      await dir().upsertContact('acme', { number: '+923001234567', name: 'Zara', company: null, notes: null, crmUrl: null });
      expect((await dir().contactByNumber('acme', '+923001234567'))?.name).toBe('Zara');
      expect(h.proc.cache.peek('contact', 'acme', '+923001234567')).toMatchObject({ name: 'Zara' });
      const before = h.proc.source.calls('contactByNumber');
      expect((await dir().contactByNumber('acme', '+923001234567'))?.name).toBe('Zara');
      expect(h.proc.source.calls('contactByNumber')).toBe(before);
      await dir().upsertContact('acme', { number: '+923001234567', name: 'Zara Khan', company: null, notes: null, crmUrl: null });
      expect((await dir().contactByNumber('acme', '+923001234567'))?.name).toBe('Zara Khan');
    });

    it('passes device health, control settings and contact search through uncached', async () => {
      await dir().upsertAgent('acme', { id: 'alice', name: 'Alice', devices: [MAC_A] });
      await dir().recordDeviceEvent('acme', { mac: MAC_A, ip: '10.0.0.5', event: 'registered', at: 1 });
      expect((await dir().listDevices('acme'))[0]).toMatchObject({ ip: '10.0.0.5', registered: true });
      await dir().recordDeviceEvent('acme', { mac: MAC_A, ip: '10.0.0.6', event: 'unregistered', at: 2 });
      expect((await dir().listDevices('acme'))[0]).toMatchObject({ ip: '10.0.0.6', registered: false });
      await dir().setDeviceControl('acme', MAC_A, { password: 'secret' });
      expect((await dir().deviceControl('acme', MAC_A))?.password).toBe('secret');
      // A phone first seen through its events has no owner, as before.
      await dir().recordDeviceEvent('acme', { mac: MAC_B, ip: null, event: 'incoming', at: 3 });
      expect(await dir().deviceOwner('acme', MAC_B)).toBeNull();
      await dir().upsertContact('acme', { number: '+923001234567', name: 'Zara', company: 'Acme', notes: null, crmUrl: null });
      expect((await dir().searchContacts('acme', 'acme')).map((c) => c.name)).toEqual(['Zara']);
    });

    it("keeps tenants apart: the same ids in two accounts never meet, and one account's write leaves the other's entries", async () => {
      await dir().upsertAgent('acme', { id: 'alice', name: 'Alice of Acme', extension: '201', devices: [MAC_A] });
      await dir().upsertAgent('globex', { id: 'alice', name: 'Alice of Globex', extension: '201' });
      await dir().upsertAgent('globex', { id: 'bob', name: 'Bob of Globex', devices: [MAC_A] });
      await dir().upsertContact('acme', { number: '+923001234567', name: 'Acme Zara', company: null, notes: null, crmUrl: null });
      const read = async () => [
        (await dir().getAgent('acme', 'alice'))?.name, (await dir().getAgent('globex', 'alice'))?.name,
        (await dir().agentByExtension('globex', '201'))?.name, await dir().deviceOwner('acme', MAC_A), await dir().deviceOwner('globex', MAC_A),
        (await dir().contactByNumber('acme', '+923001234567'))?.name ?? null, (await dir().contactByNumber('globex', '+923001234567'))?.name ?? null,
        (await dir().listAgents('globex')).map((a) => a.id),
      ];
      const expected = ['Alice of Acme', 'Alice of Globex', 'Alice of Globex', 'alice', 'bob', 'Acme Zara', null, ['alice', 'bob']];
      expect(await read()).toEqual(expected);
      expect(await read()).toEqual(expected);
      await dir().upsertAgent('acme', { id: 'carol', name: 'Carol' });
      const globexReads = calls('getAgent');
      expect((await dir().getAgent('globex', 'alice'))?.name).toBe('Alice of Globex');
      expect(calls('getAgent')).toBe(globexReads);
      for (const bad of ['', 'a{b}', 'a}b', 'a:b', 'a b']) {
        await expect(dir().getAgent(bad, 'alice')).rejects.toThrow(/Account unusable/);
        expect(() => h.proc.cache.peek('agent', bad, 'alice')).toThrow(/Account unusable/);
      }
    });

    it('lets local entries expire after their TTL (60 s), and refreshes lists older than their refresh time', async () => {
      await dir().upsertAgent('acme', { id: 'alice', name: 'Alice' });
      await dir().getAgent('acme', 'alice');
      await dir().listAgents('acme');
      await h.proc.cache.idle();
      h.advance(59_000);
      expect(h.proc.cache.peek('agent', 'acme', 'alice')).toMatchObject({ name: 'Alice' });
      h.advance(2_000);
      expect(h.proc.cache.peek('agent', 'acme', 'alice')).toBeUndefined();
      expect((await dir().getAgent('acme', 'alice'))?.name).toBe('Alice');

      // Changed behind the cache's back (no invalidation): seen once the list's refresh time (45 min) has passed.
      await h.proc.source.target.upsertAgent('acme', { id: 'bob', name: 'Bob' });
      h.advance(46 * 60_000);
      await dir().listAgents('acme');
      await h.proc.cache.idle();
      expect((await dir().listAgents('acme')).map((a) => a.id)).toEqual(['alice', 'bob']);
    });

    it('hands out frozen values: a caller cannot change a cached entry for everyone', async () => {
      await dir().upsertAgent('acme', { id: 'alice', name: 'Alice', devices: [MAC_A] });
      const agent = (await dir().getAgent('acme', 'alice'))!;
      expect(() => agent.devices.push(MAC_B)).toThrow(TypeError);
      expect((await dir().getAgent('acme', 'alice'))!.devices).toEqual([MAC_A]);
    });
  });
}
