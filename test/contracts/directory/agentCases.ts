// Directory contract cases (test/contracts/directoryContract.ts): agents, phones, helplines,
// tenants, phone control settings and their sealed passwords, zero-typing pairing (claimDevice).
import { beforeEach, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../../src/domain/directory/errors';
import { DEFAULT_DISPOSITIONS } from '../../../src/domain/directory/Lookups';
import { SecretBox } from '../../../src/shared/secretBox';
import { directoryError, freshStorePerCase, type DirectoryStore, type DirectoryUnderTest, type OpenDirectoryStore } from './support';

const T0 = Date.UTC(2024, 2, 10, 9, 0, 0);

export function describeAgentCases(name: string, open: OpenDirectoryStore): void {
  describe(`Directory contract: ${name}: agents, phones, helplines`, () => {
    let store: DirectoryStore;
    let dir: DirectoryUnderTest;
    freshStorePerCase(open, (fresh, opened) => {
      store = fresh;
      dir = opened;
    });

    describe('agents and devices', () => {
      it('upserts an agent; devices and helplines given replace the lists, absent ones are kept', async () => {
        const alice = await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '101', devices: ['00:0b:82:00:00:01', '000b82000002'], helplines: ['0800 111 222'] });
        expect(alice).toEqual({ id: 'alice', account: 'acme', name: 'Alice', extension: '101', devices: ['000B82000001', '000B82000002'], helplines: ['0800111222'], supervisor: false, admin: false });
        const renamed = await dir.upsertAgent('acme', { id: 'alice', name: 'Alice B.' });
        expect(renamed).toMatchObject({ name: 'Alice B.', extension: '101', devices: ['000B82000001', '000B82000002'], helplines: ['0800111222'] });
        const replaced = await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: null, devices: ['000B82000003'], helplines: [] });
        expect(replaced).toMatchObject({ extension: null, devices: ['000B82000003'], helplines: [] });
        // the released phone keeps its health row, without an owner
        expect(await dir.deviceOwner('acme', '000B82000001')).toBeNull();
        expect((await dir.listDevices('acme')).map((d) => [d.mac, d.agent])).toEqual([
          ['000B82000001', null],
          ['000B82000002', null],
          ['000B82000003', 'alice'],
        ]);
      });

      it('a supervisor stays one until an upsert says otherwise; a new agent is not one', async () => {
        expect(await dir.upsertAgent('acme', { id: 'sam', name: 'Sam', supervisor: true })).toMatchObject({ supervisor: true });
        expect(await dir.upsertAgent('acme', { id: 'sam', name: 'Sam S.', extension: '150' })).toMatchObject({ name: 'Sam S.', supervisor: true });
        expect(await dir.upsertAgent('acme', { id: 'ann', name: 'Ann' })).toMatchObject({ supervisor: false });
        expect((await dir.listAgents('acme')).map((a) => [a.id, a.supervisor])).toEqual([['ann', false], ['sam', true]]);
        expect(await dir.upsertAgent('acme', { id: 'sam', name: 'Sam', supervisor: false })).toMatchObject({ extension: '150', supervisor: false });
        expect(await dir.getAgent('acme', 'sam')).toMatchObject({ supervisor: false });
      });

      it('keeps extensions unique per account and finds agents by extension', async () => {
        await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '101' });
        await expect(dir.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '101' })).rejects.toEqual(directoryError('extension_taken'));
        await dir.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '102' });
        await dir.upsertAgent('acme', { id: 'carol', name: 'Carol' });
        await dir.upsertAgent('acme', { id: 'dave', name: 'Dave', extension: '' });
        expect((await dir.agentByExtension('acme', '102'))!.id).toBe('bob');
        expect(await dir.agentByExtension('acme', '999')).toBeNull();
        expect((await dir.listAgents('acme')).map((a) => [a.id, a.extension])).toEqual([
          ['alice', '101'],
          ['bob', '102'],
          ['carol', null],
          ['dave', null],
        ]);
        await expect(dir.upsertAgent('acme', { id: ' ', name: 'x' })).rejects.toEqual(directoryError('invalid_input'));
        await expect(dir.upsertAgent('acme', { id: 'e', name: 'E', devices: ['nope'] })).rejects.toEqual(directoryError('invalid_mac'));
      });

      it('binds a device to an existing agent only; moving it changes the owner', async () => {
        await expect(dir.bindDevice('acme', '000B82000001', 'ghost')).rejects.toBeInstanceOf(DirectoryError);
        await expect(dir.bindDevice('acme', '000B82000001', 'ghost')).rejects.toEqual(directoryError('unknown_agent'));
        await dir.upsertAgent('acme', { id: 'alice', name: 'Alice' });
        await dir.upsertAgent('acme', { id: 'bob', name: 'Bob' });
        expect(await dir.bindDevice('acme', '00-0B-82-00-00-01', 'alice')).toMatchObject({ mac: '000B82000001', agent: 'alice', registered: null });
        await dir.bindDevice('acme', '000B82000001', 'bob');
        expect(await dir.deviceOwner('acme', '00:0B:82:00:00:01')).toBe('bob');
        expect((await dir.getAgent('acme', 'alice'))!.devices).toEqual([]);
        expect(await dir.deviceOwner('acme', 'garbage')).toBeNull();
      });

      it('records device health; an older event only fills gaps', async () => {
        await dir.recordDeviceEvent('acme', { mac: '000B82000009', ip: '10.0.0.9', event: 'registered', at: T0 });
        await dir.recordDeviceEvent('acme', { mac: '000B82000009', ip: null, event: 'incoming', at: T0 + 10 });
        expect((await dir.listDevices('acme'))[0]).toEqual({
          mac: '000B82000009', account: 'acme', agent: null, ip: '10.0.0.9', registered: true, lastEvent: 'incoming', lastSeenAt: T0 + 10,
          control: { host: '10.0.0.9', hostFromEvents: true, port: 80, username: 'user', passwordSet: false },
        });
        await dir.recordDeviceEvent('acme', { mac: '000B82000009', ip: '10.0.0.1', event: 'unregistered', at: T0 + 5 });
        expect((await dir.listDevices('acme'))[0]).toMatchObject({ ip: '10.0.0.9', registered: true, lastEvent: 'incoming', lastSeenAt: T0 + 10 });
        await dir.recordDeviceEvent('acme', { mac: '000B82000009', ip: '10.0.0.2', event: 'unregistered', at: T0 + 20 });
        expect((await dir.listDevices('acme'))[0]).toMatchObject({ ip: '10.0.0.2', registered: false, lastEvent: 'unregistered', lastSeenAt: T0 + 20 });
      });

      it('gets one phone as the list shows it, by its MAC however written; null for a phone the account does not have', async () => {
        await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', devices: ['000B82000001', '000B82000002'] });
        await dir.recordDeviceEvent('acme', { mac: '000B82000002', ip: '10.0.0.2', event: 'registered', at: T0 });
        await dir.setDeviceControl('acme', '000B82000002', { password: 'phone-pass-1' });
        const listed = (await dir.listDevices('acme')).find((d) => d.mac === '000B82000002');
        expect(listed).toMatchObject({ agent: 'alice', ip: '10.0.0.2', registered: true, control: { passwordSet: true } });
        expect(await dir.getDevice('acme', '00:0b:82:00:00:02')).toEqual(listed);
        expect(await dir.getDevice('acme', '000B82000009')).toBeNull();
        expect(await dir.getDevice('other', '000B82000002')).toBeNull();
        await expect(dir.getDevice('acme', 'garbage')).rejects.toEqual(directoryError('invalid_mac'));
      });
    });

    describe('helplines', () => {
      it('no agents means every agent (null); a list replaces the members; unknown agents are refused', async () => {
        await dir.upsertAgent('acme', { id: 'alice', name: 'Alice' });
        await dir.upsertAgent('acme', { id: 'bob', name: 'Bob' });
        expect(await dir.upsertHelpline('acme', { number: '0800-111-222', name: 'Support' })).toEqual({ number: '0800111222', account: 'acme', name: 'Support', agents: null });
        expect((await dir.upsertHelpline('acme', { number: '0800111222', name: 'Support', agents: ['bob', 'alice'] })).agents).toEqual(['alice', 'bob']);
        expect((await dir.getAgent('acme', 'alice'))!.helplines).toEqual(['0800111222']);
        await dir.upsertHelpline('acme', { number: '0800111222', name: 'Support', agents: ['bob'] });
        expect((await dir.getAgent('acme', 'alice'))!.helplines).toEqual([]);
        await expect(dir.upsertHelpline('acme', { number: '0800111222', name: 'Support', agents: ['ghost'] })).rejects.toEqual(directoryError('unknown_agent'));
        expect((await dir.helplineByNumber('acme', '0800 111 222'))!.agents).toEqual(['bob']);
        expect((await dir.upsertHelpline('acme', { number: '0800111222', name: 'Support', agents: null })).agents).toBeNull();
        expect(await dir.helplineByNumber('acme', '0800999999')).toBeNull();
      });

      it('putting an agent on a number that is not a helpline yet makes it one, with that agent', async () => {
        await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', helplines: ['600'] });
        expect(await dir.listHelplines('acme')).toEqual([{ number: '600', account: 'acme', name: '600', agents: ['alice'] }]);
        await dir.upsertAgent('acme', { id: 'bob', name: 'Bob', helplines: ['600'] });
        expect((await dir.helplineByNumber('acme', '600'))!.agents).toEqual(['alice', 'bob']);
      });
    });

    describe('tenants', () => {
      it('account A never sees account B: agents, devices, helplines, contacts', async () => {
        await dir.upsertAgent('a', { id: 'alice', name: 'Alice', extension: '101', devices: ['000B82000001'], helplines: ['600'] });
        await dir.upsertAgent('b', { id: 'alice', name: 'Other Alice', extension: '101', devices: ['000B82000001'] });
        await dir.upsertContact('b', { number: '+923001234567', name: 'B contact', company: null, notes: null, crmUrl: null });
        expect((await dir.getAgent('a', 'alice'))!.name).toBe('Alice');
        expect((await dir.agentByExtension('a', '101'))!.name).toBe('Alice');
        expect((await dir.listAgents('b')).map((x) => x.name)).toEqual(['Other Alice']);
        expect((await dir.listDevices('b')).map((d) => d.agent)).toEqual(['alice']);
        expect(await dir.listHelplines('b')).toEqual([]);
        expect(await dir.contactByNumber('a', '+923001234567')).toBeNull();
        expect(await dir.searchContacts('a', 'contact')).toEqual([]);
        await expect(dir.bindDevice('a', '000B82000002', 'bob')).rejects.toEqual(directoryError('unknown_agent'));
        await dir.upsertAgent('b', { id: 'bob', name: 'Bob' });
        await expect(dir.bindDevice('a', '000B82000002', 'bob')).rejects.toEqual(directoryError('unknown_agent'));
      });
    });

    describe('phone control settings', () => {
      it('default to the last reported IP, port 80 and user `user`; a save keeps what it does not name and counts itself', async () => {
        await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', devices: ['000B82000001'] });
        expect(await dir.deviceControl('acme', '000B82000001')).toEqual({ account: 'acme', mac: '000B82000001', agent: 'alice', host: null, port: 80, username: 'user', password: null, version: 0 });
        await dir.recordDeviceEvent('acme', { mac: '000B82000001', ip: '10.0.0.7', event: 'registered', at: T0 });
        expect(await dir.deviceControl('acme', '000B82000001')).toMatchObject({ host: '10.0.0.7', password: null });

        const saved = await dir.setDeviceControl('acme', '00:0B:82:00:00:01', { password: 's3cret', port: 8080 });
        expect(saved.control).toEqual({ host: '10.0.0.7', hostFromEvents: true, port: 8080, username: 'user', passwordSet: true });
        expect(JSON.stringify(saved)).not.toContain('s3cret');
        await dir.setDeviceControl('acme', '000B82000001', { host: '10.9.9.9', username: 'desk' });
        expect(await dir.deviceControl('acme', '000B82000001')).toMatchObject({ host: '10.9.9.9', port: 8080, username: 'desk', password: 's3cret', version: 2 });
        // A newer reported IP does not override a configured address.
        await dir.recordDeviceEvent('acme', { mac: '000B82000001', ip: '10.0.0.8', event: 'registered', at: T0 + 1 });
        expect(await dir.deviceControl('acme', '000B82000001')).toMatchObject({ host: '10.9.9.9' });

        await dir.setDeviceControl('acme', '000B82000001', { host: null, port: null, username: null, password: null });
        expect(await dir.deviceControl('acme', '000B82000001')).toMatchObject({ host: '10.0.0.8', port: 80, username: 'user', password: null, version: 3 });
      });

      it('refuses an unknown device and empty values', async () => {
        await expect(dir.setDeviceControl('acme', '000B82000001', { password: 'x' })).rejects.toEqual(directoryError('unknown_device'));
        await dir.recordDeviceEvent('acme', { mac: '000B82000001', ip: null, event: 'boot', at: T0 });
        await expect(dir.setDeviceControl('acme', '000B82000001', { password: '' })).rejects.toEqual(directoryError('invalid_input'));
        await expect(dir.setDeviceControl('acme', '000B82000001', { host: '  ' })).rejects.toEqual(directoryError('invalid_input'));
        await expect(dir.setDeviceControl('acme', '000B82000001', { port: 70000 })).rejects.toEqual(directoryError('invalid_input'));
        expect(await dir.deviceControl('other', '000B82000001')).toBeNull();
      });
    });

    describe('claimDevice', () => {
      beforeEach(async () => {
        await dir.upsertAgent('acme', { id: 'seat', name: 'Seat' });
        await dir.upsertAgent('acme', { id: 'alice', name: 'Alice' });
      });

      it('binds an unknown phone, and a phone known only by its health row, to the agent', async () => {
        expect(await dir.claimDevice('acme', '00:0b:82:00:00:01', 'seat')).toBe('seat');
        await dir.recordDeviceEvent('acme', { mac: '000B82000002', ip: '192.0.2.2', event: 'registered', at: 1 });
        expect(await dir.claimDevice('acme', '000B82000002', 'seat')).toBe('seat');
        expect((await dir.getAgent('acme', 'seat'))?.devices).toEqual(['000B82000001', '000B82000002']);
        // The health row is kept as it was.
        expect((await dir.listDevices('acme')).find((d) => d.mac === '000B82000002')).toMatchObject({ agent: 'seat', ip: '192.0.2.2', registered: true });
      });

      it("never takes a phone someone owns: it answers the owner and changes nothing", async () => {
        await dir.bindDevice('acme', '000B82000001', 'alice');
        expect(await dir.claimDevice('acme', '000B82000001', 'seat')).toBe('alice');
        expect(await dir.deviceOwner('acme', '000B82000001')).toBe('alice');
        expect((await dir.getAgent('acme', 'seat'))?.devices).toEqual([]);
      });

      it('refuses an unknown agent and a bad MAC, writing nothing', async () => {
        await expect(dir.claimDevice('acme', '000B82000001', 'ghost')).rejects.toMatchObject({ code: 'unknown_agent' });
        await expect(dir.claimDevice('acme', 'banana', 'seat')).rejects.toThrow();
        expect(await dir.listDevices('acme')).toEqual([]);
      });

      it('claimDevice from two connections at once: each phone gets one owner, and both are told the same one', async () => {
        const other = await store.openOther();
        const macs = Array.from({ length: 20 }, (_, i) => `000B8203${String(i).padStart(4, '0')}`);
        const answers = await Promise.all(macs.map((mac) => Promise.all([dir.claimDevice('acme', mac, 'seat'), other.claimDevice('acme', mac, 'alice')])));
        for (const [i, mac] of macs.entries()) {
          const [mine, theirs] = answers[i]!;
          expect({ mac, mine, theirs }).toEqual({ mac, mine: theirs, theirs: expect.stringMatching(/^(seat|alice)$/) });
          expect(await dir.deviceOwner('acme', mac)).toBe(mine);
        }
        const owned = [...(await dir.getAgent('acme', 'seat'))!.devices, ...(await dir.getAgent('acme', 'alice'))!.devices];
        expect(owned.sort()).toEqual(macs);
      });
    });

    describe('phone web passwords at rest', () => {
      const MAC = '000B82000001';
      const PASSWORD = 'Desk-Phone-Pw-4711';
      const key = SecretBox.generateKey();

      it('are stored sealed, never in clear, and given back in clear to the phone client, also after a restart', async () => {
        const first = await store.open({ secrets: SecretBox.withKey(key) });
        await first.upsertAgent('acme', { id: 'alice', name: 'Alice', devices: [MAC] });
        const device = await first.setDeviceControl('acme', MAC, { password: PASSWORD });
        expect(device.control.passwordSet).toBe(true);
        expect(JSON.stringify(device)).not.toContain(PASSWORD);
        const stored = (await store.storedControlPassword('acme', MAC))!;
        expect(SecretBox.isSealed(stored)).toBe(true);
        expect(stored).not.toContain(PASSWORD);
        expect((await first.deviceControl('acme', MAC))?.password).toBe(PASSWORD);
        const restarted = await store.openOther({ secrets: SecretBox.withKey(key) });
        expect((await restarted.deviceControl('acme', MAC))?.password).toBe(PASSWORD);
      });

      it('a sealed password that does not open with the key (key file replaced) counts as not set, until entered again', async () => {
        const first = await store.open({ secrets: SecretBox.withKey(key) });
        await first.upsertAgent('acme', { id: 'alice', name: 'Alice', devices: [MAC] });
        await first.setDeviceControl('acme', MAC, { password: PASSWORD });
        const otherKey = await store.openOther({ secrets: SecretBox.withKey(SecretBox.generateKey()) });
        expect((await otherKey.deviceControl('acme', MAC))?.password).toBeNull();
        expect((await otherKey.listDevices('acme'))[0]?.control.passwordSet).toBe(false);
        await otherKey.setDeviceControl('acme', MAC, { password: 'new-one-123' });
        expect((await otherKey.deviceControl('acme', MAC))?.password).toBe('new-one-123');
      });
    });

    describe('dispositions', () => {
      it('an account has the defaults until it sets its own list, which replaces the last one whole; tenants apart', async () => {
        const dispositions = await store.dispositions();
        expect(await dispositions.list('acme')).toEqual(DEFAULT_DISPOSITIONS);
        const list = [{ code: 'sold', label: ' Sold ' }, { code: 'later', label: 'Call later' }];
        expect(await dispositions.set('acme', list)).toEqual([{ code: 'sold', label: 'Sold' }, { code: 'later', label: 'Call later' }]);
        expect(await dispositions.set('acme', [{ code: 'later', label: 'Later' }, { code: 'sold', label: 'Sold' }])).toHaveLength(2);
        expect(await dispositions.list('acme')).toEqual([{ code: 'later', label: 'Later' }, { code: 'sold', label: 'Sold' }]);
        expect(await dispositions.list('globex')).toEqual(DEFAULT_DISPOSITIONS);
      });

      it('refuses an empty list, duplicate codes and bad codes or labels, keeping the list it has', async () => {
        const dispositions = await store.dispositions();
        await dispositions.set('acme', [{ code: 'sold', label: 'Sold' }]);
        await expect(dispositions.set('acme', [])).rejects.toEqual(directoryError('invalid_input'));
        await expect(dispositions.set('acme', [{ code: 'a', label: 'A' }, { code: 'a', label: 'B' }])).rejects.toEqual(directoryError('invalid_input'));
        await expect(dispositions.set('acme', [{ code: 'no spaces', label: 'X' }])).rejects.toEqual(directoryError('invalid_input'));
        await expect(dispositions.set('acme', [{ code: 'ok', label: ' ' }])).rejects.toEqual(directoryError('invalid_input'));
        expect(await dispositions.list('acme')).toEqual([{ code: 'sold', label: 'Sold' }]);
      });

      it('two connections setting lists at once: one list wins whole, never a mix', async () => {
        const [mine, theirs] = [await store.dispositions(), await store.dispositions()];
        const a = Array.from({ length: 10 }, (_, i) => ({ code: `a${i}`, label: `A ${i}` }));
        const b = Array.from({ length: 10 }, (_, i) => ({ code: `b${i}`, label: `B ${i}` }));
        for (let round = 0; round < 10; round++) {
          await Promise.all([mine.set('acme', a), theirs.set('acme', b)]);
          expect([a, b]).toContainEqual(await mine.list('acme'));
        }
      });
    });
  });
}
