import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../../../src/domain/directory/errors';
import { sharedSetup, type CacheProcess, type SharedSetup } from '../../../contracts/cache/support';

/**
 * Two processes (two caches on connections of their own, two SQLite connections to one file,
 * as in an office): an edit on one is seen by the other's next read, with no stale read once the
 * edit returned, whatever each had cached before.
 */
describe('directory cache across two processes', () => {
  let setup: SharedSetup;
  let a: CacheProcess;
  let b: CacheProcess;
  beforeEach(async () => {
    setup = sharedSetup();
    a = await setup.open('a');
    b = await setup.open('b');
  });
  afterEach(async () => {
    await setup.cleanup();
  });

  it("sees an edit made by the other process on its next read, although it had the old value in both layers", async () => {
    await a.directory.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '201' });
    await a.directory.upsertContact('acme', { number: '+923001234567', name: 'Zara', company: null, notes: null, crmUrl: null });
    expect((await b.directory.getAgent('acme', 'alice'))?.name).toBe('Alice');
    expect((await b.directory.contactByNumber('acme', '+923001234567'))?.name).toBe('Zara');
    expect((await b.directory.dropdown('acme', 'agents'))).toEqual([{ value: 'alice', label: 'Alice (201)' }]);
    await b.cache.idle();
    expect(b.cache.peek('agent', 'acme', 'alice')).toMatchObject({ name: 'Alice' });

    await a.directory.upsertAgent('acme', { id: 'alice', name: 'Alice Smith', extension: '202' });
    // The write returned: b has already dropped its entry (it acknowledged), and Redis no longer has it.
    expect(b.cache.peek('agent', 'acme', 'alice')).toBeUndefined();
    expect((await b.directory.getAgent('acme', 'alice'))?.name).toBe('Alice Smith');
    expect((await b.directory.agentByExtension('acme', '201'))).toBeNull();
    expect((await b.directory.dropdown('acme', 'agents'))).toEqual([{ value: 'alice', label: 'Alice Smith (202)' }]);
    expect(b.notices).toContainEqual(expect.objectContaining({ type: 'event', event: expect.objectContaining({ kind: 'Update', entity: 'agent', node: a.cache.node }) }));

    await b.directory.upsertContact('acme', { number: '+923001234567', name: 'Zara Khan', company: null, notes: null, crmUrl: null });
    expect((await a.directory.contactByNumber('acme', '0092 300 1234567'))?.name).toBe('Zara Khan');
  });

  it("never lets a read that loaded the old value before the other's write put it back in Redis", async () => {
    await a.directory.upsertAgent('acme', { id: 'alice', name: 'Old' });
    const held = b.source.hold('getAgent');
    const racing = b.directory.getAgent('acme', 'alice');
    await held.reached();
    await a.directory.upsertAgent('acme', { id: 'alice', name: 'New' });
    held.release();
    expect((await racing)?.name).toBe('Old');
    await b.cache.idle();
    expect(await setup.admin.hget(`${setup.root}:account:{acme}:agents:by_id`, 'alice')).toBeNull();
    const c = await setup.open('c');
    expect((await c.directory.getAgent('acme', 'alice'))?.name).toBe('New');
    expect((await b.directory.getAgent('acme', 'alice'))?.name).toBe('New');
  });

  it('agrees with a model of the directory after every step of any interleaving of edits and reads on both', async () => {
    type Step =
      | { op: 'upsert'; by: 0 | 1; agent: 0 | 1; name: string; ext: 0 | 1 | null }
      | { op: 'remove'; by: 0 | 1; agent: 0 | 1 }
      | { op: 'race'; by: 0 | 1; agent: 0 | 1; name: string }
      | { op: 'read'; by: 0 | 1 };
    const by = fc.constantFrom<0 | 1>(0, 1);
    const agent = fc.constantFrom<0 | 1>(0, 1);
    const name = fc.constantFrom('Ann', 'Ben', 'Cy', 'Di');
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ op: fc.constant('upsert' as const), by, agent, name, ext: fc.constantFrom<0 | 1 | null>(0, 1, null) }),
      fc.record({ op: fc.constant('remove' as const), by, agent }),
      fc.record({ op: fc.constant('race' as const), by, agent, name }),
      fc.record({ op: fc.constant('read' as const), by }),
    );
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
      run += 1;
      const ids = [`x${run}`, `y${run}`];
      // Each agent has extensions of its own, so no upsert is refused for a taken extension.
      const extOf = (agentIndex: number, ext: number) => `${run}${agentIndex}${ext}`;
      const model = new Map<string, { name: string; extension: string | null }>();
      const procs = [a, b];
      const check = async () => {
        for (const proc of procs) {
          for (const id of ids) {
            const got = await proc.directory.getAgent('acme', id);
            expect(got === null ? null : { name: got.name, extension: got.extension }).toEqual(model.get(id) ?? null);
          }
          for (const [i, id] of ids.entries()) {
            for (const ext of [0, 1]) {
              const holder = await proc.directory.agentByExtension('acme', extOf(i, ext));
              expect(holder?.id ?? null).toBe(model.get(id)?.extension === extOf(i, ext) ? id : null);
            }
          }
          const listed = (await proc.directory.listAgents('acme')).filter((x) => ids.includes(x.id)).map((x) => `${x.id}:${x.name}`);
          expect(listed).toEqual(ids.filter((id) => model.has(id)).map((id) => `${id}:${model.get(id)!.name}`));
        }
      };
      for (const s of steps) {
        const writer = procs[s.by]!.directory;
        const other = procs[1 - s.by]!.directory;
        const id = ids[s.op === 'read' ? 0 : s.agent]!;
        if (s.op === 'upsert') {
          const extension = s.ext === null ? null : extOf(s.agent, s.ext);
          await writer.upsertAgent('acme', { id, name: s.name, extension });
          model.set(id, { name: s.name, extension });
        } else if (s.op === 'remove') {
          expect(await writer.removeAgent('acme', id)).toBe(model.delete(id));
        } else if (s.op === 'race') {
          // A read on the other process while the write is under way may see either value; the next may not.
          const [seen] = await Promise.all([other.getAgent('acme', id), writer.upsertAgent('acme', { id, name: s.name })]);
          expect([model.get(id)?.name ?? null, s.name]).toContain(seen?.name ?? null);
          model.set(id, { name: s.name, extension: model.get(id)?.extension ?? null });
        }
        await check();
      }
    }), { numRuns: 20 });
  });

  it('refuses an extension another agent holds whichever process cached the holder', async () => {
    await a.directory.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '201' });
    expect((await b.directory.agentByExtension('acme', '201'))?.id).toBe('alice');
    await expect(b.directory.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '201' })).rejects.toBeInstanceOf(DirectoryError);
    await a.directory.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: null });
    await b.directory.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '201' });
    expect((await a.directory.agentByExtension('acme', '201'))?.id).toBe('bob');
  });
});
