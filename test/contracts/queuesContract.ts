import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueueItem, Queues } from '../../src/domain/queues/Queues';

export interface QueuesHarness {
  queues: Queues;
  /** A second adapter on the same storage and its own connection: another process. */
  other: () => Queues;
  cleanup: () => Promise<void>;
}

const item = (id: string, score: number, audience: string[] | null = null, data: Record<string, unknown> = {}): QueueItem => ({ id, score, data, audience });
const ids = (items: Array<QueueItem | null>) => items.map((i) => i?.id ?? null);

/** The behaviour every Queues adapter must have (SqliteQueues, RedisQueues). */
export function describeQueuesContract(name: string, factory: () => Promise<QueuesHarness>): void {
  describe(`Queues contract: ${name}`, () => {
    let h: QueuesHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('pops lowest score first, equal scores by id; peek leaves the item; an id is queued once', async () => {
      const { queues } = h;
      expect(await queues.add('acme', 'callback', item('c', 30, null, { remote: '+1555' }))).toBe(true);
      expect(await queues.add('acme', 'callback', item('b', 10))).toBe(true);
      expect(await queues.add('acme', 'callback', item('a', 10))).toBe(true);
      expect(await queues.add('acme', 'callback', item('c', 1, null, { remote: 'other' }))).toBe(false);
      expect(await queues.length('acme', 'callback')).toBe(3);
      expect(await queues.peek('acme', 'callback')).toEqual(item('a', 10));
      expect(await queues.length('acme', 'callback')).toBe(3);
      expect((await queues.items('acme', 'callback')).map((i) => [i.id, i.score])).toEqual([['a', 10], ['b', 10], ['c', 30]]);
      expect(ids([await queues.pop('acme', 'callback'), await queues.pop('acme', 'callback')])).toEqual(['a', 'b']);
      expect(await queues.pop('acme', 'callback')).toEqual(item('c', 30, null, { remote: '+1555' }));
      expect(await queues.pop('acme', 'callback')).toBeNull();
      expect(await queues.peek('acme', 'callback')).toBeNull();
      expect(await queues.length('acme', 'callback')).toBe(0);
    });

    it('a member takes only the items meant for it or for anyone; without a member, the first item', async () => {
      const { queues } = h;
      await queues.add('acme', 'callback', item('for-bob', 1, ['bob']));
      await queues.add('acme', 'callback', item('for-alice-and-bob', 2, ['alice', 'bob']));
      await queues.add('acme', 'callback', item('anyone', 3));
      expect((await queues.peek('acme', 'callback', { member: 'carol' }))?.id).toBe('anyone');
      expect(await queues.pop('acme', 'callback', { member: 'alice' })).toEqual(item('for-alice-and-bob', 2, ['alice', 'bob']));
      expect((await queues.pop('acme', 'callback', { member: 'alice' }))?.id).toBe('anyone');
      expect(await queues.pop('acme', 'callback', { member: 'alice' })).toBeNull();
      expect(await queues.pop('acme', 'callback', { member: 'carol' })).toBeNull();
      expect((await queues.pop('acme', 'callback'))?.id).toBe('for-bob');
    });

    it('a taker known by several names (an agent and its helplines) takes the items meant for any of them', async () => {
      const { queues } = h;
      await queues.add('acme', 'callback', item('helpline-700', 1, ['bob', 'helpline:700']));
      await queues.add('acme', 'callback', item('helpline-600', 2, ['bob', 'helpline:600']));
      await queues.add('acme', 'callback', item('for-alice', 3, ['alice']));
      await queues.add('acme', 'callback', item('anyone', 4));
      const alice = { members: ['alice', 'helpline:600'] };
      expect((await queues.peek('acme', 'callback', alice))?.id).toBe('helpline-600');
      expect(ids([await queues.pop('acme', 'callback', alice), await queues.pop('acme', 'callback', alice), await queues.pop('acme', 'callback', alice)]))
        .toEqual(['helpline-600', 'for-alice', 'anyone']);
      expect(await queues.pop('acme', 'callback', alice)).toBeNull();
      // No names: only what is for anyone (nothing is left of that); `member` and `members` together count both.
      expect(await queues.pop('acme', 'callback', { members: [] })).toBeNull();
      expect((await queues.pop('acme', 'callback', { member: 'carol', members: ['helpline:700'] }))?.id).toBe('helpline-700');
    });

    it('remove takes an item out wherever it is', async () => {
      const { queues } = h;
      for (const [i, id] of ['a', 'b', 'c'].entries()) await queues.add('acme', 'q', item(id, i));
      expect(await queues.remove('acme', 'q', 'b')).toBe(true);
      expect(await queues.remove('acme', 'q', 'b')).toBe(false);
      expect(await queues.remove('acme', 'q', 'zzz')).toBe(false);
      expect((await queues.items('acme', 'q')).map((i) => i.id)).toEqual(['a', 'c']);
      // Removed, then added again: a new item with its new score.
      expect(await queues.add('acme', 'q', item('b', 9))).toBe(true);
      expect((await queues.items('acme', 'q')).map((i) => i.id)).toEqual(['a', 'c', 'b']);
    });

    it('queues:meta keeps the first description of each queue, per account', async () => {
      const { queues } = h;
      expect(await queues.define('acme', { name: 'callback', description: 'missed calls', createdAt: 5 })).toEqual({ name: 'callback', description: 'missed calls', createdAt: 5 });
      expect(await queues.define('acme', { name: 'callback', description: 'other', createdAt: 9 })).toEqual({ name: 'callback', description: 'missed calls', createdAt: 5 });
      await queues.define('acme', { name: 'billing', description: 'billing', createdAt: 7 });
      await queues.define('globex', { name: 'callback', description: 'globex missed calls', createdAt: 8 });
      expect((await queues.queues('acme')).map((q) => q.name)).toEqual(['billing', 'callback']);
      expect(await queues.queues('globex')).toEqual([{ name: 'callback', description: 'globex missed calls', createdAt: 8 }]);
      expect(await queues.queues('initech')).toEqual([]);
    });

    it('accounts and queues are apart, even with the same names and ids', async () => {
      const { queues } = h;
      await queues.add('acme', 'callback', item('call-1', 1, ['alice']));
      await queues.add('globex', 'callback', item('call-1', 2, ['alice']));
      await queues.add('acme', 'other', item('call-1', 3));
      expect(await queues.pop('acme', 'callback', { member: 'alice' })).toEqual(item('call-1', 1, ['alice']));
      expect(await queues.pop('acme', 'callback', { member: 'alice' })).toBeNull();
      expect(await queues.remove('acme', 'callback', 'call-1')).toBe(false);
      expect(await queues.items('globex', 'callback')).toEqual([item('call-1', 2, ['alice'])]);
      expect(await queues.length('acme', 'other')).toBe(1);
    });

    it('refuses names that cannot be keys, items without an id, a finite score or anyone to take them', async () => {
      const { queues } = h;
      await expect(queues.add('acme', 'call:back', item('a', 1))).rejects.toThrow(/queue name/);
      await expect(queues.pop('acme', '', {})).rejects.toThrow(/queue name/);
      await expect(queues.add('acme', 'q', item('', 1))).rejects.toThrow(/id/);
      await expect(queues.add('acme', 'q', item('a', Number.POSITIVE_INFINITY))).rejects.toThrow(/score/);
      await expect(queues.add('acme', 'q', item('a', 1, []))).rejects.toThrow(/audience/);
      expect(await queues.length('acme', 'q')).toBe(0);
    });

    it('behaves like a sorted map for any sequence of add, pop, peek and remove', async () => {
      const members = ['alice', 'bob'];
      const op = fc.oneof(
        fc.record({ kind: fc.constant('add' as const), id: fc.constantFrom('a', 'b', 'c', 'd', 'e'), score: fc.integer({ min: 0, max: 4 }), audience: fc.option(fc.subarray(members, { minLength: 1 }), { nil: null }) }),
        fc.record({ kind: fc.constantFrom('pop' as const, 'peek' as const), member: fc.option(fc.constantFrom(...members, 'carol'), { nil: undefined }) }),
        fc.record({ kind: fc.constant('remove' as const), id: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
      );
      let run = 0;
      await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const queue = `prop-${run++}`;
        const model = new Map<string, QueueItem>();
        const first = (member: string | undefined) => [...model.values()]
          .filter((i) => member === undefined || i.audience === null || i.audience.includes(member))
          .sort((x, y) => x.score - y.score || (x.id < y.id ? -1 : 1))[0] ?? null;
        for (const o of ops) {
          if (o.kind === 'add') {
            const added = !model.has(o.id);
            if (added) model.set(o.id, item(o.id, o.score, o.audience));
            expect(await h.queues.add('acme', queue, item(o.id, o.score, o.audience))).toBe(added);
          } else if (o.kind === 'remove') {
            expect(await h.queues.remove('acme', queue, o.id)).toBe(model.delete(o.id));
          } else {
            const expected = first(o.member);
            const options = o.member === undefined ? {} : { member: o.member };
            const got = o.kind === 'pop' ? await h.queues.pop('acme', queue, options) : await h.queues.peek('acme', queue, options);
            expect(got).toEqual(expected);
            if (o.kind === 'pop' && expected) model.delete(expected.id);
          }
          expect(await h.queues.length('acme', queue)).toBe(model.size);
        }
      }), { numRuns: 40 });
    });

    it('concurrent takers on two connections, any items and audiences: no item twice, none to a taker it is not for, and what is left is for nobody there', async () => {
      const other = h.other();
      const members = ['alice', 'bob', 'carol'];
      const scenario = fc.record({
        items: fc.array(fc.record({ score: fc.integer({ min: 0, max: 5 }), audience: fc.option(fc.subarray(members, { minLength: 1 }), { nil: null }) }), { maxLength: 40 }),
        takers: fc.array(fc.record({ second: fc.boolean(), member: fc.option(fc.constantFrom(...members), { nil: undefined }) }), { minLength: 1, maxLength: 6 }),
      });
      let run = 0;
      await fc.assert(fc.asyncProperty(scenario, async ({ items, takers }) => {
        const queue = `race-${run++}`;
        for (const [i, it] of items.entries()) await h.queues.add('acme', queue, item(`i${i}`, it.score, it.audience));
        const results = await Promise.all(takers.map(async (taker) => {
          const queues = taker.second ? other : h.queues;
          const options = taker.member === undefined ? {} : { member: taker.member };
          const got: QueueItem[] = [];
          for (let next = await queues.pop('acme', queue, options); next; next = await queues.pop('acme', queue, options)) got.push(next);
          return got;
        }));
        const taken = results.flat().map((i) => i.id);
        expect(new Set(taken).size).toBe(taken.length);
        results.forEach((got, t) => {
          const member = takers[t]!.member;
          for (const i of got) expect(member === undefined || i.audience === null || i.audience.includes(member)).toBe(true);
        });
        const left = await h.queues.items('acme', queue);
        expect(left.length + taken.length).toBe(items.length);
        for (const i of left) expect(takers.some((t) => t.member === undefined || i.audience === null || i.audience.includes(t.member))).toBe(false);
      }), { numRuns: 25 });
    });

    it('many concurrent pops on two connections never return one item twice, and return every item', async () => {
      const other = h.other();
      const count = 300;
      for (let i = 0; i < count; i++) await h.queues.add('acme', 'callback', item(`call-${String(i).padStart(3, '0')}`, 1_000 + (i % 7), i % 3 === 0 ? ['alice'] : null));
      const taker = async (queues: Queues, member: string | undefined) => {
        const got: string[] = [];
        for (let next = await queues.pop('acme', 'callback', member ? { member } : {}); next; next = await queues.pop('acme', 'callback', member ? { member } : {})) got.push(next.id);
        return got;
      };
      // Eight takers per connection, popping as fast as they can: alice may take everything, bob only the items for anyone.
      const results = await Promise.all([
        ...Array.from({ length: 8 }, (_, i) => taker(h.queues, i % 2 === 0 ? 'alice' : 'bob')),
        ...Array.from({ length: 8 }, (_, i) => taker(other, i % 2 === 0 ? 'bob' : undefined)),
      ]);
      const taken = results.flat();
      expect(taken).toHaveLength(count);
      expect(new Set(taken).size).toBe(count);
      expect(await h.queues.length('acme', 'callback')).toBe(0);
      // bob (takers 1, 3, ... and the other connection's even ones) never got an item meant for alice only.
      const bobs = [...results.slice(0, 8).filter((_, i) => i % 2 === 1), ...results.slice(8).filter((_, i) => i % 2 === 0)].flat();
      expect(bobs.filter((id) => Number(id.slice(5)) % 3 === 0)).toEqual([]);
    });
  });
}
