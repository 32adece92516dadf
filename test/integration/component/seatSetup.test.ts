// The first run of a seat (issue 13): the seat's own agent sees who it is, changes its own name and
// extension (validated, the extension/helpline rule kept), reads the lines to paste into its phone,
// and rings itself ("Ring me") through the real phone listener. Nobody else may; in shared mode
// no agent session may. A real in-process Ringside, driven over HTTP and the WebSocket.
import { afterEach, describe, expect, it } from 'vitest';
import { deleteKeys } from '../../support/office';
import { AgentClient, startTestRingside, type TestRingside } from '../../support/ringside';
import { REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from '../../support/services';
import { ALICE } from '../../../tools/simulator/cast';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../unit/tools/simulator/controlHelpers';
import { MAC_A } from './fixtures';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await closeAllPhones();
});

async function seat(overrides: Record<string, unknown> = {}): Promise<TestRingside> {
  const r = await startTestRingside({ agent: 'seat', ...overrides });
  stops.push(() => r.stop());
  return r;
}

/** An agent UI for an agent already in the directory (the seat's own is there from the first start). */
async function signIn(r: TestRingside, agent: string): Promise<AgentClient> {
  const session = await r.api<{ token: string }>('POST', '/api/session', { body: { agent } });
  expect(session.status).toBe(200);
  const client = await AgentClient.connect(r.instance.apiUrl, session.body.token, { name: agent });
  stops.unshift(async () => client.close());
  return client;
}

interface Me { agent: { id: string; name: string; extension: string | null }; seat: boolean; phoneReported: boolean }

