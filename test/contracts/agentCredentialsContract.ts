// The AgentCredentials port (src/domain/sessions/AgentCredentials.ts): passwords that verify and can
// be replaced or removed, invites used once, every answer scoped by account, and what a second
// process on the same store sees. Each adapter runs it (test/contracts/agentCredentials/).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentCredentials } from '../../src/domain/sessions/AgentCredentials';

export interface AgentCredentialsSetup {
  credentials: AgentCredentials;
  /** The same store through another connection (another process on the file). */
  other(): AgentCredentials;
  /** Makes an agent exist in the account's directory. */
  addAgent(account: string, id: string): Promise<void>;
  removeAgent(account: string, id: string): Promise<void>;
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const DAY = 24 * 3600_000;

export function describeAgentCredentialsContract(name: string, open: () => Promise<AgentCredentialsSetup>): void {
  describe(`AgentCredentials contract: ${name}`, () => {
    let setup: AgentCredentialsSetup;
    let c: AgentCredentials;
    beforeEach(async () => {
      setup = await open();
      c = setup.credentials;
      await setup.addAgent('acme', 'alice');
      await setup.addAgent('globex', 'alice');
    });
    afterEach(() => setup.cleanup());

    it('a password verifies for its agent and account only, is replaced and removed', async () => {
      expect(await c.verifyPassword('acme', 'alice', 'anything at all')).toBe(false);
      expect(await c.setPassword('acme', 'alice', 'first password', T0)).toBe(true);
      expect(await c.verifyPassword('acme', 'alice', 'first password')).toBe(true);
      expect(await c.verifyPassword('acme', 'alice', 'first passwore')).toBe(false);
      expect(await c.verifyPassword('globex', 'alice', 'first password')).toBe(false);
      expect(await c.status('acme', 'alice', T0)).toEqual({ agent: 'alice', passwordSet: true, passwordSetAt: T0, inviteExpiresAt: null });
      expect(await c.status('globex', 'alice', T0)).toMatchObject({ passwordSet: false });
      // Another process sees it at once.
      expect(await setup.other().verifyPassword('acme', 'alice', 'first password')).toBe(true);

      expect(await c.setPassword('acme', 'alice', 'second password', T0 + 1)).toBe(true);
      expect(await c.verifyPassword('acme', 'alice', 'first password')).toBe(false);
      expect(await c.verifyPassword('acme', 'alice', 'second password')).toBe(true);
      expect(await c.clearPassword('acme', 'alice')).toBe(true);
      expect(await c.verifyPassword('acme', 'alice', 'second password')).toBe(false);
      expect(await c.status('acme', 'alice', T0)).toMatchObject({ passwordSet: false, passwordSetAt: null });
    });

    it('an unknown agent: no password set, no status, no invite', async () => {
      expect(await c.setPassword('acme', 'nobody', 'a password', T0)).toBe(false);
      expect(await c.clearPassword('acme', 'nobody')).toBe(false);
      expect(await c.status('acme', 'nobody', T0)).toBeNull();
      expect(await c.createInvite('acme', 'nobody', DAY, T0)).toBeNull();
      expect(await c.verifyPassword('acme', 'nobody', 'a password')).toBe(false);
    });

    it('an invite: open until it expires, for its account only, used once (of two at once, one wins), replaced by a newer one', async () => {
      const invite = (await c.createInvite('acme', 'alice', DAY, T0))!;
      expect(invite.expiresAt).toBe(T0 + DAY);
      expect(await c.inviteFor('acme', invite.code, T0)).toEqual({ agent: 'alice', expiresAt: T0 + DAY });
      expect(await c.inviteFor('globex', invite.code, T0)).toBeNull();
      expect(await c.inviteFor('acme', invite.code, T0 + DAY)).toBeNull();
      expect(await c.status('acme', 'alice', T0)).toMatchObject({ inviteExpiresAt: T0 + DAY });

      const both = await Promise.all([c.acceptInvite('acme', invite.code, 'chosen one', T0 + 5), setup.other().acceptInvite('acme', invite.code, 'chosen two', T0 + 5)]);
      expect(both.filter((agent) => agent === 'alice')).toHaveLength(1);
      const chosen = both[0] === 'alice' ? 'chosen one' : 'chosen two';
      expect(await c.verifyPassword('acme', 'alice', chosen)).toBe(true);
      expect(await c.acceptInvite('acme', invite.code, 'again', T0 + 6)).toBeNull();
      expect(await c.status('acme', 'alice', T0 + 6)).toMatchObject({ passwordSet: true, passwordSetAt: T0 + 5, inviteExpiresAt: null });

      const older = (await c.createInvite('acme', 'alice', DAY, T0))!;
      const newer = (await c.createInvite('acme', 'alice', DAY, T0 + 1))!;
      expect(await c.inviteFor('acme', older.code, T0 + 2)).toBeNull();
      expect(await c.acceptInvite('acme', newer.code, 'late one', T0 + DAY + 1)).toBeNull();
    });

    it('a removed agent takes the invite and password along', async () => {
      await c.setPassword('acme', 'alice', 'a password', T0);
      const invite = (await c.createInvite('acme', 'alice', DAY, T0))!;
      await setup.removeAgent('acme', 'alice');
      await setup.addAgent('acme', 'alice');
      expect(await c.verifyPassword('acme', 'alice', 'a password')).toBe(false);
      expect(await c.inviteFor('acme', invite.code, T0)).toBeNull();
      expect(await c.acceptInvite('acme', invite.code, 'a password', T0)).toBeNull();
    });
  });
}
