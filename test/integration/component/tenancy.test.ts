import { Redis } from 'ioredis';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFICE_SHARDS, deleteOfficeState } from '../../support/office';
import { AgentClient, TEST_TOKEN, TEST_WEBHOOK_TOKEN, type PushedMessage, type TestRingside, startTestRingside } from '../../support/ringside';
import { AMQP_URL, REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from '../../support/services';
import { makeTempDir } from '../../support/tmp';
import { HELPLINE, MAC_A, MAC_B, MAC_C, newCaller, params } from './fixtures';

/**
 * Two tenants, acme and globex, each served by its own Ringside process, sharing one Redis (one
 * key prefix), one RabbitMQ (one exchange and queues: either process may handle the other's
 * events) and one SQLite database file. They have the same agent id, extension, device MAC,
 * helpline and contact number. Acme, with its admin and agent tokens, then tries every route of
 * the agent API and the WebSocket to read or change globex's data; each attempt checks the
 * refusal or the empty answer, and that globex's data is what it was.
 */
const GLOBEX_TOKEN = 'globex-admin-token-9876543210';
const ALICE = 'alice';
const GINA = 'gina'; // globex only
const CONTACT = '+923001234567';
const GLOBEX_CONTACT = '+923009999999'; // globex only
const GLOBEX_HELPLINE = '5999'; // globex only
const MAC_A_KEY = MAC_A.replaceAll(':', '');
const MAC_C_KEY = MAC_C.replaceAll(':', ''); // globex only
const MAC_B_KEY = MAC_B.replaceAll(':', ''); // acme's Bob (the roles below)

interface Tenant {
  name: 'acme' | 'globex';
  r: TestRingside;
  /** Alice's UI (WebSocket) and her agent token. */
  alice: AgentClient;
  admin: AgentClient;
  callIds: string[];
  missedIds: string[];
}

interface ListBody<T> {
  items: T[];
}

const root = uniqueName('tenancy');
const databaseDir = makeTempDir('ringside-tenancy-');
const shared = {
  redis: { url: REDIS_URL, callsDb: TEST_CALLS_DB, cacheDb: TEST_CACHE_DB, keyPrefix: root },
  amqp: { url: AMQP_URL, exchange: root, queue: `${root}-queue`, shards: OFFICE_SHARDS },
  database: join(databaseDir.dir, 'ringside.db'),
  missedDelayMs: 60_000,
  // The seat's own agent is Alice in both (no implicit `me` agent beside her).
  agent: 'alice',
};
let acme: Tenant;
let globex: Tenant;
let gina: AgentClient;
/** Globex's data as its own admin sees it, before acme tried anything. */
let globexBefore: unknown;
const redis = new Redis(REDIS_URL, { db: TEST_CALLS_DB });

async function settle(): Promise<void> {
  // Either process may handle either tenant's events: go round until a whole pass was quiet.
  const seats = [acme?.r ?? null, globex?.r ?? null].filter((s): s is TestRingside => s !== null);
  for (let quiet = 0; quiet < 2;) {
    const before = await Promise.all(seats.map((s) => s.instance.metrics.eventsHandled.get()));
    for (const seat of seats) await seat.instance.drained();
    const after = await Promise.all(seats.map((s) => s.instance.metrics.eventsHandled.get()));
    quiet = JSON.stringify(before) === JSON.stringify(after) ? quiet + 1 : 0;
  }
  for (const seat of seats) await seat.instance.housekeeping();
}

async function phone(r: TestRingside, steps: Array<[string, Record<string, string>]>): Promise<void> {
  for (const [event, p] of steps) {
    const res = await r.phone(event, p);
    if (res.status !== 200) throw new Error(`${event}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

async function ok<T>(r: TestRingside, method: string, path: string, options: { token?: string; body?: unknown; raw?: string } = {}): Promise<T> {
  const res = await r.api<T>(method, path, options);
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The same directory and calls in both tenants; globex has a little more. */
async function populate(t: Omit<Tenant, 'alice' | 'admin' | 'callIds' | 'missedIds'>): Promise<Tenant> {
  const { r, name } = t;
  await ok(r, 'POST', '/api/helplines', { body: { number: HELPLINE, name: `Support (${name})` } });
  const alice = await r.agent(ALICE, { name: `Alice (${name})`, extension: '201', devices: [MAC_A], helplines: [HELPLINE] });
  await ok(r, 'POST', '/api/contacts', { body: { number: CONTACT, name: `Customer of ${name}` } });
  await ok(r, 'PUT', '/api/dispositions', { body: { items: [{ code: 'done', label: `Done (${name})` }] } });
  const answered = CONTACT;
  const missed = `+9230055500${name === 'acme' ? '01' : '02'}`;
  await phone(r, [
    ['incoming', params(MAC_A, answered, '201')], ['answered', params(MAC_A, answered, '201')], ['hangup', params(MAC_A, answered, '201')],
    ['incoming', params(MAC_A, missed, '201')], ['missed', params(MAC_A, missed, '201')],
  ]);
  const admin = await AgentClient.connect(r.instance.apiUrl, r.config.adminToken);
  return { ...t, alice, admin, callIds: [], missedIds: [] };
}

async function recordIds(t: Tenant): Promise<void> {
  t.callIds = (await ok<ListBody<{ id: string }>>(t.r, 'GET', '/api/calls?limit=200')).items.map((c) => c.id).sort();
  t.missedIds = (await ok<ListBody<{ callId: string }>>(t.r, 'GET', '/api/missed')).items.map((m) => m.callId).sort();
}

/** Everything of globex's that acme must neither see nor change, as globex's admin and agent see it. */
async function globexView(): Promise<unknown> {
  const get = <T>(path: string, token?: string) => ok<T>(globex.r, 'GET', path, token ? { token } : {});
  const withoutPresence = (body: ListBody<Record<string, unknown>>) => body.items.map(({ presence: _presence, ...rest }) => rest);
  return {
    agents: withoutPresence(await get('/api/agents')),
    devices: await get('/api/devices'),
    helplines: await get('/api/helplines'),
    contacts: await get('/api/contacts?limit=200'),
    calls: await get('/api/calls?limit=200'),
    missed: await get('/api/missed'),
    stats: await get('/api/stats'),
    session: await get('/api/session', globex.alice.token),
    lookups: await Promise.all(['agents', 'helplines', 'dispositions'].map((name) => get(`/api/lookups/${name}`))),
    callbackQueue: await redis.zrange(`${root}:account:{globex}:queue:callback`, 0, -1),
    sessions: await redis.zcard(`${root}:account:{globex}:sessions:active`),
  };
}

beforeAll(async () => {
  const acmeSeat = await startTestRingside({ ...shared, account: 'acme' });
  const globexSeat = await startTestRingside({ ...shared, account: 'globex', adminToken: GLOBEX_TOKEN });
  acme = await populate({ name: 'acme', r: acmeSeat });
  globex = await populate({ name: 'globex', r: globexSeat });
  // Globex only: an agent, a phone, a helpline, a contact, phone control settings, a helpline missed call.
  gina = await globex.r.agent(GINA, { name: 'Gina (globex)', extension: '209', devices: [MAC_C] });
  await ok(globex.r, 'POST', '/api/helplines', { body: { number: GLOBEX_HELPLINE, name: 'Secret line (globex)' } });
  await ok(globex.r, 'POST', '/api/contacts', { body: { number: GLOBEX_CONTACT, name: 'Secret customer (globex)' } });
  await ok(globex.r, 'PUT', `/api/devices/${MAC_A_KEY}/control`, { body: { host: '127.0.0.9', port: 9, password: 'globex-phone-password' } });
  const helplineCaller = '+923005550003';
  await phone(globex.r, [
    ['incoming', params(MAC_A, helplineCaller)], ['incoming', params(MAC_C, helplineCaller)],
    ['missed', params(MAC_A, helplineCaller)], ['missed', params(MAC_C, helplineCaller)],
  ]);
  await settle();
  for (const t of [acme, globex]) t.r.advance(61_000);
  await settle();
  await takeBaseline();
  expect(acme.missedIds).toHaveLength(1);
  expect(globex.missedIds).toHaveLength(2);
});

/** The ids of both tenants' calls, and globex's data, as they are now: what the attempts must leave alone. */
async function takeBaseline(): Promise<void> {
  await recordIds(acme);
  await recordIds(globex);
  globexBefore = await globexView();
}

afterAll(async () => {
  for (const t of [acme, globex]) {
    t?.admin.close();
    await t?.r.stop();
  }
  redis.disconnect();
  await deleteOfficeState(root);
  databaseDir.cleanup();
});

/** What acme's tokens get: the admin's (RINGSIDE_ADMIN_TOKEN of acme) and Alice's agent token. */
const asAdmin = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
  acme.r.api<T>(method, path, body === undefined ? {} : typeof body === 'string' ? { raw: body } : { body });
const asAgent = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
  acme.r.api<T>(method, path, body === undefined ? { token: acme.alice.token } : { token: acme.alice.token, body });

/** The secret as a token of its own: the helpline 5999 must not match inside a figure like 0.59991 of /metrics. */
function standalone(secret: string): RegExp {
  return new RegExp(`(?<![0-9A-Za-z.])${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9A-Za-z])`);
}

function expectNoGlobex(body: unknown): void {
  const text = JSON.stringify(body);
  for (const secret of ['globex', GINA, GLOBEX_CONTACT, GLOBEX_HELPLINE, MAC_C_KEY, GLOBEX_TOKEN, 'globex-phone-password', ...globex.callIds]) {
    expect(text, `leaks ${secret}`).not.toMatch(standalone(secret));
  }
}

const phoneActions = ['answer', 'hangup', 'hold'] as const;

/**
 * One attempt per route of the agent API: acme's admin and agent try to reach globex's data
 * through it (by id, MAC, number, call id, missed id, query filters, sessions). Each must be
 * refused or find nothing; the test after each checks globex's data is unchanged.
 */
const attempts: Record<string, () => Promise<void>> = {
  'GET /healthz': async () => {
    const res = await acme.r.api<{ phone: { phones: number } }>('GET', '/healthz', { token: GLOBEX_TOKEN });
    expect(res.status).toBe(200);
    // Counts of acme's phones only: globex has two.
    expect(res.body.phone.phones).toBe(1);
  },
  'GET /metrics': async () => {
    expect((await asAgent('GET', '/metrics')).status).toBe(403);
    const res = await asAdmin<{ text: string }>('GET', '/metrics');
    expect(res.status).toBe(200);
    expectNoGlobex(res.body.text);
  },
  'POST /api/agents': async () => {
    expect((await asAgent('POST', '/api/agents', { id: GINA, name: 'Hijack' })).status).toBe(403);
    // The admin writes acme's own agent of that id, never globex's.
    expect(await asAdmin('POST', '/api/agents', { id: GINA, name: 'Gina of acme' })).toMatchObject({ status: 200, body: { account: 'acme' } });
    expect((await asAdmin('DELETE', `/api/agents/${GINA}`)).status).toBe(200);
  },
  'GET /api/agents': async () => {
    for (const get of [asAdmin, asAgent]) {
      const res = await get<ListBody<{ id: string; name: string }>>('GET', '/api/agents');
      expect(res.body.items.map((a) => [a.id, a.name])).toEqual([[ALICE, 'Alice (acme)']]);
      expectNoGlobex(res.body);
    }
  },
  'DELETE /api/agents/:key': async () => {
    expect((await asAgent('DELETE', `/api/agents/${GINA}`)).status).toBe(403);
    expect((await asAdmin('DELETE', `/api/agents/${GINA}`)).status).toBe(404);
  },
  'POST /api/devices': async () => {
    expect((await asAgent('POST', '/api/devices', { mac: MAC_C, agent: ALICE })).status).toBe(403);
    expect((await asAdmin('POST', '/api/devices', { mac: MAC_C, agent: GINA })).status).toBe(404);
    // Binding globex's MAC in acme makes an acme device; globex's stays Gina's.
    expect(await asAdmin('POST', '/api/devices', { mac: MAC_C, agent: ALICE })).toMatchObject({ status: 200, body: { account: 'acme', agent: ALICE } });
    expect((await asAdmin('DELETE', `/api/devices/${MAC_C_KEY}`)).status).toBe(200);
    expect((await asAdmin('POST', '/api/agents', { id: ALICE, name: 'Alice (acme)', devices: [MAC_A] })).status).toBe(200);
  },
  'GET /api/devices': async () => {
    for (const get of [asAdmin, asAgent]) {
      const res = await get<ListBody<{ mac: string; account: string; control: { host: string | null; passwordSet: boolean } }>>('GET', '/api/devices');
      expect(res.body.items.map((d) => [d.mac, d.account, d.control.passwordSet])).toEqual([[MAC_A_KEY, 'acme', false]]);
      expect(res.body.items[0]!.control.host).not.toBe('127.0.0.9');
      expectNoGlobex(res.body);
    }
  },
  'DELETE /api/devices/:key': async () => {
    expect((await asAgent('DELETE', `/api/devices/${MAC_C_KEY}`)).status).toBe(403);
    expect((await asAdmin('DELETE', `/api/devices/${MAC_C_KEY}`)).status).toBe(404);
  },
  'PUT /api/devices/:mac/control': async () => {
    expect((await asAgent('PUT', `/api/devices/${MAC_A_KEY}/control`, { password: 'x' })).status).toBe(403);
    expect(await asAdmin('PUT', `/api/devices/${MAC_C_KEY}/control`, { password: 'x' })).toMatchObject({ status: 404, body: { error: 'unknown_device' } });
    // The same MAC in acme is acme's phone: its settings, not globex's.
    expect(await asAdmin('PUT', `/api/devices/${MAC_A_KEY}/control`, { host: '127.0.0.2', password: 'acme' })).toMatchObject({ status: 200, body: { account: 'acme', control: { host: '127.0.0.2', passwordSet: true } } });
    expect((await asAdmin('PUT', `/api/devices/${MAC_A_KEY}/control`, { host: null, password: null })).status).toBe(200);
  },
  'POST /api/devices/:mac/provision': async () => {
    expect((await asAgent('POST', `/api/devices/${MAC_A_KEY}/provision`, { dryRun: true })).status).toBe(403);
    expect(await asAdmin('POST', `/api/devices/${MAC_C_KEY}/provision`, { dryRun: true })).toMatchObject({ status: 404, body: { error: 'unknown_device' } });
    // Acme's MAC_A has no control settings; globex's (same MAC) has: they are not borrowed.
    expect(await asAdmin('POST', `/api/devices/${MAC_A_KEY}/provision`, { dryRun: true })).toMatchObject({ status: 409, body: { error: 'phone_not_configured' } });
  },
  'POST /api/helplines': async () => {
    expect((await asAgent('POST', '/api/helplines', { number: GLOBEX_HELPLINE, name: 'Hijack' })).status).toBe(403);
    expect(await asAdmin('POST', '/api/helplines', { number: GLOBEX_HELPLINE, name: 'Acme line' })).toMatchObject({ status: 200, body: { account: 'acme' } });
    expect((await asAdmin('DELETE', `/api/helplines/${GLOBEX_HELPLINE}`)).status).toBe(200);
  },
  'GET /api/helplines': async () => {
    for (const get of [asAdmin, asAgent]) {
      const res = await get<ListBody<{ number: string; name: string }>>('GET', '/api/helplines');
      expect(res.body.items.map((h) => [h.number, h.name])).toEqual([[HELPLINE, 'Support (acme)']]);
    }
  },
  'DELETE /api/helplines/:key': async () => {
    expect((await asAgent('DELETE', `/api/helplines/${GLOBEX_HELPLINE}`)).status).toBe(403);
    expect((await asAdmin('DELETE', `/api/helplines/${GLOBEX_HELPLINE}`)).status).toBe(404);
  },
  'POST /api/contacts': async () => {
    expect((await asAgent('POST', '/api/contacts', { number: GLOBEX_CONTACT, name: 'Overwrite' })).status).toBe(403);
    expect(await asAdmin('POST', '/api/contacts', { number: GLOBEX_CONTACT, name: 'Overwrite' })).toMatchObject({ status: 200, body: { name: 'Overwrite' } });
    expect((await asAdmin('DELETE', `/api/contacts/${encodeURIComponent(GLOBEX_CONTACT)}`)).status).toBe(200);
  },
  'POST /api/contacts/import': async () => {
    expect((await acme.r.api('POST', '/api/contacts/import', { token: acme.alice.token, raw: `number,name\n${GLOBEX_CONTACT},Overwrite\n` })).status).toBe(403);
    expect(await asAdmin('POST', '/api/contacts/import', `number,name\n${GLOBEX_CONTACT},Overwrite\n`)).toMatchObject({ status: 200, body: { imported: 1 } });
    expect((await asAdmin('DELETE', `/api/contacts/${encodeURIComponent(GLOBEX_CONTACT)}`)).status).toBe(200);
  },
  'GET /api/contacts': async () => {
    for (const get of [asAdmin, asAgent]) {
      // An agent looks contacts up by at least two characters (the roles below); the admin lists them all.
      const all = get === asAdmin ? '/api/contacts' : '/api/contacts?q=Customer';
      expect((await get<ListBody<{ number: string; name: string }>>('GET', all)).body.items.map((c) => [c.number, c.name])).toEqual([[CONTACT, 'Customer of acme']]);
      for (const q of ['globex', 'Secret', '9999999', GLOBEX_CONTACT]) {
        expect((await get<ListBody<unknown>>('GET', `/api/contacts?q=${encodeURIComponent(q)}`)).body.items).toEqual([]);
      }
    }
  },
  'DELETE /api/contacts/:key': async () => {
    expect((await asAgent('DELETE', `/api/contacts/${encodeURIComponent(GLOBEX_CONTACT)}`)).status).toBe(403);
    expect((await asAdmin('DELETE', `/api/contacts/${encodeURIComponent(GLOBEX_CONTACT)}`)).status).toBe(404);
  },
  'POST /api/session': async () => {
    expect((await asAgent('POST', '/api/session', { agent: ALICE })).status).toBe(403);
    expect((await asAdmin('POST', '/api/session', { agent: GINA })).status).toBe(404);
    // Acme's Alice: her token is acme's, and globex's process does not take it.
    const { token } = (await asAdmin<{ token: string }>('POST', '/api/session', { agent: ALICE })).body;
    expect((await globex.r.api('GET', '/api/session', { token })).status).toBe(401);
    expect((await globex.r.api('GET', '/api/calls', { token })).status).toBe(401);
    expect(await acme.r.api('GET', '/api/session', { token })).toMatchObject({ status: 200, body: { account: 'acme', agent: ALICE } });
  },
  'GET /api/session': async () => {
    expect(await asAgent('GET', '/api/session')).toMatchObject({ status: 200, body: { account: 'acme', agent: ALICE, name: 'Alice (acme)', kind: 'agent' } });
    expect(await asAdmin('GET', '/api/session')).toMatchObject({ status: 200, body: { account: 'acme', kind: 'admin' } });
  },
  // The seat's own agent's routes (seatRoutes.ts): in shared mode nobody is the seat.
  'GET /api/me': async () => {
    expect(await asAgent('GET', '/api/me')).toMatchObject({ status: 200, body: { agent: { id: ALICE, name: 'Alice (acme)' }, seat: false } });
  },
  'PUT /api/me': async () => {
    expect((await asAgent('PUT', '/api/me', { name: 'Mallory' })).status).toBe(403);
  },
  'POST /api/me/test-call': async () => {
    expect((await asAgent('POST', '/api/me/test-call', {})).status).toBe(403);
  },
  'POST /api/me/phone/provision': async () => {
    expect((await asAgent('POST', '/api/me/phone/provision', { host: '127.0.0.1', password: 'x' })).status).toBe(403);
  },
  'GET /api/calls': async () => {
    const filters = ['', `remote=${encodeURIComponent(CONTACT)}`, `agent=${ALICE}`, `agent=${GINA}`, 'q=Customer', 'q=globex', 'status=missed', 'direction=in',
      `remote=${encodeURIComponent('+923005550003')}`, 'limit=200'];
    for (const get of [asAdmin, asAgent]) {
      for (const filter of filters) {
        const res = await get<ListBody<{ id: string; account: string }>>('GET', `/api/calls?${filter}`);
        expect(res.status, filter).toBe(200);
        for (const call of res.body.items) {
          expect(call.account).toBe('acme');
          expect(acme.callIds).toContain(call.id);
        }
        expectNoGlobex(res.body);
      }
    }
  },
  'GET /api/calls/:id': async () => {
    for (const get of [asAdmin, asAgent]) {
      for (const id of [...globex.callIds, ...globex.missedIds]) expect((await get('GET', `/api/calls/${id}`)).status).toBe(404);
    }
  },
  'GET /api/missed': async () => {
    for (const get of [asAdmin, asAgent]) {
      for (const filter of ['', 'status=open', 'status=claimed', 'limit=500']) {
        const res = await get<ListBody<{ callId: string; account: string }>>('GET', `/api/missed?${filter}`);
        for (const missed of res.body.items) expect([missed.account, acme.missedIds.includes(missed.callId)]).toEqual(['acme', true]);
        expectNoGlobex(res.body);
      }
    }
  },
  'POST /api/missed/:id/callback': async () => {
    for (const id of globex.missedIds) {
      expect((await asAgent('POST', `/api/missed/${id}/callback`)).status).toBe(404);
      expect((await asAdmin('POST', `/api/missed/${id}/callback`, { agent: ALICE })).status).toBe(404);
    }
  },
  'POST /api/missed/next/callback': async () => {
    expect((await asAdmin('POST', '/api/missed/next/callback', { agent: GINA })).status).toBe(404);
    // Alice takes acme's missed call for her, and nothing after it, while globex's Alice has two waiting.
    const taken = await asAgent<{ missed: { callId: string; account: string } }>('POST', '/api/missed/next/callback');
    expect(taken).toMatchObject({ status: 200, body: { missed: { account: 'acme', callId: acme.missedIds[0] } } });
    expect(await asAgent('POST', '/api/missed/next/callback')).toMatchObject({ status: 404, body: { error: 'queue_empty' } });
    expect(await asAdmin('POST', '/api/missed/next/callback', { agent: ALICE })).toMatchObject({ status: 404, body: { error: 'queue_empty' } });
  },
  'POST /api/phone/dial': async () => {
    expect(await asAgent('POST', '/api/phone/dial', { number: '123', mac: MAC_C })).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await asAdmin('POST', '/api/phone/dial', { number: '123', mac: MAC_C })).toMatchObject({ status: 404, body: { error: 'unknown_device' } });
    // Alice's own phone in acme has no control settings; globex's same MAC (with settings) is not used.
    expect(await asAgent('POST', '/api/phone/dial', { number: '123' })).toMatchObject({ status: 409, body: { error: 'phone_not_configured' } });
    expect(await asAdmin('POST', '/api/phone/dial', { number: '123', mac: MAC_A })).toMatchObject({ status: 409, body: { error: 'phone_not_configured' } });
  },
  ...Object.fromEntries(phoneActions.map((action) => [`POST /api/phone/${action}`, async () => {
    expect(await asAgent('POST', `/api/phone/${action}`, { mac: MAC_C })).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await asAdmin('POST', `/api/phone/${action}`, { mac: MAC_C })).toMatchObject({ status: 404, body: { error: 'unknown_device' } });
    expect(await asAgent('POST', `/api/phone/${action}`, {})).toMatchObject({ status: 409, body: { error: 'phone_not_configured' } });
  }])),
  'GET /api/action-urls': async () => {
    expect((await asAgent('GET', '/api/action-urls')).status).toBe(403);
    const res = await asAdmin('GET', '/api/action-urls');
    // The lines carry the webhook token, never the admin token.
    expect(JSON.stringify(res.body)).toContain(TEST_WEBHOOK_TOKEN);
    expect(JSON.stringify(res.body)).not.toContain(TEST_TOKEN);
    expectNoGlobex(res.body);
  },
  'GET /api/tokens': async () => {
    expect((await asAgent('GET', '/api/tokens')).status).toBe(403);
    const res = await asAdmin('GET', '/api/tokens');
    expect(res).toMatchObject({ status: 200, body: { webhook: { source: 'configured' }, admin: { source: 'configured' } } });
    expect(JSON.stringify(res.body)).not.toContain(TEST_TOKEN);
    expectNoGlobex(res.body);
  },
  'POST /api/tokens/webhook/rotate': async () => {
    expect((await asAgent('POST', '/api/tokens/webhook/rotate', {})).status).toBe(403);
    // Configured tokens are changed where they are configured, not by Ringside.
    expect(await asAdmin('POST', '/api/tokens/webhook/rotate', {})).toMatchObject({ status: 409, body: { error: 'token_configured' } });
  },
  'POST /api/tokens/webhook/retire': async () => {
    expect((await asAgent('POST', '/api/tokens/webhook/retire', {})).status).toBe(403);
    expect(await asAdmin('POST', '/api/tokens/webhook/retire', {})).toMatchObject({ status: 200, body: { retired: false } });
  },
  'POST /api/tokens/admin/rotate': async () => {
    expect((await asAgent('POST', '/api/tokens/admin/rotate', {})).status).toBe(403);
    expect(await asAdmin('POST', '/api/tokens/admin/rotate', {})).toMatchObject({ status: 409, body: { error: 'token_configured' } });
  },
  'POST /api/signin-links': async () => {
    expect((await asAgent('POST', '/api/signin-links', { agent: ALICE })).status).toBe(403);
    expect((await asAdmin('POST', '/api/signin-links', { agent: GINA })).status).toBe(404);
    const { url } = (await asAdmin<{ url: string }>('POST', '/api/signin-links', { agent: ALICE })).body;
    const code = new URL(url).hash.replace('#signin=', '');
    // Globex's process does not take acme's link; acme's signs acme's Alice in.
    expect((await globex.r.api('POST', '/api/signin', { token: undefined, body: { code } })).status).toBe(401);
    expect(await acme.r.api('POST', '/api/signin', { token: undefined, body: { code } })).toMatchObject({ status: 200, body: { account: 'acme', agent: ALICE } });
  },
  'POST /api/signin': async () => {
    const { url } = (await globex.r.api<{ url: string }>('POST', '/api/signin-links', { body: { agent: GINA } })).body;
    const code = new URL(url).hash.replace('#signin=', '');
    expect((await acme.r.api('POST', '/api/signin', { token: undefined, body: { code } })).status).toBe(401);
    // A password acme's Alice chose (through an invite: it ends no session) does not sign in globex's Alice, of the same id.
    const invite = (await asAdmin<{ url: string }>('POST', `/api/agents/${ALICE}/invite`, {})).body.url;
    const accepted = await acme.r.api('POST', '/api/invites/accept', { token: undefined, body: { code: new URL(invite).hash.replace('#invite=', ''), password: 'acme alice password' } });
    expect(accepted).toMatchObject({ status: 200, body: { account: 'acme', agent: ALICE } });
    expect((await globex.r.api('POST', '/api/signin', { token: undefined, body: { agent: ALICE, password: 'acme alice password' } })).status).toBe(401);
    expect(await acme.r.api('POST', '/api/signin', { token: undefined, body: { agent: ALICE, password: 'acme alice password' } })).toMatchObject({ status: 200, body: { account: 'acme', agent: ALICE } });
  },
  'DELETE /api/session': async () => {
    // Acme's own session, signed out at acme; globex's Alice (same id) keeps hers.
    const { token } = (await asAdmin<{ token: string }>('POST', '/api/session', { agent: ALICE })).body;
    expect((await globex.r.api('DELETE', '/api/session', { token })).status).toBe(401);
    expect((await acme.r.api('DELETE', '/api/session', { token })).status).toBe(200);
    expect((await acme.r.api('GET', '/api/session', { token })).status).toBe(401);
  },
  'POST /api/session/password': async () => {
    // Acme's Alice changes her own password (set through an invite above): globex's Alice, of the same id, is untouched.
    const { token } = (await asAdmin<{ token: string }>('POST', '/api/session', { agent: ALICE })).body;
    expect((await globex.r.api('POST', '/api/session/password', { token, body: { current: 'acme alice password', password: 'hijacked password' } })).status).toBe(401);
    expect((await asAdmin('POST', '/api/session/password', { current: 'x', password: 'hijacked password' })).status).toBe(400);
  },
  'GET /api/agents/:agent/password': async () => {
    expect((await asAgent('GET', `/api/agents/${GINA}/password`)).status).toBe(403);
    expect((await asAdmin('GET', `/api/agents/${GINA}/password`)).status).toBe(404);
  },
  'POST /api/agents/:agent/password': async () => {
    expect((await asAgent('POST', `/api/agents/${GINA}/password`, { password: 'hijacked password' })).status).toBe(403);
    expect((await asAdmin('POST', `/api/agents/${GINA}/password`, { password: 'hijacked password' })).status).toBe(404);
  },
  'DELETE /api/agents/:agent/password': async () => {
    expect((await asAgent('DELETE', `/api/agents/${GINA}/password`)).status).toBe(403);
    expect((await asAdmin('DELETE', `/api/agents/${GINA}/password`)).status).toBe(404);
  },
  'POST /api/agents/:agent/invite': async () => {
    expect((await asAgent('POST', `/api/agents/${GINA}/invite`, {})).status).toBe(403);
    expect((await asAdmin('POST', `/api/agents/${GINA}/invite`, {})).status).toBe(404);
    // Acme's invite for its Alice is nothing at globex's process.
    const code = new URL((await asAdmin<{ url: string }>('POST', `/api/agents/${ALICE}/invite`, {})).body.url).hash.replace('#invite=', '');
    expect((await globex.r.api('POST', '/api/invites/check', { token: undefined, body: { code } })).status).toBe(401);
    expect((await globex.r.api('POST', '/api/invites/accept', { token: undefined, body: { code, password: 'hijacked password' } })).status).toBe(401);
    expect(await acme.r.api('POST', '/api/invites/check', { token: undefined, body: { code } })).toMatchObject({ status: 200, body: { agent: ALICE } });
  },
  'POST /api/invites/check': async () => {
    const code = await globexInvite();
    expect((await acme.r.api('POST', '/api/invites/check', { token: undefined, body: { code } })).status).toBe(401);
  },
  'POST /api/invites/accept': async () => {
    const code = await globexInvite();
    expect((await acme.r.api('POST', '/api/invites/accept', { token: undefined, body: { code, password: 'hijacked password' } })).status).toBe(401);
  },
  'GET /api/stats': async () => {
    const all = await asAdmin<ListBody<{ agent: string; offered: number }>>('GET', '/api/stats');
    // Acme's Alice was offered her two calls; globex's Alice (same id) three.
    expect(all.body.items.map((s) => [s.agent, s.offered])).toEqual([[ALICE, 2]]);
    expect((await asAdmin<ListBody<unknown>>('GET', `/api/stats?agent=${GINA}`)).body.items).toEqual([]);
    const own = await asAgent<ListBody<{ agent: string; offered: number }>>('GET', '/api/stats');
    expect(own.body.items.map((s) => [s.agent, s.offered])).toEqual([[ALICE, 2]]);
    const other = await asAgent<ListBody<unknown>>('GET', `/api/stats?agent=${GINA}`);
    expect(other.status === 403 || (other.status === 200 && other.body.items.length === 0)).toBe(true);
  },
  'GET /api/stats/hourly': async () => {
    type Hourly = { agent: string | null; hours: Array<{ answered: number; missed: number }> };
    const total = (body: Hourly) => body.hours.reduce((n, h) => n + h.answered + h.missed, 0);
    // Acme's Alice had two calls, globex's Alice (same id) three: acme sees at most its own two.
    const team = await asAdmin<Hourly>('GET', '/api/stats/hourly');
    expect(team.status).toBe(200);
    expect(total(team.body)).toBeLessThanOrEqual(2);
    expect(total((await asAdmin<Hourly>('GET', `/api/stats/hourly?agent=${GINA}`)).body)).toBe(0);
    const own = await asAgent<Hourly>('GET', '/api/stats/hourly');
    expect(own.body.agent).toBe(ALICE);
    expect(total(own.body)).toBeLessThanOrEqual(2);
  },
  'GET /api/lookups/:name': async () => {
    for (const get of [asAdmin, asAgent]) {
      for (const name of ['agents', 'helplines', 'dispositions']) {
        const res = await get<{ items: Array<{ value: string; label: string }> }>('GET', `/api/lookups/${name}`);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeGreaterThan(0);
        expectNoGlobex(res.body);
      }
    }
  },
  'GET /api/settings': async () => {
    for (const get of [asAdmin, asAgent]) {
      const res = await get<{ phones: Array<{ mac: string; account: string }> }>('GET', '/api/settings');
      expect(res.status).toBe(200);
      expect(res.body.phones.map((p) => [p.mac, p.account])).toEqual([[MAC_A_KEY, 'acme']]);
      expectNoGlobex(res.body);
    }
  },
  ...Object.fromEntries((['redis', 'rabbitmq', 'database'] as const).map((service) => [`POST /api/services/${service}/test`, async () => {
    expect((await asAgent('POST', `/api/services/${service}/test`, {})).status).toBe(403);
    const res = await asAdmin('POST', `/api/services/${service}/test`, {});
    expect(res.status).toBe(200);
    expectNoGlobex(res.body);
  }])),
  'POST /api/devices/:mac/control/test': async () => {
    expect(await asAgent('POST', `/api/devices/${MAC_C_KEY}/control/test`, {})).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await asAdmin('POST', `/api/devices/${MAC_C_KEY}/control/test`, {})).toMatchObject({ status: 404, body: { error: 'unknown_device' } });
    // Acme's own phone of the same MAC has no settings: globex's are not tried.
    expect(await asAgent('POST', `/api/devices/${MAC_A_KEY}/control/test`, {})).toMatchObject({ status: 409, body: { error: 'phone_not_configured' } });
  },
  'PUT /api/dispositions': async () => {
    expect((await asAgent('PUT', '/api/dispositions', { items: [{ code: 'x', label: 'Hijack' }] })).status).toBe(403);
    expect((await asAdmin('PUT', '/api/dispositions', { items: [{ code: 'done', label: 'Done (acme)' }, { code: 'later', label: 'Later' }] })).status).toBe(200);
  },
};

/** An invite link's code for globex's Gina (globex's admin asks for it: nothing a view of globex shows). */
async function globexInvite(): Promise<string> {
  const { url } = (await globex.r.api<{ url: string }>('POST', `/api/agents/${GINA}/invite`, { body: {} })).body;
  return new URL(url).hash.replace('#invite=', '');
}

/** Routes without a bearer token: the code or password in the body is the credential. */
const NO_BEARER = new Set(['/healthz', '/api/signin', '/api/invites/check', '/api/invites/accept']);

/** A globex value for each path parameter: the attempts above use these, and so does the token sweep. */
function globexPath(path: string): string {
  const values: Record<string, string> = {
    '/api/agents/:key': GINA, '/api/devices/:key': MAC_C_KEY, '/api/helplines/:key': GLOBEX_HELPLINE, '/api/contacts/:key': encodeURIComponent(GLOBEX_CONTACT),
  };
  return path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'key') return values[path]!;
    if (name === 'mac') return MAC_C_KEY;
    if (name === 'agent') return GINA;
    if (name === 'name') return 'agents';
    if (name === 'id') return path.startsWith('/api/missed') ? globex.missedIds[0]! : globex.callIds[0]!;
    throw new Error(`no globex value for :${name} in ${path}`);
  });
}

describe('tenant isolation: acme cannot reach globex (one Redis, one RabbitMQ, one SQLite file)', () => {
  it('every route of the agent API is tried below (a new route fails here until it is)', () => {
    const served = acme.r.instance.routes().map((r) => `${r.method} ${r.path}`).sort();
    expect(served).toEqual(Object.keys(attempts).sort());
  });

  it("globex's tokens open nothing at acme's process, on any route or the WebSocket", async () => {
    for (const { method, path } of acme.r.instance.routes()) {
      // No bearer token: anyone may ask, and a sign-in link's code is the credential (tried above).
      if (NO_BEARER.has(path)) continue;
      for (const token of [GLOBEX_TOKEN, globex.alice.token]) {
        const res = await acme.r.api(method, globexPath(path), method === 'GET' || method === 'DELETE' ? { token } : { token, body: {} });
        expect(res.status, `${method} ${path}`).toBe(401);
      }
    }
    for (const [apiUrl, token] of [[acme.r.instance.apiUrl, GLOBEX_TOKEN], [acme.r.instance.apiUrl, globex.alice.token], [globex.r.instance.apiUrl, acme.alice.token], [globex.r.instance.apiUrl, TEST_TOKEN]] as const) {
      await expect(AgentClient.connect(apiUrl, token)).rejects.toThrow(/401/);
    }
    expect(await globexView()).toEqual(globexBefore);
  });

  // Before the attempts below, so that every message acme's UIs got since they opened is looked at.
  it("acme's UIs never get globex's pushes: not its calls, presence or health, even for the same agent id", async () => {
    const globexCaller = newCaller();
    const acmeCaller = newCaller();
    // Globex: a call ringing its Alice (same id, extension and MAC as acme's), Gina away, Gina's phone registered.
    await phone(globex.r, [['incoming', params(MAC_A, globexCaller, '201')], ['registered', { mac: MAC_C, phone_ip: '192.0.2.9' }]]);
    gina.send({ type: 'presence.set', status: 'away' });
    await globex.alice.callMessage('call.ringing', globexCaller);
    await globex.admin.next((m) => m.type === 'presence.changed' && m.agent === GINA && m.status === 'away', 'gina away');
    // Then acme: its own call. Pushes of both accounts travel one Redis connection in order, so
    // once acme's arrive, globex's earlier ones would have arrived before them.
    await phone(acme.r, [['incoming', params(MAC_A, acmeCaller, '201')], ['registered', { mac: MAC_A, phone_ip: '192.0.2.1' }]]);
    await acme.alice.callMessage('call.ringing', acmeCaller);
    await acme.admin.callMessage('call.ringing', acmeCaller);
    await settle();

    for (const client of [acme.alice, acme.admin]) {
      const seen: readonly PushedMessage[] = client.messages;
      expect(seen.every((m) => m.account === 'acme')).toBe(true);
      expect(seen.filter((m) => m.type === 'presence.changed').map((m) => m.agent)).not.toContain(GINA);
      for (const health of client.received('health')) {
        for (const p of (health.phones as Array<{ mac: string }> | undefined) ?? []) expect(p.mac).toBe(MAC_A_KEY);
      }
      expect(JSON.stringify(seen)).not.toContain(globexCaller);
      expectNoGlobex(seen);
    }
    // Globex's Alice, for her part, never saw acme's call.
    expect(JSON.stringify(globex.alice.messages)).not.toContain(acmeCaller);
    for (const caller of [globexCaller, acmeCaller]) {
      await phone(caller === globexCaller ? globex.r : acme.r, [['hangup', params(MAC_A, caller, '201')]]);
    }
    await settle();
    // Globex's own activity above changed its data: the attempts below start from here.
    await takeBaseline();
  });

  it.each(Object.keys(attempts))("%s: acme's admin and agent reach nothing of globex's", async (route) => {
    await attempts[route]!();
    expect(await globexView()).toEqual(globexBefore);
  });

  it("every Redis key is global by design or under its tenant's hash tag, and no tenant's keys hold the other's data", async () => {
    const globalByDesign = new Set([`${root}:missed:accounts`, `${root}:ws:connections`]);
    const tenantOf = (key: string) => /^[^{]*:account:\{([^}]*)\}:/.exec(key.slice(root.length))?.[1] ?? null;
    let seen = 0;
    for (const db of [TEST_CALLS_DB, TEST_CACHE_DB]) {
      const client = new Redis(REDIS_URL, { db });
      try {
        for await (const batch of client.scanStream({ match: `${root}:*`, count: 500 })) {
          for (const key of batch as string[]) {
            seen++;
            if (globalByDesign.has(key)) continue;
            const tenant = tenantOf(key);
            expect(['acme', 'globex'], key).toContain(tenant);
            expect(key.startsWith(`${root}:account:{${tenant}}:`), key).toBe(true);
            const other = tenant === 'acme' ? 'globex' : 'acme';
            expect(`${key} ${await dump(client, key)}`, key).not.toContain(other);
          }
        }
      } finally {
        client.disconnect();
      }
    }
    expect(seen).toBeGreaterThan(0);
    for (const tenant of ['acme', 'globex']) {
      expect(await redis.exists(`${root}:account:{${tenant}}:sessions:active`), tenant).toBe(1);
      expect(await redis.smembers(`${root}:account:{${tenant}}:agents:registered`), tenant).toContain(ALICE);
    }
    expect(await redis.hget(`${root}:account:{acme}:agents:by_user`, ALICE)).toBe('Alice (acme)');
    expect(await redis.hget(`${root}:account:{globex}:agents:by_user`, ALICE)).toBe('Alice (globex)');
  });
});

/**
 * Inside one account, who sees what (docs/agent-api.md, Who sees what): the admin, a supervisor,
 * agent A (Alice), agent B (Bob), another account's agent and no token, against every route.
 * Acme gets Bob (his own phone and extension, and helpline 5100 of his alone) and Sam, a
 * supervisor without a phone; helpline 5000 becomes Alice's alone. Then: Bob's answered and
 * missed direct calls, a missed call of 5100, and a missed call of 5000 that rang Bob's phone
 * while Alice was away (so it was offered to Bob, not to her).
 */
const BOB = 'bob';
const SAM = 'sam';
const BOB_HELPLINE = '5100';
const BOB_ANSWERED = '+923005550021';
const BOB_MISSED = '+923005550022';
const ON_ALICES_HELPLINE = '+923005550023';
const ON_BOBS_HELPLINE = '+923005550024';
const NOTES = 'Prefers mornings; account 7731';

type Role = 'admin' | 'supervisor' | 'agentA' | 'agentB' | 'otherAccount' | 'none';
const ACME_ROLES = ['admin', 'supervisor', 'agentA', 'agentB'] as const;
type AcmeRole = (typeof ACME_ROLES)[number];
const NON_ADMIN = ['supervisor', 'agentA', 'agentB'] as const;

interface CallItem { id: string; remote: string; account: string }
interface MissedItem { callId: string; remote: string; status: string; owner: string | null }
interface DeviceItem { mac: string; agent: string | null; ip: string | null; registered: boolean | null; control: Record<string, unknown> }

let bob: AgentClient;
let sam: AgentClient;
const roleToken: Partial<Record<Role, string | undefined>> = {};
/** Acme's calls by who sees them, as the admin lists them once the calls above are in. */
let acmeCalls: CallItem[] = [];
let bobsOwn: string[] = [];
let onAlicesHelpline = '';

const as = (role: Role) => <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
  acme.r.api<T>(method, path, { token: roleToken[role], ...(body === undefined ? {} : typeof body === 'string' ? { raw: body } : { body }) });
const idsOf = (items: Array<{ id: string }>) => items.map((c) => c.id).sort();
const idOf = (remote: string) => acmeCalls.find((c) => c.remote === remote)!.id;

/**
 * An admin-only route: the supervisor and both agents are refused (403) whatever they send; the
 * admin gets past the check (the probe is harmless: bad input, an unknown key or a dry run).
 */
function adminOnly(method: string, path: string, probe?: unknown, adminStatus?: number): () => Promise<void> {
  return async () => {
    for (const role of NON_ADMIN) expect((await as(role)(method, path, probe)).status, `${role} ${method} ${path}`).toBe(403);
    const admin = await as('admin')(method, path, probe);
    if (adminStatus !== undefined) expect(admin.status, `admin ${method} ${path}`).toBe(adminStatus);
    else expect([401, 403], `admin ${method} ${path}: ${JSON.stringify(admin.body)}`).not.toContain(admin.status);
    // An agent marked admin (Bob, for this check): past the check like the admin, but the tokens
    // (/api/tokens/*) stay with the admin token. The mark is read per request.
    await ok(acme.r, 'POST', '/api/agents', { body: { id: BOB, name: 'Bob (acme)', admin: true } });
    try {
      const adminAgent = await as('agentB')(method, path, probe);
      if (path.startsWith('/api/tokens')) expect(adminAgent, `admin agent ${method} ${path}`).toMatchObject({ status: 403, body: { error: 'admin_token_only' } });
      else if (adminStatus !== undefined) expect(adminAgent.status, `admin agent ${method} ${path}`).toBe(adminStatus);
      else expect([401, 403], `admin agent ${method} ${path}: ${JSON.stringify(adminAgent.body)}`).not.toContain(adminAgent.status);
    } finally {
      await ok(acme.r, 'POST', '/api/agents', { body: { id: BOB, name: 'Bob (acme)', admin: false } });
    }
  };
}

const roleChecks: Record<string, () => Promise<void>> = {
  'GET /healthz': async () => {
    for (const role of [...ACME_ROLES, 'otherAccount', 'none'] as const) expect((await as(role)('GET', '/healthz')).status, role).toBe(200);
  },
  'GET /metrics': adminOnly('GET', '/metrics', undefined, 200),
  'POST /api/agents': adminOnly('POST', '/api/agents', {}, 400),
  'GET /api/agents': async () => {
    // The team list (names, extensions, presence) is everyone's on the account.
    for (const role of ACME_ROLES) {
      expect((await as(role)<ListBody<{ id: string }>>('GET', '/api/agents')).body.items.map((a) => a.id).sort(), role).toEqual([ALICE, BOB, SAM]);
    }
  },
  'DELETE /api/agents/:key': adminOnly('DELETE', '/api/agents/nobody', undefined, 404),
  'POST /api/devices': adminOnly('POST', '/api/devices', {}, 400),
  'GET /api/devices': async () => {
    const admin = (await as('admin')<ListBody<DeviceItem>>('GET', '/api/devices')).body.items;
    expect(admin.map((d) => [d.mac, d.agent])).toEqual([[MAC_A_KEY, ALICE], [MAC_B_KEY, BOB]]);
    expect(admin[1]!.control).toMatchObject({ host: '127.0.0.7', port: 8081, username: 'desk', passwordSet: true });
    // Agents: their own phone, its state and whether Ringside drives it; no address, port or login name.
    const alices = (await as('agentA')<ListBody<DeviceItem>>('GET', '/api/devices')).body.items;
    const bobs = (await as('agentB')<ListBody<DeviceItem>>('GET', '/api/devices')).body.items;
    expect(alices).toEqual([expect.objectContaining({ mac: MAC_A_KEY, agent: ALICE, ip: null, control: { withheld: true, passwordSet: false, ready: false } })]);
    expect(bobs).toEqual([expect.objectContaining({ mac: MAC_B_KEY, agent: BOB, ip: null, registered: true, control: { withheld: true, passwordSet: true, ready: true } })]);
    expect((await as('supervisor')<ListBody<DeviceItem>>('GET', '/api/devices')).body.items).toEqual([]);
    for (const items of [alices, bobs]) expect(JSON.stringify(items)).not.toMatch(/127\.0\.0\.7|192\.0\.2\.77|8081|desk|"host"|"username"|"port"/);
  },
  'DELETE /api/devices/:key': adminOnly('DELETE', '/api/devices/000B82FFFFFF', undefined, 404),
  'PUT /api/devices/:mac/control': adminOnly('PUT', '/api/devices/000B82FFFFFF/control', { password: 'x' }, 404),
  'POST /api/devices/:mac/provision': adminOnly('POST', '/api/devices/000B82FFFFFF/provision', { dryRun: true }, 404),
  'POST /api/helplines': adminOnly('POST', '/api/helplines', {}, 400),
  'GET /api/helplines': async () => {
    for (const role of ACME_ROLES) {
      expect((await as(role)<ListBody<{ number: string }>>('GET', '/api/helplines')).body.items.map((h) => h.number), role).toEqual([HELPLINE, BOB_HELPLINE]);
    }
  },
  'DELETE /api/helplines/:key': adminOnly('DELETE', '/api/helplines/5998', undefined, 404),
  'POST /api/contacts': adminOnly('POST', '/api/contacts', {}, 400),
  'POST /api/contacts/import': adminOnly('POST', '/api/contacts/import', '', 400),
  'GET /api/contacts': async () => {
    // The admin and the supervisor: the directory's cards, notes too, listed or searched.
    for (const role of ['admin', 'supervisor'] as const) {
      expect((await as(role)<ListBody<{ number: string; notes: string | null }>>('GET', '/api/contacts')).body.items, role).toEqual([expect.objectContaining({ number: CONTACT, notes: NOTES })]);
    }
    // An agent: a look-up by name, company or number to call back, without the notes, never the whole list.
    for (const role of ['agentA', 'agentB'] as const) {
      for (const q of ['Customer', '1234567']) {
        expect((await as(role)<ListBody<{ number: string; notes: string | null }>>('GET', `/api/contacts?q=${q}`)).body.items, `${role} ${q}`).toEqual([expect.objectContaining({ number: CONTACT, name: 'Customer of acme', notes: null })]);
      }
      for (const q of ['', 'C', ' ']) {
        expect(await as(role)('GET', `/api/contacts?q=${encodeURIComponent(q)}`), `${role} q=${q}`).toMatchObject({ status: 400, body: { error: 'query_too_short' } });
      }
      expect((await as(role)('GET', '/api/contacts')).status).toBe(400);
    }
  },
  'DELETE /api/contacts/:key': adminOnly('DELETE', `/api/contacts/${encodeURIComponent('+923001110000')}`, undefined, 404),
  'POST /api/session': adminOnly('POST', '/api/session', {}, 400),
  'GET /api/session': async () => {
    expect(await as('admin')('GET', '/api/session')).toMatchObject({ status: 200, body: { kind: 'admin', agent: null, supervisor: true, admin: true } });
    expect(await as('supervisor')('GET', '/api/session')).toMatchObject({ status: 200, body: { kind: 'agent', agent: SAM, supervisor: true, admin: false } });
    expect(await as('agentA')('GET', '/api/session')).toMatchObject({ status: 200, body: { kind: 'agent', agent: ALICE, supervisor: false, admin: false } });
    expect(await as('agentB')('GET', '/api/session')).toMatchObject({ status: 200, body: { kind: 'agent', agent: BOB, supervisor: false, admin: false } });
  },
  'GET /api/calls': async () => {
    const list = async (role: AcmeRole, query = '') => {
      const res = await as(role)<ListBody<CallItem>>('GET', `/api/calls?limit=200${query}`);
      expect(res.status, `${role} ${query}`).toBe(200);
      return idsOf(res.body.items);
    };
    const everyone = idsOf(acmeCalls);
    expect(await list('admin')).toEqual(everyone);
    expect(await list('supervisor')).toEqual(everyone);
    // Alice: everything but Bob's own calls; his call on her helpline (offered to him) is hers too.
    expect(await list('agentA')).toEqual(everyone.filter((id) => !bobsOwn.includes(id)));
    expect(await list('agentA')).toContain(onAlicesHelpline);
    expect(await list('agentB')).toEqual([...bobsOwn, onAlicesHelpline].sort());
    // Searching for Bob's callers finds nothing for Alice, in any way the list filters.
    for (const remote of [BOB_ANSWERED, BOB_MISSED, ON_BOBS_HELPLINE]) {
      for (const query of [`&remote=${encodeURIComponent(remote)}`, `&q=${remote.slice(-7)}`, `&q=${encodeURIComponent(remote)}`]) {
        expect(await list('agentA', query), `alice ${query}`).toEqual([]);
        expect(await list('agentB', query), `bob ${query}`).toEqual([idOf(remote)]);
        expect(await list('supervisor', query), `sam ${query}`).toEqual([idOf(remote)]);
      }
    }
    expect(await list('agentA', `&agent=${BOB}`)).toEqual([onAlicesHelpline]);
    expect(await list('agentA', '&status=missed')).not.toContain(idOf(BOB_MISSED));
    // Pages and cursors stay within what the agent sees.
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 20; page++) {
      const res = await as('agentA')<ListBody<CallItem> & { next: string | null }>('GET', `/api/calls?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...res.body.items.map((c) => c.id));
      if (!res.body.next) break;
      cursor = res.body.next;
    }
    expect(seen.sort()).toEqual(await list('agentA'));
  },
  'GET /api/calls/:id': async () => {
    for (const call of acmeCalls) {
      for (const role of ['admin', 'supervisor'] as const) expect((await as(role)('GET', `/api/calls/${call.id}`)).status, `${role} ${call.remote}`).toBe(200);
      // Another agent's call answers as an unknown one would: 404, not 403.
      const alices = !bobsOwn.includes(call.id);
      const bobs = bobsOwn.includes(call.id) || call.id === onAlicesHelpline;
      expect(await as('agentA')('GET', `/api/calls/${call.id}`), `alice ${call.remote}`).toMatchObject(alices ? { status: 200, body: { id: call.id } } : { status: 404, body: { error: 'no such call' } });
      expect(await as('agentB')('GET', `/api/calls/${call.id}`), `bob ${call.remote}`).toMatchObject(bobs ? { status: 200, body: { id: call.id } } : { status: 404, body: { error: 'no such call' } });
    }
    expect(await as('agentA')('GET', '/api/calls/01NOSUCHCALL0000000000000')).toMatchObject({ status: 404, body: { error: 'no such call' } });
  },
  'GET /api/missed': async () => {
    const missed = async (role: AcmeRole, query = '') => {
      const res = await as(role)<ListBody<MissedItem>>('GET', `/api/missed?limit=500${query}`);
      expect(res.status).toBe(200);
      return res.body.items.map((m) => m.remote).sort();
    };
    const all = await missed('admin');
    expect(all).toEqual(expect.arrayContaining([BOB_MISSED, ON_ALICES_HELPLINE, ON_BOBS_HELPLINE]));
    expect(await missed('supervisor')).toEqual(all);
    expect(await missed('agentA')).toEqual(all.filter((remote) => remote !== BOB_MISSED && remote !== ON_BOBS_HELPLINE));
    expect(await missed('agentA')).toContain(ON_ALICES_HELPLINE);
    expect(await missed('agentB')).toEqual([BOB_MISSED, ON_ALICES_HELPLINE, ON_BOBS_HELPLINE].sort());
    const open = await missed('admin', '&status=open');
    expect(open).toEqual(expect.arrayContaining([BOB_MISSED, ON_ALICES_HELPLINE, ON_BOBS_HELPLINE]));
    expect(await missed('agentA', '&status=open')).toEqual(open.filter((remote) => remote !== BOB_MISSED && remote !== ON_BOBS_HELPLINE));
  },
  'POST /api/missed/:id/callback': async () => {
    // Bob's direct missed call and his helpline's: not there for Alice (404); the supervisor sees
    // them but may call back only what is theirs to (403), and so may the admin acting for Alice.
    for (const remote of [BOB_MISSED, ON_BOBS_HELPLINE]) {
      expect(await as('agentA')('POST', `/api/missed/${idOf(remote)}/callback`), `alice ${remote}`).toMatchObject({ status: 404, body: { error: 'no such missed call' } });
      expect((await as('supervisor')('POST', `/api/missed/${idOf(remote)}/callback`)).status, `sam ${remote}`).toBe(403);
      expect((await as('admin')('POST', `/api/missed/${idOf(remote)}/callback`, { agent: ALICE })).status, `admin for alice ${remote}`).toBe(403);
    }
    // Bob takes the one of his helpline.
    expect(await as('agentB')('POST', `/api/missed/${idOf(ON_BOBS_HELPLINE)}/callback`)).toMatchObject({ status: 200, body: { missed: { remote: ON_BOBS_HELPLINE, owner: BOB, status: 'claimed' } } });
    const open = async (role: AcmeRole) => (await as(role)<ListBody<MissedItem>>('GET', '/api/missed?status=open')).body.items.map((m) => m.remote);
    expect(await open('admin')).toEqual(expect.arrayContaining([BOB_MISSED, ON_ALICES_HELPLINE]));
    expect(await open('admin')).not.toContain(ON_BOBS_HELPLINE);
  },
  'POST /api/missed/next/callback': async () => {
    // Oldest first among what each may call back: Alice gets the call of her helpline (it rang
    // Bob), never Bob's direct one; Bob his direct one; the supervisor nothing of theirs.
    expect(await as('supervisor')('POST', '/api/missed/next/callback')).toMatchObject({ status: 404, body: { error: 'queue_empty' } });
    const alicesTurns: string[] = [];
    for (let turn = 0; turn < 10; turn++) {
      const taken = await as('agentA')<{ missed: MissedItem; error?: string }>('POST', '/api/missed/next/callback');
      if (taken.status === 404) break;
      expect(taken).toMatchObject({ status: 200, body: { missed: { owner: ALICE } } });
      alicesTurns.push(taken.body.missed.remote);
    }
    expect(alicesTurns).toContain(ON_ALICES_HELPLINE);
    expect(alicesTurns).not.toContain(BOB_MISSED);
    expect(await as('agentA')('POST', '/api/missed/next/callback')).toMatchObject({ status: 404, body: { error: 'queue_empty' } });
    expect(await as('admin')('POST', '/api/missed/next/callback', { agent: ALICE })).toMatchObject({ status: 404, body: { error: 'queue_empty' } });
    expect(await as('agentB')('POST', '/api/missed/next/callback')).toMatchObject({ status: 200, body: { missed: { remote: BOB_MISSED, owner: BOB } } });
    expect(await as('agentB')('POST', '/api/missed/next/callback')).toMatchObject({ status: 404, body: { error: 'queue_empty' } });
  },
  'POST /api/phone/dial': async () => {
    expect(await as('agentA')('POST', '/api/phone/dial', { number: '123', mac: MAC_B })).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await as('agentB')('POST', '/api/phone/dial', { number: '123', mac: MAC_A })).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await as('supervisor')('POST', '/api/phone/dial', { number: '123', mac: MAC_A })).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await as('agentA')('POST', '/api/phone/dial', { number: '123' })).toMatchObject({ status: 409, body: { error: 'phone_not_configured' } });
    expect(await as('admin')('POST', '/api/phone/dial', { number: '123' })).toMatchObject({ status: 400, body: { error: 'mac_required' } });
  },
  ...Object.fromEntries(phoneActions.map((action) => [`POST /api/phone/${action}`, async () => {
    expect(await as('agentA')('POST', `/api/phone/${action}`, { mac: MAC_B })).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await as('agentB')('POST', `/api/phone/${action}`, { mac: MAC_A })).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await as('supervisor')('POST', `/api/phone/${action}`, {})).toMatchObject({ status: 404, body: { error: 'no_phone' } });
    expect(await as('agentA')('POST', `/api/phone/${action}`, {})).toMatchObject({ status: 409, body: { error: 'phone_not_configured' } });
    expect(await as('admin')('POST', `/api/phone/${action}`, {})).toMatchObject({ status: 400, body: { error: 'mac_required' } });
  }])),
  'GET /api/action-urls': adminOnly('GET', '/api/action-urls', undefined, 200),
  'GET /api/me': async () => {
    expect((await as('admin')('GET', '/api/me')).status).toBe(400);
    for (const role of ['supervisor', 'agentA', 'agentB'] as const) expect(await as(role)('GET', '/api/me'), role).toMatchObject({ status: 200, body: { seat: false } });
  },
  'PUT /api/me': async () => {
    expect((await as('admin')('PUT', '/api/me', { name: 'X' })).status).toBe(400);
    for (const role of ['supervisor', 'agentA', 'agentB'] as const) expect((await as(role)('PUT', '/api/me', { name: 'X' })).status, role).toBe(403);
  },
  'POST /api/me/phone/provision': async () => {
    expect((await as('admin')('POST', '/api/me/phone/provision', { host: '127.0.0.1', password: 'x' })).status).toBe(400);
    for (const role of ['supervisor', 'agentA', 'agentB'] as const) expect((await as(role)('POST', '/api/me/phone/provision', { host: '127.0.0.1', password: 'x' })).status, role).toBe(403);
  },
  'POST /api/me/test-call': async () => {
    expect((await as('admin')('POST', '/api/me/test-call', {})).status).toBe(400);
    for (const role of ['supervisor', 'agentA', 'agentB'] as const) expect((await as(role)('POST', '/api/me/test-call', {})).status, role).toBe(403);
  },
  'GET /api/stats': async () => {
    const agents = async (role: AcmeRole, query = '') => (await as(role)<ListBody<{ agent: string }>>('GET', `/api/stats${query}`)).body.items.map((s) => s.agent);
    expect(await agents('admin')).toEqual([ALICE, BOB]);
    expect(await agents('supervisor')).toEqual([ALICE, BOB]);
    expect(await agents('supervisor', `?agent=${BOB}`)).toEqual([BOB]);
    expect(await agents('agentA')).toEqual([ALICE]);
    expect(await agents('agentB')).toEqual([BOB]);
    expect(await as('agentA')('GET', `/api/stats?agent=${BOB}`)).toMatchObject({ status: 403, body: { error: 'not_your_figures' } });
  },
  'GET /api/stats/hourly': async () => {
    const whose = async (role: AcmeRole, query = '') => (await as(role)<{ agent: string | null }>('GET', `/api/stats/hourly${query}`)).body.agent;
    expect(await whose('admin')).toBeNull();
    expect(await whose('supervisor')).toBeNull();
    expect(await whose('supervisor', `?agent=${BOB}`)).toBe(BOB);
    expect(await whose('agentA')).toBe(ALICE);
    expect(await whose('agentB')).toBe(BOB);
    expect(await as('agentA')('GET', `/api/stats/hourly?agent=${BOB}`)).toMatchObject({ status: 403, body: { error: 'not_your_figures' } });
  },
  'GET /api/lookups/:name': async () => {
    for (const role of ACME_ROLES) {
      for (const name of ['agents', 'helplines', 'dispositions']) expect((await as(role)('GET', `/api/lookups/${name}`)).status, `${role} ${name}`).toBe(200);
    }
  },
  'GET /api/settings': async () => {
    const phones = async (role: AcmeRole) => (await as(role)<{ phones: DeviceItem[] }>('GET', '/api/settings')).body.phones;
    const admins = await phones('admin');
    expect(admins.map((p) => p.mac)).toEqual([MAC_A_KEY, MAC_B_KEY]);
    expect(admins[1]!.control).toMatchObject({ host: '127.0.0.7', username: 'desk' });
    expect(await phones('supervisor')).toEqual([]);
    expect(await phones('agentA')).toEqual((await as('agentA')<ListBody<DeviceItem>>('GET', '/api/devices')).body.items);
    const bobs = await phones('agentB');
    expect(bobs).toEqual([expect.objectContaining({ mac: MAC_B_KEY, ip: null, control: { withheld: true, passwordSet: true, ready: true } })]);
    expect(JSON.stringify(bobs)).not.toMatch(/127\.0\.0\.7|desk|8081/);
  },
  ...Object.fromEntries((['redis', 'rabbitmq', 'database'] as const).map((service) => [`POST /api/services/${service}/test`, adminOnly('POST', `/api/services/${service}/test`, {}, 200)])),
  'POST /api/devices/:mac/control/test': async () => {
    expect(await as('agentA')('POST', `/api/devices/${MAC_B_KEY}/control/test`, {})).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await as('supervisor')('POST', `/api/devices/${MAC_B_KEY}/control/test`, {})).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await as('agentA')('POST', `/api/devices/${MAC_A_KEY}/control/test`, {})).toMatchObject({ status: 409, body: { error: 'phone_not_configured' } });
    expect(await as('admin')('POST', `/api/devices/${MAC_A_KEY}/control/test`, {})).toMatchObject({ status: 409, body: { error: 'phone_not_configured' } });
  },
  'PUT /api/dispositions': adminOnly('PUT', '/api/dispositions', {}, 400),
  'GET /api/tokens': adminOnly('GET', '/api/tokens', undefined, 200),
  'POST /api/tokens/webhook/rotate': adminOnly('POST', '/api/tokens/webhook/rotate', {}),
  'POST /api/tokens/webhook/retire': adminOnly('POST', '/api/tokens/webhook/retire', {}),
  'POST /api/tokens/admin/rotate': adminOnly('POST', '/api/tokens/admin/rotate', {}),
  'POST /api/signin-links': adminOnly('POST', '/api/signin-links', { agent: 'not an agent id!' }, 400),
  'POST /api/signin': async () => {
    // No bearer token: the sign-in code is the credential, and a wrong one opens nothing for anyone.
    for (const role of [...ACME_ROLES, 'otherAccount', 'none'] as const) {
      expect((await as(role)('POST', '/api/signin', { code: 'not-a-code-0000000000' })).status, role).toBe(401);
    }
  },
  'DELETE /api/session': async () => {
    // A fresh session of each agent ends its own (the ones the checks use stay); the admin token is no session.
    for (const agent of [ALICE, BOB, SAM]) {
      const { token } = (await as('admin')<{ token: string }>('POST', '/api/session', { agent })).body;
      expect((await acme.r.api('DELETE', '/api/session', { token })).status, agent).toBe(200);
      expect((await acme.r.api('GET', '/api/session', { token })).status, agent).toBe(401);
    }
    expect((await as('admin')('DELETE', '/api/session')).status).toBe(400);
  },
  'POST /api/session/password': async () => {
    // Bad input only: a change would end the sessions the checks use. The admin token has no password.
    for (const role of ['agentA', 'agentB', 'supervisor'] as const) {
      expect((await as(role)('POST', '/api/session/password', { current: 'x', password: 'short' })).status, role).toBe(400);
    }
    expect((await as('admin')('POST', '/api/session/password', { current: 'x', password: 'long enough password' })).status).toBe(400);
  },
  'GET /api/agents/:agent/password': adminOnly('GET', `/api/agents/${ALICE}/password`, undefined, 200),
  // An unknown agent: a password set on a real one would end their sessions, which the checks use.
  'POST /api/agents/:agent/password': adminOnly('POST', '/api/agents/nobody/password', { password: 'long enough password' }, 404),
  'DELETE /api/agents/:agent/password': adminOnly('DELETE', '/api/agents/nobody/password', undefined, 404),
  'POST /api/agents/:agent/invite': adminOnly('POST', '/api/agents/nobody/invite', {}, 404),
  'POST /api/invites/check': async () => {
    // No bearer token: the invite's code is the credential, and a wrong one opens nothing for anyone.
    for (const role of [...ACME_ROLES, 'otherAccount', 'none'] as const) {
      expect((await as(role)('POST', '/api/invites/check', { code: 'not-a-code-0000000000' })).status, role).toBe(401);
    }
  },
  'POST /api/invites/accept': async () => {
    for (const role of [...ACME_ROLES, 'otherAccount', 'none'] as const) {
      expect((await as(role)('POST', '/api/invites/accept', { code: 'not-a-code-0000000000', password: 'long enough password' })).status, role).toBe(401);
    }
  },
};

