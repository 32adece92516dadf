import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentSessions } from '../../src/domain/sessions/AgentSessions';

export interface AgentSessionsHarness {
  sessions: AgentSessions;
  /** A second adapter on the same storage: another process of the same office. */
  other: () => AgentSessions;
  cleanup: () => Promise<void>;
}

const T0 = Date.now();
const HOUR = 60 * 60_000;

/** The behaviour every AgentSessions adapter must have (SqliteAgentSessions, RedisAgentSessions). */
export function describeAgentSessionsContract(name: string, factory: () => Promise<AgentSessionsHarness>): void {
  describe(`AgentSessions contract: ${name}`, () => {
    let h: AgentSessionsHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('a token finds its session in its account until it expires; nothing else finds it', async () => {
      const { token, expiresAt } = await h.sessions.create('acme', 'alice', HOUR, T0);
      expect(expiresAt).toBe(T0 + HOUR);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await h.sessions.get('acme', token, T0 + HOUR - 1)).toMatchObject({ account: 'acme', agent: 'alice', createdAt: T0, expiresAt: T0 + HOUR });
      expect(await h.sessions.get('acme', token, T0 + HOUR)).toBeNull();
      expect(await h.sessions.get('globex', token, T0)).toBeNull();
      expect(await h.sessions.get('acme', 'made-up', T0)).toBeNull();
      expect(await h.sessions.get('acme', '', T0)).toBeNull();
    });

    it('every token is new, and its id is not the token', async () => {
      const a = await h.sessions.create('acme', 'alice', HOUR, T0);
      const b = await h.sessions.create('acme', 'alice', HOUR, T0);
      expect(a.token).not.toBe(b.token);
      const [first] = await h.sessions.list('acme', T0);
      expect(first!.id).not.toBe(a.token);
      expect(first!.id).toMatch(/^[0-9a-f]{64}$/);
    });

    it('a session made by one process is found by another (shared storage)', async () => {
      const { token } = await h.sessions.create('acme', 'alice', HOUR, T0);
      expect(await h.other().get('acme', token, T0 + 1)).toMatchObject({ agent: 'alice' });
      expect(await h.other().revoke('acme', token)).toBe(true);
      expect(await h.sessions.get('acme', token, T0 + 2)).toBeNull();
    });

    it("lists the account's live sessions, oldest first, and no other account's", async () => {
      await h.sessions.create('acme', 'bob', HOUR, T0 + 2);
      await h.sessions.create('acme', 'alice', HOUR, T0 + 1);
      await h.sessions.create('acme', 'carol', HOUR / 2, T0);
      await h.sessions.create('globex', 'alice', HOUR, T0);
      expect((await h.sessions.list('acme', T0 + 5)).map((s) => s.agent)).toEqual(['carol', 'alice', 'bob']);
      expect((await h.sessions.list('acme', T0 + HOUR / 2)).map((s) => [s.agent, s.createdAt])).toEqual([['alice', T0 + 1], ['bob', T0 + 2]]);
      expect((await h.sessions.list('globex', T0)).map((s) => s.account)).toEqual(['globex']);
      expect(await h.sessions.list('initech', T0)).toEqual([]);
    });

    it('revoking needs the right account; revoking an agent ends only its sessions in that account', async () => {
      const alice1 = await h.sessions.create('acme', 'alice', HOUR, T0);
      const alice2 = await h.sessions.create('acme', 'alice', HOUR, T0);
      const bob = await h.sessions.create('acme', 'bob', HOUR, T0);
      const globexAlice = await h.sessions.create('globex', 'alice', HOUR, T0);

      expect(await h.sessions.revoke('globex', alice1.token)).toBe(false);
      expect(await h.sessions.get('acme', alice1.token, T0)).not.toBeNull();
      expect(await h.sessions.revokeAgent('acme', 'alice')).toBe(2);
      expect(await h.sessions.get('acme', alice1.token, T0)).toBeNull();
      expect(await h.sessions.get('acme', alice2.token, T0)).toBeNull();
      expect(await h.sessions.get('acme', bob.token, T0)).toMatchObject({ agent: 'bob' });
      expect(await h.sessions.get('globex', globexAlice.token, T0)).toMatchObject({ agent: 'alice' });
      expect(await h.sessions.revokeAgent('acme', 'alice')).toBe(0);
      expect(await h.sessions.revoke('acme', bob.token)).toBe(true);
      expect(await h.sessions.revoke('acme', bob.token)).toBe(false);
      expect(await h.sessions.revoke('acme', '')).toBe(false);
    });

    it('refuses a session without a positive lifetime', async () => {
      await expect(h.sessions.create('acme', 'alice', 0, T0)).rejects.toThrow(/ttl/);
      await expect(h.sessions.create('acme', 'alice', Number.NaN, T0)).rejects.toThrow(/ttl/);
      expect(await h.sessions.list('acme', T0)).toEqual([]);
    });
  });
}
