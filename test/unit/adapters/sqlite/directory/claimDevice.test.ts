// Zero-typing pairing's directory write (Directory.claimDevice): binds a phone only while nobody
// owns it, in one write, and answers whoever owns it afterwards.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteDirectory } from '../../../../../src/adapters/sqlite/directory/SqliteDirectory';
import { openTempDatabase } from '../../../../support/tmp';

let tmp: ReturnType<typeof openTempDatabase>;
let dir: SqliteDirectory;

beforeEach(async () => {
  tmp = openTempDatabase();
  dir = new SqliteDirectory(tmp.db);
  await dir.upsertAgent('acme', { id: 'seat', name: 'Seat' });
  await dir.upsertAgent('acme', { id: 'alice', name: 'Alice' });
});
afterEach(() => tmp.cleanup());

describe('claimDevice', () => {
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
});