describe("the seat's own agent on a single seat", () => {
  it('is a directory entry from the first start, and sees itself as the seat with no phone yet', async () => {
    const r = await seat();
    const ui = await signIn(r, 'seat');
    const me = await r.api<Me>('GET', '/api/me', { token: ui.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ agent: { id: 'seat', name: 'seat', extension: null }, seat: true, phoneReported: false });
  });

  it('changes its own name and extension; bad input changes nothing; the extension/helpline rule holds', async () => {
    const r = await seat();
    await r.agent('alice', { extension: '301' });
    expect((await r.api('POST', '/api/helplines', { body: { number: '500', name: 'Sales' } })).status).toBe(200);
    const ui = await signIn(r, 'seat');
    const put = (body: unknown) => r.api<Me & { error?: string }>('PUT', '/api/me', { token: ui.token, body });

    const saved = await put({ name: '  Sam Seat ', extension: '240' });
    expect(saved.status).toBe(200);
    expect(saved.body.agent).toEqual({ id: 'seat', name: 'Sam Seat', extension: '240' });

    for (const bad of [{ name: '' }, { extension: 'two-forty' }, { name: 'X', supervisor: true }, { id: 'alice', name: 'Alice' }]) {
      expect((await put(bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const taken = await put({ extension: '301' });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe('extension_taken');
    const helpline = await put({ extension: '500' });
    expect(helpline.status).toBe(409);
    expect(helpline.body.error).toBe('extension_is_helpline');

    const agents = await r.api<{ items: Array<{ id: string; name: string; extension: string | null; supervisor: boolean }> }>('GET', '/api/agents');
    expect(agents.body.items.find((a) => a.id === 'seat')).toMatchObject({ name: 'Sam Seat', extension: '240', supervisor: false });
    expect(agents.body.items.find((a) => a.id === 'alice')).toMatchObject({ extension: '301' });
  });

  it('reads the lines to paste into its phone; another agent may not', async () => {
    const r = await seat();
    const mine = await signIn(r, 'seat');
    await r.agent('alice', {});
    const alice = await signIn(r, 'alice');

    const urls = await r.api<{ urls: Array<{ label: string; url: string }> }>('GET', '/api/action-urls', { token: mine.token });
    expect(urls.status).toBe(200);
    expect(urls.body.urls.map((u) => u.label)).toContain('Incoming Call');
    expect((await r.api('GET', '/api/action-urls', { token: alice.token })).status).toBe(403);
    expect((await r.api('PUT', '/api/me', { token: alice.token, body: { name: 'Mallory' } })).status).toBe(403);
    expect((await r.api('POST', '/api/me/test-call', { token: alice.token })).status).toBe(403);
    expect((await r.api('PUT', '/api/me', { body: { name: 'Admin' } })).status).toBe(400);
  });

  it('"Ring me": a test call through the phone listener shows the real card, is answered and ends', async () => {
    const r = await seat();
    await r.api('POST', '/api/agents', { body: { id: 'seat', name: 'Sam Seat', extension: '240', devices: [MAC_A] } });
    const ui = await signIn(r, 'seat');

    const started = await r.api<{ number: string; name: string }>('POST', '/api/me/test-call', { token: ui.token });
    expect(started.status).toBe(200);
    const ringing = await ui.callMessage('call.ringing', started.body.number);
    expect(ringing.card).toMatchObject({ name: 'Ringside test call' });
    expect((await r.api<{ error: string }>('POST', '/api/me/test-call', { token: ui.token })).body.error).toBe('test_call_ringing');
    expect((await ui.callMessage('call.ended', started.body.number, { timeoutMs: 15_000 })).outcome).toBe('answered');

    const calls = await r.api<{ items: Array<{ status: string; agent: string; legs: Array<{ mac: string }> }> }>('GET', `/api/calls?remote=${encodeURIComponent(started.body.number)}`);
    expect(calls.body.items).toEqual([expect.objectContaining({ status: 'answered', agent: 'seat' })]);
    expect(calls.body.items[0]!.legs[0]!.mac).toBe(MAC_A.replaceAll(':', ''));
  });
});

describe("the seat's phone by its address", () => {
  it('writes the Action URLs into the phone; its first call then pairs it with the seat: setup done', async () => {
    const r = await seat({ publicHost: '127.0.0.1' });
    const ui = await signIn(r, 'seat');
    const phone = await startPhone();
    const provision = (body: unknown) => r.api<{ slots: Array<{ outcome: string }>; error?: string }>('POST', '/api/me/phone/provision', { token: ui.token, body });

    const wrong = await provision({ host: '127.0.0.1', port: phone.port, password: 'not-the-password' });
    expect(wrong.status).toBe(502);
    expect(wrong.body.error).toBe('phone_bad_credentials');
    const written = await provision({ host: '127.0.0.1', port: phone.port, password: PHONE_PASSWORD });
    expect(written.status).toBe(200);
    expect(written.body.slots.every((slot) => slot.outcome === 'written')).toBe(true);

    phone.ring('+34915550123', 'Lucía Fernández');
    await phone.outbox.flush();
    expect(phone.outbox.failures).toEqual([]);
    await ui.callMessage('call.ringing', '+34915550123');
    await r.settle();
    expect((await r.api<Me>('GET', '/api/me', { token: ui.token })).body.phoneReported).toBe(true);
    const agents = await r.api<{ items: Array<{ id: string; devices: string[] }> }>('GET', '/api/agents');
    expect(agents.body.items.find((a) => a.id === 'seat')?.devices).toEqual([ALICE.phone.mac.replaceAll(':', '')]);
  });

  it('only to a phone on the local network, only for the seat, and bad input writes nothing', async () => {
    const r = await seat();
    const ui = await signIn(r, 'seat');
    await r.agent('alice', {});
    const alice = await signIn(r, 'alice');
    for (const host of ['8.8.8.8', 'example.com', '169.254.169.254.evil', '300.1.1.1', '2001:db8::1']) {
      expect((await r.api('POST', '/api/me/phone/provision', { token: ui.token, body: { host, password: 'x' } })).status, host).toBe(400);
    }
    expect((await r.api('POST', '/api/me/phone/provision', { token: ui.token, body: { host: '192.168.1.50' } })).status).toBe(400);
    expect((await r.api('POST', '/api/me/phone/provision', { token: alice.token, body: { host: '192.168.1.50', password: 'x' } })).status).toBe(403);
  });
});

describe('shared mode', () => {
  it('no agent session changes itself or rings itself; /api/me still answers who it is', async () => {
    const root = uniqueName('seat-setup');
    const r = await seat({ redis: { url: REDIS_URL, callsDb: TEST_CALLS_DB, cacheDb: TEST_CACHE_DB, keyPrefix: root } });
    stops.push(() => deleteKeys(root));
    const ui = await signIn(r, 'seat');

    expect((await r.api<Me>('GET', '/api/me', { token: ui.token })).body.seat).toBe(false);
    expect((await r.api('PUT', '/api/me', { token: ui.token, body: { name: 'Sam' } })).status).toBe(403);
    expect((await r.api('POST', '/api/me/test-call', { token: ui.token })).status).toBe(403);
    expect((await r.api('GET', '/api/action-urls', { token: ui.token })).status).toBe(403);
    expect((await r.api('POST', '/api/me/phone/provision', { token: ui.token, body: { host: '127.0.0.1', password: 'x' } })).status).toBe(403);
  });
});
