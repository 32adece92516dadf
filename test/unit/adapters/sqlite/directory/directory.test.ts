import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../../../../src/adapters/sqlite/database';
import { SqliteDirectory } from '../../../../../src/adapters/sqlite/directory/SqliteDirectory';
import { DirectoryError } from '../../../../../src/domain/directory/errors';
import { openTempDatabase } from '../../../../support/tmp';

const T0 = Date.UTC(2024, 2, 10, 9, 0, 0);
let tmp: ReturnType<typeof openTempDatabase>;
let db: SqliteDatabase;
let dir: SqliteDirectory;

beforeEach(() => {
  tmp = openTempDatabase();
  db = tmp.db;
  dir = new SqliteDirectory(db);
});
afterEach(() => tmp.cleanup());

const code = (c: string) => expect.objectContaining({ name: 'DirectoryError', code: c });

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
    await expect(dir.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '101' })).rejects.toEqual(code('extension_taken'));
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
    await expect(dir.upsertAgent('acme', { id: ' ', name: 'x' })).rejects.toEqual(code('invalid_input'));
    await expect(dir.upsertAgent('acme', { id: 'e', name: 'E', devices: ['nope'] })).rejects.toEqual(code('invalid_mac'));
  });

  it('binds a device to an existing agent only; moving it changes the owner', async () => {
    await expect(dir.bindDevice('acme', '000B82000001', 'ghost')).rejects.toBeInstanceOf(DirectoryError);
    await expect(dir.bindDevice('acme', '000B82000001', 'ghost')).rejects.toEqual(code('unknown_agent'));
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
    await expect(dir.upsertHelpline('acme', { number: '0800111222', name: 'Support', agents: ['ghost'] })).rejects.toEqual(code('unknown_agent'));
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

describe('contacts', () => {
  it('matches a number written +92..., 0300... or 0092 ... to one contact', async () => {
    await dir.upsertContact('acme', { number: '+92 300 1234567', name: 'Zara', company: 'Acme Traders', notes: null, crmUrl: 'https://crm.example/z' });
    for (const form of ['+923001234567', '03001234567', '0092 300 1234567']) {
      expect(await dir.contactByNumber('acme', form)).toEqual({ number: '+923001234567', name: 'Zara', company: 'Acme Traders', notes: null, crmUrl: 'https://crm.example/z' });
    }
    expect(await dir.contactByNumber('acme', '+923001234568')).toBeNull();
    expect(await dir.contactByNumber('acme', '')).toBeNull();
    await dir.upsertContact('acme', { number: '600', name: 'Front desk', company: null, notes: null, crmUrl: null });
    expect((await dir.contactByNumber('acme', '600'))!.name).toBe('Front desk');
    expect(await dir.contactByNumber('acme', '1600')).toBeNull();
  });

  it('validates contacts: digits, a name, an http(s) CRM link', async () => {
    await expect(dir.upsertContact('acme', { number: 'abc', name: 'X', company: null, notes: null, crmUrl: null })).rejects.toEqual(code('invalid_input'));
    await expect(dir.upsertContact('acme', { number: '123', name: ' ', company: null, notes: null, crmUrl: null })).rejects.toEqual(code('invalid_input'));
    await expect(dir.upsertContact('acme', { number: '123', name: 'X', company: null, notes: null, crmUrl: 'javascript:alert(1)' })).rejects.toEqual(code('invalid_input'));
    expect(await dir.upsertContact('acme', { number: '123', name: ' X ', company: '', notes: ' ', crmUrl: null })).toEqual({ number: '123', name: 'X', company: null, notes: null, crmUrl: null });
  });

  it('searches name, company or number (substring, case-insensitive), with a limit', async () => {
    await dir.upsertContact('acme', { number: '+923001234567', name: 'Zara Khan', company: 'Acme Traders', notes: null, crmUrl: null });
    await dir.upsertContact('acme', { number: '+441234567890', name: 'Oliver', company: 'Blue Ltd', notes: null, crmUrl: null });
    await dir.upsertContact('acme', { number: '+15550001111', name: 'Olivia', company: null, notes: null, crmUrl: null });
    expect((await dir.searchContacts('acme', 'oliv')).map((c) => c.name)).toEqual(['Oliver', 'Olivia']);
    expect((await dir.searchContacts('acme', 'TRADERS')).map((c) => c.name)).toEqual(['Zara Khan']);
    expect((await dir.searchContacts('acme', '300-123')).map((c) => c.name)).toEqual(['Zara Khan']);
    expect((await dir.searchContacts('acme', 'o', 1)).map((c) => c.name)).toEqual(['Oliver']);
    expect(await dir.searchContacts('acme', '100%')).toEqual([]);
  });
});

describe('contact CSV import', () => {
  it('imports valid rows in any column order and reports bad rows with their line numbers', async () => {
    const csv = [
      'name,number,crm_url,notes,company,extra',
      'Zara,+92 300 1234567,https://crm.example/1,"likes calls, mornings",Acme,x',
      ',03001111111,,,,',
      'No digits,n/a,,,,',
      '"Multi',
      'line name",+441234567890,,"said ""hi""",,',
      'Bad link,+15550001111,ftp://x,,,',
      'Too many,+15550002222,,,,,,',
      'Ok,+15550003333,"broken"quote,,,',
      '',
      'Last,+15550004444',
    ].join('\r\n');
    const result = await dir.importContactsCsv('acme', csv);
    expect(result.imported).toBe(3);
    expect(result.rejected.map((r) => r.line)).toEqual([3, 4, 7, 8, 9]);
    expect(result.rejected[0]!.reason).toMatch(/name/);
    expect(result.rejected[1]!.reason).toMatch(/digits/);
    expect(result.rejected[2]!.reason).toMatch(/crm_url/);
    expect(result.rejected[3]!.reason).toMatch(/fields/);
    expect(result.rejected[4]!.reason).toMatch(/quote/);
    expect(await dir.contactByNumber('acme', '+923001234567')).toEqual({ number: '+923001234567', name: 'Zara', company: 'Acme', notes: 'likes calls, mornings', crmUrl: 'https://crm.example/1' });
    expect(await dir.contactByNumber('acme', '+441234567890')).toMatchObject({ name: 'Multi\nline name', notes: 'said "hi"' });
    expect(await dir.contactByNumber('acme', '+15550004444')).toMatchObject({ name: 'Last', company: null });
  });

  it('upserts by number: importing again updates instead of duplicating', async () => {
    await dir.importContactsCsv('acme', 'number,name\n+923001234567,Zara\n');
    const again = await dir.importContactsCsv('acme', 'number,name,company\n0092 300 1234567,Zara K,Acme\n');
    expect(again).toEqual({ imported: 1, rejected: [] });
    expect(await dir.searchContacts('acme', '')).toEqual([{ number: '+923001234567', name: 'Zara K', company: 'Acme', notes: null, crmUrl: null }]);
  });

  it('throws bad_csv for an empty file or a header without number or name', async () => {
    await expect(dir.importContactsCsv('acme', '')).rejects.toEqual(code('bad_csv'));
    await expect(dir.importContactsCsv('acme', 'phone,name\n123,X\n')).rejects.toEqual(code('bad_csv'));
    await expect(dir.importContactsCsv('acme', 'number,company\n123,X\n')).rejects.toEqual(code('bad_csv'));
    await expect(dir.importContactsCsv('acme', '"number,name\n')).rejects.toEqual(code('bad_csv'));
    expect(await dir.searchContacts('acme', '')).toEqual([]);
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
    await expect(dir.bindDevice('a', '000B82000002', 'bob')).rejects.toEqual(code('unknown_agent'));
    await dir.upsertAgent('b', { id: 'bob', name: 'Bob' });
    await expect(dir.bindDevice('a', '000B82000002', 'bob')).rejects.toEqual(code('unknown_agent'));
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
    await expect(dir.setDeviceControl('acme', '000B82000001', { password: 'x' })).rejects.toEqual(code('unknown_device'));
    await dir.recordDeviceEvent('acme', { mac: '000B82000001', ip: null, event: 'boot', at: T0 });
    await expect(dir.setDeviceControl('acme', '000B82000001', { password: '' })).rejects.toEqual(code('invalid_input'));
    await expect(dir.setDeviceControl('acme', '000B82000001', { host: '  ' })).rejects.toEqual(code('invalid_input'));
    await expect(dir.setDeviceControl('acme', '000B82000001', { port: 70000 })).rejects.toEqual(code('invalid_input'));
    expect(await dir.deviceControl('other', '000B82000001')).toBeNull();
  });
});