describe('roles: inside one account, the admin, a supervisor and each agent see what is theirs', () => {
  beforeAll(async () => {
    const r = acme.r;
    await ok(r, 'POST', '/api/helplines', { body: { number: HELPLINE, name: 'Support (acme)', agents: [ALICE] } });
    bob = await r.agent(BOB, { name: 'Bob (acme)', extension: '202', devices: [MAC_B] });
    await ok(r, 'POST', '/api/helplines', { body: { number: BOB_HELPLINE, name: 'Bob line (acme)', agents: [BOB] } });
    await ok(r, 'POST', '/api/agents', { body: { id: SAM, name: 'Sam (acme)', supervisor: true } });
    sam = await AgentClient.connect(r.instance.apiUrl, (await ok<{ token: string }>(r, 'POST', '/api/session', { body: { agent: SAM } })).token, { name: SAM });
    await ok(r, 'POST', '/api/contacts', { body: { number: CONTACT, name: 'Customer of acme', notes: NOTES } });
    await ok(r, 'PUT', `/api/devices/${MAC_B_KEY}/control`, { body: { host: '127.0.0.7', port: 8081, username: 'desk', password: 'bobs-phone-password' } });
    Object.assign(roleToken, { admin: TEST_TOKEN, supervisor: sam.token, agentA: acme.alice.token, agentB: bob.token, otherAccount: globex.alice.token, none: undefined });

    // Alice away: the call on her helpline falls back to the phone it rang, Bob's.
    const since = acme.admin.mark();
    acme.alice.send({ type: 'presence.set', status: 'away' });
    await acme.admin.next((m) => m.type === 'presence.changed' && m.agent === ALICE && m.status === 'away', 'alice away', { since });
    await phone(r, [
      ['registered', { mac: MAC_B, phone_ip: '192.0.2.77' }],
      ['incoming', params(MAC_B, BOB_ANSWERED, '202')], ['answered', params(MAC_B, BOB_ANSWERED, '202')], ['hangup', params(MAC_B, BOB_ANSWERED, '202')],
      ['incoming', params(MAC_B, BOB_MISSED, '202')], ['missed', params(MAC_B, BOB_MISSED, '202')],
      ['incoming', params(MAC_B, ON_BOBS_HELPLINE, BOB_HELPLINE)], ['missed', params(MAC_B, ON_BOBS_HELPLINE, BOB_HELPLINE)],
      ['incoming', params(MAC_B, ON_ALICES_HELPLINE, HELPLINE)], ['missed', params(MAC_B, ON_ALICES_HELPLINE, HELPLINE)],
    ]);
    await settle();
    for (const t of [acme, globex]) t.r.advance(61_000);
    await settle();
    acme.alice.send({ type: 'presence.set', status: 'available' });

    acmeCalls = (await ok<ListBody<CallItem>>(r, 'GET', '/api/calls?limit=200')).items;
    bobsOwn = [BOB_ANSWERED, BOB_MISSED, ON_BOBS_HELPLINE].map(idOf).sort();
    onAlicesHelpline = idOf(ON_ALICES_HELPLINE);
    // The call on her helpline rang Bob only: Alice sees it as a member, not as someone it was offered to.
    const offered = (await ok<ListBody<MissedItem & { targets: string[] }>>(r, 'GET', '/api/missed?limit=500')).items.find((m) => m.remote === ON_ALICES_HELPLINE);
    expect(offered?.targets).toEqual([BOB]);
  });

  afterAll(() => {
    sam?.close();
  });

  it('every route of the agent API has its role checks (a new route fails here until it has)', () => {
    const served = acme.r.instance.routes().map((r) => `${r.method} ${r.path}`).sort();
    expect(served).toEqual(Object.keys(roleChecks).sort());
  });

  it.each(Object.keys(roleChecks))('%s', async (route) => {
    // Another account's agent token and no token open nothing here (a sign-in code is no bearer token: tried in its own check).
    const [method, path] = route.split(' ') as [string, string];
    if (!NO_BEARER.has(path)) {
      const concrete = path.replace(/:(\w+)/g, (_, name: string) => (name === 'mac' ? MAC_A_KEY : name === 'name' ? 'agents' : name === 'id' ? acmeCalls[0]!.id : 'x'));
      for (const role of ['otherAccount', 'none'] as const) {
        expect((await as(role)(method, concrete, method === 'GET' || method === 'DELETE' ? undefined : {})).status, `${role} ${route}`).toBe(401);
      }
    }
    await roleChecks[route]!();
  });

  it("each agent's WebSocket gets their own calls' messages only; the supervisor hears of every missed call taken", async () => {
    const others = [BOB_ANSWERED, BOB_MISSED, ON_BOBS_HELPLINE];
    for (const remote of others) expect(JSON.stringify(acme.alice.messages), `alice got ${remote}`).not.toContain(remote);
    // Bob's pushes: his calls, and the call on Alice's helpline that rang him (and its call-back by her).
    await bob.next((m) => m.type === 'missed.claimed' && (m.missed as MissedItem).remote === ON_ALICES_HELPLINE, 'bob told alice took the call that rang him');
    expect(JSON.stringify(bob.messages)).not.toContain(CONTACT);
    // The supervisor: told of each missed call taken (not offered any call).
    for (const remote of [BOB_MISSED, ON_BOBS_HELPLINE, ON_ALICES_HELPLINE]) {
      await sam.next((m) => m.type === 'missed.claimed' && (m.missed as MissedItem).remote === remote, `sam told of ${remote} taken`);
    }
    expect(sam.received('call.ringing')).toEqual([]);
  });
});

/** A key's value as text, whatever its type. */
async function dump(client: Redis, key: string): Promise<string> {
  switch (await client.type(key)) {
    case 'string': return (await client.get(key)) ?? '';
    case 'hash': return JSON.stringify(await client.hgetall(key));
    case 'set': return JSON.stringify(await client.smembers(key));
    case 'zset': return JSON.stringify(await client.zrange(key, 0, -1, 'WITHSCORES'));
    case 'list': return JSON.stringify(await client.lrange(key, 0, -1));
    default: return '';
  }
}
