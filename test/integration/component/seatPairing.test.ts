// Zero-typing pairing (issue 13): on a single seat, the first event of a phone nobody has bound
// binds it to the seat's own agent, so the directory (and the UI's first-run setup) shows that the
// seat's phone has reported. A phone bound to someone, or on another agent's extension, is left
// alone; in shared mode (no seat agent) nothing is bound. A real in-process Ringside, real Redis.
import { afterEach, describe, expect, it } from 'vitest';
import { deleteKeys } from '../../support/office';
import { startTestRingside, type TestRingside } from '../../support/ringside';
import { REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from '../../support/services';
import { MAC_A, MAC_B, MAC_C, newCaller, onlyCallFrom, params } from './fixtures';

interface DeviceRow { mac: string; agent: string | null }

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function seat(overrides: Record<string, unknown> = {}): Promise<TestRingside> {
  const r = await startTestRingside({ agent: 'seat', ...overrides });
  stops.push(() => r.stop());
  return r;
}

async function ownerOf(r: TestRingside, mac: string): Promise<string | null | undefined> {
  const res = await r.api<{ items: DeviceRow[] }>('GET', '/api/devices');
  expect(res.status).toBe(200);
  const wanted = mac.replaceAll(':', '').toUpperCase();
  const row = res.body.items.find((d) => d.mac.replaceAll(':', '').toUpperCase() === wanted);
  return row === undefined ? undefined : row.agent;
}

async function ring(r: TestRingside, mac: string, local: string): Promise<string> {
  const caller = newCaller();
  expect((await r.phone('incoming', params(mac, caller, local))).status).toBe(200);
  await r.settle();
  return caller;
}

describe('zero-typing pairing of the seat\'s phone', () => {
  it('single seat: the first call from an unknown phone binds it to the seat\'s agent, and the call is theirs', async () => {
    const r = await seat();
    expect(await ownerOf(r, MAC_A)).toBeUndefined();

    const caller = await ring(r, MAC_A, '201');

    expect(await ownerOf(r, MAC_A)).toBe('seat');
    expect((await onlyCallFrom(r, caller)).legs[0]).toMatchObject({ agent: 'seat' });
    const seatAgent = await r.api<{ items: Array<{ id: string; devices: string[] }> }>('GET', '/api/agents');
    expect(seatAgent.body.items.find((a) => a.id === 'seat')?.devices).toEqual([MAC_A.replaceAll(':', '')]);
  });

  it('single seat: a phone\'s first registration pairs it too (before any call)', async () => {
    const r = await seat();
    expect((await r.phone('registered', { mac: MAC_B, phone_ip: '192.0.2.7' })).status).toBe(200);
    await r.settle();
    expect(await ownerOf(r, MAC_B)).toBe('seat');
  });

  it('single seat: a phone bound to another agent, or on another agent\'s extension, is not taken', async () => {
    const r = await seat();
    await r.agent('alice', { extension: '301', devices: [MAC_A] });
    await r.agent('bob', { extension: '302' });

    await ring(r, MAC_A, '999');
    await ring(r, MAC_C, '302');

    expect(await ownerOf(r, MAC_A)).toBe('alice');
    // Bob's line rang on a phone nobody bound: it stays unbound (it is not the seat's).
    expect(await ownerOf(r, MAC_C) ?? null).toBeNull();
  });

  it('shared mode: a phone nobody has bound stays unbound', async () => {
    const root = uniqueName('pairing');
    const r = await seat({ redis: { url: REDIS_URL, callsDb: TEST_CALLS_DB, cacheDb: TEST_CACHE_DB, keyPrefix: root } });
    stops.push(() => deleteKeys(root));

    expect((await r.phone('registered', { mac: MAC_A, phone_ip: '192.0.2.7' })).status).toBe(200);
    await ring(r, MAC_A, '201');

    expect(await ownerOf(r, MAC_A)).toBeNull();
  });
});
