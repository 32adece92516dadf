// Directory contract cases (test/contracts/directoryContract.ts): the rule of
// src/domain/directory/rules.ts, an agent's extension is never a helpline number of the same
// account, whichever is written second, also when two connections (servers) write at once.
import { beforeEach, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../../src/domain/directory/errors';
import { freshStorePerCase, type DirectoryStore, type DirectoryUnderTest, type OpenDirectoryStore } from './support';

const refused = (message: string) => expect.objectContaining({ name: 'DirectoryError', code: 'extension_is_helpline', message });

export function describeRuleCases(name: string, open: OpenDirectoryStore): void {
  describe(`Directory contract: ${name}: extension vs helpline rule`, () => {
    let store: DirectoryStore;
    let dir: DirectoryUnderTest;
    freshStorePerCase(open, (fresh, opened) => {
      store = fresh;
      dir = opened;
    });

    /** What the port shows of the account: a refused write must leave all of it as it was. */
    async function everything(): Promise<unknown> {
      return { agents: await dir.listAgents('acme'), devices: await dir.listDevices('acme'), helplines: await dir.listHelplines('acme') };
    }

    describe('extension vs helpline number', () => {
      beforeEach(async () => {
        await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '201', devices: ['000B82000001'], helplines: ['5000'] });
        await dir.upsertHelpline('acme', { number: '6000', name: 'Sales', agents: ['alice'] });
      });

      it("refuses an agent's extension that is a helpline number, new agent or existing, and changes nothing", async () => {
        const before = await everything();
        await expect(dir.upsertAgent('acme', { id: 'zed', name: 'Zed', extension: '5000' })).rejects.toEqual(
          refused('extension 5000 is a helpline number; calls to it would never reach the agent directly'),
        );
        // An existing agent: neither the extension nor anything else the same write carried is kept.
        await expect(dir.upsertAgent('acme', { id: 'alice', name: 'Renamed', extension: '6000', devices: ['000B82000002'], helplines: [], supervisor: true })).rejects.toEqual(
          refused('extension 6000 is a helpline number; calls to it would never reach the agent directly'),
        );
        // Compared as numbers: how the extension is written does not matter.
        await expect(dir.upsertAgent('acme', { id: 'zed', name: 'Zed', extension: ' 60-00 ' })).rejects.toEqual(
          refused('extension 60-00 is a helpline number; calls to it would never reach the agent directly'),
        );
        expect(await everything()).toEqual(before);
        expect(await dir.getAgent('acme', 'zed')).toBeNull();
      });

      it("refuses a helpline whose number is an agent's extension, new helpline or existing, and changes nothing", async () => {
        await dir.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '2-02' });
        const before = await everything();
        await expect(dir.upsertHelpline('acme', { number: '201', name: 'Support' })).rejects.toEqual(
          refused('201 is the extension of agent alice; a helpline needs a number of its own'),
        );
        await expect(dir.upsertHelpline('acme', { number: ' 202 ', name: 'Support', agents: ['alice'] })).rejects.toEqual(
          refused('202 is the extension of agent bob; a helpline needs a number of its own'),
        );
        // An agent put on a number that is not a helpline yet would make it one: refused the same way.
        await expect(dir.upsertAgent('acme', { id: 'bob', name: 'Bob', helplines: ['5000', '201'] })).rejects.toEqual(
          refused('201 is the extension of agent alice; a helpline needs a number of its own'),
        );
        await expect(dir.upsertAgent('acme', { id: 'carol', name: 'Carol', extension: '203', helplines: ['203'] })).rejects.toEqual(
          refused('203 is the extension of agent carol; a helpline needs a number of its own'),
        );
        expect(await everything()).toEqual(before);
        expect(await dir.helplineByNumber('acme', '201')).toBeNull();
      });

      it('comes before the other refusals of the same write, as the API checked it first', async () => {
        // A number that is both (a database written before the rule was enforced here).
        await store.insertLegacyHelpline('acme', '201', 'Legacy');
        await expect(dir.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '201' })).rejects.toMatchObject({ code: 'extension_is_helpline' });
        await expect(dir.upsertHelpline('acme', { number: '201', name: 'X', agents: ['ghost'] })).rejects.toMatchObject({ code: 'extension_is_helpline' });
      });

      it('lets everything else through: other numbers, helplines the agent joins, its own unchanged extension, other accounts', async () => {
        expect(await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '201', helplines: ['5000', '6000'] })).toMatchObject({ extension: '201', helplines: ['5000', '6000'] });
        expect(await dir.upsertHelpline('acme', { number: '5000', name: 'Support' })).toMatchObject({ number: '5000', name: 'Support' });
        expect(await dir.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '202', helplines: ['7000'] })).toMatchObject({ helplines: ['7000'] });
        expect(await dir.upsertAgent('other', { id: 'zed', name: 'Zed', extension: '5000' })).toMatchObject({ extension: '5000' });
        expect(await dir.upsertHelpline('other', { number: '201', name: 'Support' })).toMatchObject({ number: '201' });
        // Once the agent is gone (or its extension changed), the number is free for a helpline.
        await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: null });
        expect(await dir.upsertHelpline('acme', { number: '201', name: 'Former extension' })).toMatchObject({ number: '201' });
      });
    });

    describe('two connections racing', () => {
      it('an extension and a helpline number that collide: exactly one wins, every time', async () => {
        const other = await store.openOther();
        const numbers = Array.from({ length: 40 }, (_, i) => String(7000 + i));
        const outcome = (write: Promise<unknown>) => write.then(() => 'won', (error: unknown) => (error instanceof DirectoryError ? error.code : `error: ${String(error)}`));
        for (const number of numbers) {
          const pair = await Promise.all([
            outcome(dir.upsertAgent('acme', { id: `agent-${number}`, name: 'Racer', extension: number })),
            outcome(other.upsertHelpline('acme', { number, name: 'Racer' })),
          ]);
          expect({ number, pair: pair.sort() }).toEqual({ number, pair: ['extension_is_helpline', 'won'] });
        }
        // The store agrees: each number is an extension or a helpline, never both, never neither.
        for (const number of numbers) {
          const asExtension = (await dir.agentByExtension('acme', number)) !== null;
          const asHelpline = (await dir.helplineByNumber('acme', number)) !== null;
          expect({ number, asExtension, asHelpline }).toEqual({ number, asExtension: !asHelpline, asHelpline: !asExtension });
        }
      });
    });
  });
}
