import { describe, expect, it } from 'vitest';
import { describeDirectoryCacheContract } from '../cacheContract';
import { embeddedSetup } from './support';

describeDirectoryCacheContract('embedded (local layer over SQLite)', async () => {
  const setup = embeddedSetup();
  return { proc: setup.open(), advance: setup.clock.advance, cleanup: setup.cleanup };
});

describe('embedded directory cache (adapter specifics)', () => {
  it('clears its local layer when another process commits to the shared SQLite file', async () => {
    const setup = embeddedSetup();
    try {
      const a = setup.open();
      const b = setup.open();
      await a.directory.upsertAgent('acme', { id: 'alice', name: 'Alice' });
      expect((await b.directory.getAgent('acme', 'alice'))?.name).toBe('Alice');
      await a.directory.upsertAgent('acme', { id: 'alice', name: 'Alice Smith' });
      expect((await b.directory.getAgent('acme', 'alice'))?.name).toBe('Alice Smith');
      expect(b.notices).toContainEqual({ type: 'reset', reason: 'source-changed' });
      // Its own writes do not clear it.
      const resets = b.notices.length;
      await b.directory.getAgent('acme', 'alice');
      await b.directory.upsertAgent('acme', { id: 'bob', name: 'Bob' });
      await b.directory.getAgent('acme', 'alice');
      expect(b.notices.slice(resets).filter((n) => n.type === 'reset')).toEqual([]);
    } finally {
      await setup.cleanup();
    }
  });
});
