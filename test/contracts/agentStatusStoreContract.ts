import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStatusEntry, AgentStatusStore } from '../../src/domain/presence/AgentStatusStore';

export interface AgentStatusStoreHarness {
  store: AgentStatusStore;
  cleanup: () => Promise<void>;
}

const T0 = 1_750_000_000_000;

const entry = (agent: string, status: AgentStatusEntry['status'], more: Partial<AgentStatusEntry> = {}): AgentStatusEntry => ({
  agent, name: `Agent ${agent}`, status, manual: status === 'away' || status === 'dnd' ? status : 'available', phoneDnd: false, ...more,
});

/** The behaviour every AgentStatusStore adapter must have (InProcessAgentStatusStore, RedisAgentStatusStore). */
export function describeAgentStatusStoreContract(name: string, factory: () => Promise<AgentStatusStoreHarness>): void {
  describe(`AgentStatusStore contract: ${name}`, () => {
    let h: AgentStatusStoreHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('a recorded picture answers every view: status, registered, available, connected, names', async () => {
      await h.store.record('acme', [
        entry('carol', 'offline'), entry('alice', 'available'), entry('bob', 'on_call'), entry('dave', 'dnd', { phoneDnd: true, manual: 'available' }),
      ], T0);
      expect(await h.store.get('acme', 'dave')).toEqual({ agent: 'dave', name: 'Agent dave', status: 'dnd', manual: 'available', phoneDnd: true, since: T0, at: T0 });
      expect((await h.store.list('acme')).map((s) => [s.agent, s.status])).toEqual([['alice', 'available'], ['bob', 'on_call'], ['carol', 'offline'], ['dave', 'dnd']]);
      expect(await h.store.registered('acme')).toEqual(['alice', 'bob', 'carol', 'dave']);
      expect(await h.store.available('acme')).toEqual(['alice']);
      expect(await h.store.connected('acme')).toEqual(['alice', 'bob', 'dave']);
      expect(await h.store.names('acme')).toEqual({ alice: 'Agent alice', bob: 'Agent bob', carol: 'Agent carol', dave: 'Agent dave' });
      expect(await h.store.get('acme', 'erin')).toBeNull();
    });

    it('keeps `since` while a status holds and moves it when the status changes', async () => {
      await h.store.record('acme', [entry('alice', 'available'), entry('bob', 'away')], T0);
      await h.store.record('acme', [entry('alice', 'available', { name: 'Alice' }), entry('bob', 'on_call', { manual: 'away' })], T0 + 5_000);
      expect(await h.store.get('acme', 'alice')).toMatchObject({ name: 'Alice', status: 'available', since: T0, at: T0 + 5_000 });
      expect(await h.store.get('acme', 'bob')).toMatchObject({ status: 'on_call', since: T0 + 5_000, at: T0 + 5_000 });
      expect(await h.store.names('acme')).toEqual({ alice: 'Alice', bob: 'Agent bob' });
    });

    it('agents missing from the next picture are forgotten everywhere', async () => {
      await h.store.record('acme', [entry('alice', 'available'), entry('bob', 'available')], T0);
      await h.store.record('acme', [entry('alice', 'away')], T0 + 1);
      expect(await h.store.get('acme', 'bob')).toBeNull();
      expect(await h.store.registered('acme')).toEqual(['alice']);
      expect(await h.store.available('acme')).toEqual([]);
      expect(await h.store.connected('acme')).toEqual(['alice']);
      expect(await h.store.names('acme')).toEqual({ alice: 'Agent alice' });
      await h.store.record('acme', [], T0 + 2);
      expect(await h.store.list('acme')).toEqual([]);
      expect(await h.store.registered('acme')).toEqual([]);
      expect(await h.store.names('acme')).toEqual({});
    });

    it('accounts are apart, even for the same agent ids', async () => {
      await h.store.record('acme', [entry('alice', 'available', { name: 'Alice of Acme' })], T0);
      await h.store.record('globex', [entry('alice', 'offline', { name: 'Alice of Globex' }), entry('gina', 'available')], T0);
      await h.store.record('acme', [entry('alice', 'on_call', { name: 'Alice of Acme' })], T0 + 1);
      expect(await h.store.get('globex', 'alice')).toMatchObject({ name: 'Alice of Globex', status: 'offline', since: T0 });
      expect(await h.store.available('globex')).toEqual(['gina']);
      expect(await h.store.available('acme')).toEqual([]);
      expect(await h.store.registered('acme')).toEqual(['alice']);
      expect(await h.store.get('acme', 'gina')).toBeNull();
    });

    it('refuses a picture that lists an agent twice, and keeps the one before', async () => {
      await h.store.record('acme', [entry('alice', 'available')], T0);
      await expect(h.store.record('acme', [entry('bob', 'available'), entry('bob', 'away')], T0 + 1)).rejects.toThrow(/twice/);
      expect(await h.store.registered('acme')).toEqual(['alice']);
    });
  });
}
