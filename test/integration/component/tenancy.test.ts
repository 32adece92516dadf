import { Redis } from 'ioredis';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFICE_SHARDS, deleteOfficeState } from '../../support/office';
import { AgentClient, TEST_TOKEN, type PushedMessage, type TestRingside, startTestRingside } from '../../support/ringside';
import { AMQP_URL, REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from '../../support/services';
import { makeTempDir } from '../../support/tmp';
import { HELPLINE, MAC_A, MAC_C, newCaller, params } from './fixtures';

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
  amqpUrl: AMQP_URL,
  amqp: { exchange: root, queue: `${root}-queue`, shards: OFFICE_SHARDS },
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
  const admin = await AgentClient.connect(r.instance.apiUrl, r.config.token);
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
  const globexSeat = await startTestRingside({ ...shared, account: 'globex', token: GLOBEX_TOKEN });
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

/** What acme's tokens get: the admin's (RINGSIDE_TOKEN of acme) and Alice's agent token. */
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
    expect(await asAgent('POST', '/api/contacts', { number: GLOBEX_CONTACT, name: 'Overwrite' })).toMatchObject({ status: 200, body: { name: 'Overwrite' } });
    expect((await asAdmin('DELETE', `/api/contacts/${encodeURIComponent(GLOBEX_CONTACT)}`)).status).toBe(200);
  },
  'POST /api/contacts/import': async () => {
    expect((await acme.r.api('POST', '/api/contacts/import', { token: acme.alice.token, raw: `number,name\n${GLOBEX_CONTACT},Overwrite\n` })).status).toBe(403);
    expect(await asAdmin('POST', '/api/contacts/import', `number,name\n${GLOBEX_CONTACT},Overwrite\n`)).toMatchObject({ status: 200, body: { imported: 1 } });
    expect((await asAdmin('DELETE', `/api/contacts/${encodeURIComponent(GLOBEX_CONTACT)}`)).status).toBe(200);
  },
  'GET /api/contacts': async () => {
    for (const get of [asAdmin, asAgent]) {
      expect((await get<ListBody<{ number: string; name: string }>>('GET', '/api/contacts')).body.items.map((c) => [c.number, c.name])).toEqual([[CONTACT, 'Customer of acme']]);
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
    expect(JSON.stringify(res.body)).toContain(TEST_TOKEN);
    expectNoGlobex(res.body);
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
  ...Object.fromEntries((['redis', 'rabbitmq'] as const).map((service) => [`POST /api/services/${service}/test`, async () => {
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

/** A globex value for each path parameter: the attempts above use these, and so does the token sweep. */
function globexPath(path: string): string {
  const values: Record<string, string> = {
    '/api/agents/:key': GINA, '/api/devices/:key': MAC_C_KEY, '/api/helplines/:key': GLOBEX_HELPLINE, '/api/contacts/:key': encodeURIComponent(GLOBEX_CONTACT),
  };
  return path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'key') return values[path]!;
    if (name === 'mac') return MAC_C_KEY;
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
      if (path === '/healthz') continue;
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
