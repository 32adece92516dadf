// Issue 5's two gaps that need the core: the supervisor role (who sees everyone's figures in
// GET /api/stats) and the settings API (GET /api/settings, the Redis/RabbitMQ Test buttons, the
// phone's control test). Real in-process Ringside, real SQLite, Redis and RabbitMQ, simulated
// phones; services are taken away through proxies this test owns, never on the machine.
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BOB } from '../../../tools/simulator/cast';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../unit/tools/simulator/controlHelpers';
import { startOffice, type Office } from '../../support/office';
import { startTestRingside, TEST_TOKEN, type AgentClient, type TestRingside } from '../../support/ringside';
import { AMQP_URL, REDIS_URL } from '../../support/services';
import { startTcpProxy, targetOf, type TcpProxy } from '../../support/tcpProxy';
import { MAC_A, MAC_B, newCaller, params, phoneSays } from './fixtures';

interface StatsRow { agent: string; offered: number; answered: number; missed: number; ringMsTotal: number; ringCount: number; talkMsTotal: number; talkCount: number }
interface Probe { ok: boolean; state: string; latencyMs?: number; error?: string }
interface DeviceView { mac: string; agent: string | null; ip: string | null; control: { host?: string | null; port?: number; username?: string; passwordSet: boolean; withheld?: true; ready?: boolean } }
interface Settings {
  webhook: { host: string; port: number; publicHost: string };
  api: { host: string; port: number };
  redis: { topology: string; url?: string; callsDb?: number; cacheDb?: number; keyPrefix: string } | null;
  amqp: { url?: string; exchange: string; queue: string; shards: number; queueType: string } | null;
  phones: DeviceView[];
}

/** A password the Redis URL carries (the test server's default user takes any password), to prove it never comes back. */
const REDIS_PASSWORD = 'redis-secret-pw-5522';
function redisUrlWithPassword(): { url: string; password: string } {
  const url = new URL(REDIS_URL);
  if (url.password) return { url: REDIS_URL, password: decodeURIComponent(url.password) };
  url.username = 'default';
  url.password = REDIS_PASSWORD;
  return { url: url.toString(), password: REDIS_PASSWORD };
}
const AMQP_PASSWORD = decodeURIComponent(new URL(AMQP_URL).password);

let r: TestRingside | null = null;
let office: Office | null = null;
const proxies: TcpProxy[] = [];

afterEach(async () => {
  await closeAllPhones();
  for (const proxy of proxies) proxy.resume();
  await r?.stop();
  await office?.stop();
  for (const proxy of proxies.splice(0)) await proxy.close();
  r = null;
  office = null;
});

async function proxyTo(url: string, defaultPort: number): Promise<TcpProxy> {
  const proxy = await startTcpProxy(targetOf(url, defaultPort));
  proxies.push(proxy);
  return proxy;
}

/** One answered direct call on `mac` for the agent with extension `local`. */
async function answeredCall(ringside: TestRingside, mac: string, local: string): Promise<void> {
  const call = params(mac, newCaller(), local);
  await phoneSays(ringside, [['incoming', call], ['answered', call], ['hangup', call]]);
}

describe('the supervisor role and GET /api/stats', () => {
  it("an agent sees only their own figures (another's is a 403); a supervisor and the admin see everyone's", async () => {
    r = await startTestRingside();
    const alice = await r.agent('alice', { extension: '201', devices: [MAC_A] });
    const bob = await r.agent('bob', { extension: '202', devices: [MAC_B] });
    const created = await r.api<{ supervisor: boolean }>('POST', '/api/agents', { body: { id: 'carol', name: 'Carol', supervisor: true } });
    expect(created).toMatchObject({ status: 200, body: { supervisor: true } });
    const carol = (await r.api<{ token: string }>('POST', '/api/session', { body: { agent: 'carol' } })).body.token;

    await answeredCall(r, MAC_A, '201');
    await answeredCall(r, MAC_A, '201');
    await answeredCall(r, MAC_B, '202');

    const stats = (token: string, query = '') => r!.api<{ items: StatsRow[]; error?: string }>('GET', `/api/stats${query}`, { token });
    const agents = (res: { body: { items: StatsRow[] } }) => res.body.items.map((row) => [row.agent, row.offered, row.answered]);

    // A plain agent: themselves, with or without naming themselves; anyone else is refused.
    expect(agents(await stats(alice.token))).toEqual([['alice', 2, 2]]);
    expect(agents(await stats(alice.token, '?agent=alice'))).toEqual([['alice', 2, 2]]);
    expect(agents(await stats(bob.token))).toEqual([['bob', 1, 1]]);
    const refused = await stats(alice.token, '?agent=bob');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'not_your_figures' });

    // A supervisor and the admin: everyone, or the one named.
    expect(agents(await stats(carol))).toEqual([['alice', 2, 2], ['bob', 1, 1]]);
    expect(agents(await stats(carol, '?agent=bob'))).toEqual([['bob', 1, 1]]);
    expect(agents(await stats(TEST_TOKEN))).toEqual([['alice', 2, 2], ['bob', 1, 1]]);

    // The sums and counts behind the averages come along, so a team's averages add up exactly.
    const [aliceRow] = (await stats(alice.token)).body.items;
    expect(aliceRow).toMatchObject({ ringCount: 2, talkCount: 2 });
    expect(aliceRow!.ringMsTotal).toBeGreaterThanOrEqual(0);
  });

  it('GET /api/session and GET /api/agents carry the role; an upsert without it keeps it; a change applies to open sessions', async () => {
    r = await startTestRingside();
    const alice = await r.agent('alice', { extension: '201' });
    await r.api('POST', '/api/agents', { body: { id: 'carol', name: 'Carol', supervisor: true } });
    const carol = (await r.api<{ token: string }>('POST', '/api/session', { body: { agent: 'carol' } })).body.token;

    const session = async (token: string) => (await r!.api<{ supervisor: boolean; kind: string }>('GET', '/api/session', { token })).body;
    expect(await session(alice.token)).toMatchObject({ kind: 'agent', supervisor: false });
    expect(await session(carol)).toMatchObject({ kind: 'agent', supervisor: true });
    expect(await session(TEST_TOKEN)).toMatchObject({ kind: 'admin', supervisor: true });

    // Renamed without the field: still a supervisor. The list shows each agent's role.
    await r.api('POST', '/api/agents', { body: { id: 'carol', name: 'Carol C.' } });
    const listed = await r.api<{ items: Array<{ id: string; supervisor: boolean }> }>('GET', '/api/agents', { token: alice.token });
    expect(listed.body.items.filter((a) => a.id !== 'me').map((a) => [a.id, a.supervisor])).toEqual([['alice', false], ['carol', true]]);

    // Alice made a supervisor: her open session sees everyone at once.
    expect((await r.api('GET', '/api/stats?agent=carol', { token: alice.token })).status).toBe(403);
    await r.api('POST', '/api/agents', { body: { id: 'alice', name: 'Agent alice', supervisor: true } });
    expect(await session(alice.token)).toMatchObject({ supervisor: true });
    expect((await r.api('GET', '/api/stats?agent=carol', { token: alice.token })).status).toBe(200);

    // Only a boolean is accepted.
    expect((await r.api('POST', '/api/agents', { body: { id: 'dan', name: 'Dan', supervisor: 'yes' } })).status).toBe(400);
  });
});

describe('GET /api/settings', () => {
  it('embedded: the bound ports and public host, no shared services; the admin sees every phone, an agent only their own; no secret anywhere', async () => {
    r = await startTestRingside({ publicHost: 'ringside.example.test' });
    const alice = await r.agent(ALICE.id, { devices: [ALICE.phone.mac] });
    await r.agent(BOB.id, { devices: [BOB.phone.mac] });
    const saved = await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: '127.0.0.1', port: 8080, password: PHONE_PASSWORD } });
    expect(saved.status).toBe(200);

    const admin = await r.api<Settings>('GET', '/api/settings');
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({
      webhook: { host: '127.0.0.1', port: Number(new URL(r.instance.webhookUrl).port), publicHost: 'ringside.example.test' },
      api: { host: '127.0.0.1', port: Number(new URL(r.instance.apiUrl).port) },
      redis: null,
      amqp: null,
    });
    // Port 0 was configured: the answer is the port bound.
    expect(admin.body.webhook.port).toBeGreaterThan(0);
    expect(admin.body.phones.map((p) => [p.mac, p.agent])).toEqual([['000B825E0001', ALICE.id], ['000B825E0002', BOB.id]]);

    expect(admin.body.phones[0]!.control).toMatchObject({ host: '127.0.0.1', port: 8080, username: 'user', passwordSet: true });

    // An agent: their own phone, whether Ringside can drive it, never where it is or the login (admin only).
    const own = await r.api<Settings>('GET', '/api/settings', { token: alice.token });
    expect(own.status).toBe(200);
    expect(own.body.phones).toEqual([expect.objectContaining({ mac: '000B825E0001', agent: ALICE.id, ip: null, control: { withheld: true, passwordSet: true, ready: true } })]);
    const devices = await r.api<{ items: DeviceView[] }>('GET', '/api/devices', { token: alice.token });
    expect(devices.body.items).toEqual(own.body.phones);
    const bobs = await r.api<{ items: DeviceView[] }>('GET', '/api/devices', { token: (await r.api<{ token: string }>('POST', '/api/session', { body: { agent: BOB.id } })).body.token });
    expect(bobs.body.items).toEqual([expect.objectContaining({ mac: '000B825E0002', control: { withheld: true, passwordSet: false, ready: false } })]);
    for (const text of [JSON.stringify(own.body.phones), JSON.stringify(devices.body), JSON.stringify(bobs.body)]) {
      expect(text).not.toContain('127.0.0.1:8080');
      expect(text).not.toMatch(/"(host|username|port)"|8080|"user"/);
    }

    for (const body of [admin.body, own.body]) {
      const text = JSON.stringify(body);
      expect(text).not.toContain(PHONE_PASSWORD);
      expect(text).not.toContain(TEST_TOKEN);
      expect(text).not.toMatch(/"password"/);
    }
    expect((await r.api('GET', '/api/settings', { token: 'not-a-session-token-000000' })).status).toBe(401);
  });

  it('shared: Redis and RabbitMQ with their URLs masked as `ringside config` masks them, and the names in use; an agent is not shown where they are', async () => {
    const redis = redisUrlWithPassword();
    office = await startOffice(1, {}, { redisUrl: () => redis.url });
    const seat = office.seats[0]!;
    const alice = await seat.agent('alice', { devices: [MAC_A] });

    const admin = await seat.api<Settings>('GET', '/api/settings', { token: TEST_TOKEN });
    expect(admin.status).toBe(200);
    expect(admin.body.redis).toEqual({ topology: 'server', url: redis.url.replace(`:${redis.password}@`, ':***@'), callsDb: 12, cacheDb: 13, keyPrefix: office.root });
    expect(admin.body.amqp).toEqual({ url: AMQP_URL.replace(`:${AMQP_PASSWORD}@`, ':***@'), exchange: office.root, queue: `${office.root}-queue`, shards: 2, queueType: 'classic' });

    const agent = await seat.api<Settings>('GET', '/api/settings', { token: alice.token });
    expect(agent.status).toBe(200);
    expect(agent.body.redis).toEqual({ topology: 'server', callsDb: 12, cacheDb: 13, keyPrefix: office.root });
    expect(agent.body.amqp).toEqual({ exchange: office.root, queue: `${office.root}-queue`, shards: 2, queueType: 'classic' });
    expect(JSON.stringify(agent.body)).not.toContain(new URL(redis.url).host);
    expect(JSON.stringify(agent.body)).not.toContain(new URL(AMQP_URL).host);

    for (const res of [admin, agent]) {
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(redis.password);
      expect(text).not.toContain(`:${AMQP_PASSWORD}@`);
      expect(text).not.toContain(TEST_TOKEN);
    }
  });
});

describe('POST /api/services/{redis,rabbitmq}/test', () => {
  it('embedded: not used; a URL given is tried (connect, PING or a channel, close); agents may not; a wrong scheme is a 400', async () => {
    r = await startTestRingside();
    const alice = await r.agent('alice');
    for (const service of ['redis', 'rabbitmq']) {
      expect(await r.api(`POST`, `/api/services/${service}/test`)).toEqual({ status: 200, body: { ok: false, state: 'embedded' } });
      expect((await r.api('POST', `/api/services/${service}/test`, { token: alice.token })).status).toBe(403);
    }

    const redis = await r.api<Probe>('POST', '/api/services/redis/test', { body: { url: redisUrlWithPassword().url } });
    expect(redis.body).toMatchObject({ ok: true, state: 'up' });
    expect(redis.body.latencyMs).toBeGreaterThanOrEqual(0);
    const rabbit = await r.api<Probe>('POST', '/api/services/rabbitmq/test', { body: { url: AMQP_URL } });
    expect(rabbit.body).toMatchObject({ ok: true, state: 'up' });

    const wrong = await r.api<{ error: string }>('POST', '/api/services/redis/test', { body: { url: AMQP_URL } });
    expect(wrong.status).toBe(400);
    // The answer does not repeat the URL it refused.
    expect(JSON.stringify(wrong.body)).not.toContain(AMQP_PASSWORD + '@');
    expect((await r.api('POST', '/api/services/rabbitmq/test', { body: { url: 'not a url' } })).status).toBe(400);
    expect((await r.api('POST', '/api/services/rabbitmq/test', { body: { host: 'x' } })).status).toBe(400);
  });

  it('a URL nothing answers at: ok false with the reason, never the password', async () => {
    r = await startTestRingside();
    const redisProxy = await proxyTo(REDIS_URL, 6379);
    const amqpProxy = await proxyTo(AMQP_URL, 5672);
    redisProxy.pause({ newConnections: 'refuse' });
    amqpProxy.pause({ newConnections: 'refuse' });
    const redis = redisUrlWithPassword();

    const redisAnswer = await r.api<Probe>('POST', '/api/services/redis/test', { body: { url: redisProxy.url(redis.url) } });
    expect(redisAnswer.body).toMatchObject({ ok: false, state: 'down' });
    expect(redisAnswer.body.error).toEqual(expect.any(String));
    expect(JSON.stringify(redisAnswer.body)).not.toContain(redis.password);

    const secretAmqp = new URL(amqpProxy.url(AMQP_URL));
    secretAmqp.password = 'amqp-secret-pw-9911';
    const rabbitAnswer = await r.api<Probe>('POST', '/api/services/rabbitmq/test', { body: { url: secretAmqp.toString() } });
    expect(rabbitAnswer.body).toMatchObject({ ok: false, state: 'down' });
    expect(JSON.stringify(rabbitAnswer.body)).not.toContain('amqp-secret-pw-9911');
  });

  it("shared: PING on the process's Redis connection and a channel on its RabbitMQ connection; with Redis taken away, ok false; back, ok again", async () => {
    const redisProxy = await proxyTo(REDIS_URL, 6379);
    const redis = redisUrlWithPassword();
    office = await startOffice(1, {}, { redisUrl: () => redisProxy.url(redis.url) });
    const seat = office.seats[0]!;
    const alice: AgentClient = await seat.agent('alice');

    const test = async (service: string) => (await seat.api<Probe>('POST', `/api/services/${service}/test`)).body;
    const up = await test('redis');
    expect(up).toMatchObject({ ok: true, state: 'up' });
    expect(up.latencyMs).toBeGreaterThanOrEqual(0);
    expect(await test('rabbitmq')).toMatchObject({ ok: true, state: 'up' });
    expect((await seat.api('POST', '/api/services/redis/test', { token: alice.token })).status).toBe(403);

    // Every connection cut, and every client reconnecting into the held proxy: Redis is away.
    const beforeOutage = alice.mark();
    const cut = redisProxy.pause({ newConnections: 'hold' });
    expect(cut).toBeGreaterThan(0);
    await redisProxy.arrivals(cut);
    const down = await test('redis');
    expect(down).toMatchObject({ ok: false, state: 'down' });
    expect(down.error).toEqual(expect.any(String));
    expect(JSON.stringify(down)).not.toContain(redis.password);
    // RabbitMQ is not behind the proxy: still fine.
    expect(await test('rabbitmq')).toMatchObject({ ok: true });

    // Back: once the seat's health, which saw it down, says it is up, the Test passes again.
    const downMessage = await alice.next((m) => m.type === 'health' && m.redis === 'down', 'a health message with Redis down', { since: beforeOutage });
    redisProxy.resume();
    await alice.next((m) => m.type === 'health' && m.redis === 'up', 'a health message with Redis up again', { since: alice.messages.indexOf(downMessage) + 1 });
    expect(await test('redis')).toMatchObject({ ok: true, state: 'up' });
  });
});

describe('POST /api/devices/:mac/control/test', () => {
  it("logs in with the saved settings and reads the phone's status; a wrong password is phone_bad_credentials; agents test only their own phone", async () => {
    r = await startTestRingside();
    const alice = await r.agent(ALICE.id, { devices: [ALICE.phone.mac] });
    const bob = await r.agent(BOB.id, { devices: [BOB.phone.mac] });
    const phone = await startPhone({ identity: ALICE.phone, form: 'session' });
    const save = (password: string) => r!.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: phone.host, port: phone.port, password } });
    const test = (token: string, mac = ALICE.phone.mac) => r!.api<Record<string, unknown>>('POST', `/api/devices/${mac}/control/test`, { token });

    // Not set up yet: no password saved.
    expect(await test(alice.token)).toMatchObject({ status: 409, body: { error: 'phone_not_configured' } });

    expect((await save(PHONE_PASSWORD)).status).toBe(200);
    expect(await test(alice.token)).toEqual({ status: 200, body: { ok: true, mac: '000B825E0001', phoneStatus: 'available', loginForm: 'session' } });
    expect(await test(TEST_TOKEN)).toMatchObject({ status: 200, body: { ok: true, phoneStatus: 'available' } });
    expect(phone.auth.stats.logins).toBeGreaterThanOrEqual(1);
    expect(phone.auth.stats.failedLogins).toBe(0);

    // Someone else's phone (or one that does not exist) is refused alike for an agent.
    expect(await test(bob.token)).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await test(bob.token, '00:0B:82:FF:FF:FF')).toMatchObject({ status: 403, body: { error: 'not_your_phone' } });
    expect(await test(TEST_TOKEN, '00:0B:82:FF:FF:FF')).toMatchObject({ status: 404, body: { error: 'unknown_device' } });
    expect(await test(TEST_TOKEN, 'not-a-mac')).toMatchObject({ status: 400, body: { error: 'invalid_mac' } });

    // A wrong password saved: the phone refuses the login, and says so once.
    expect((await save('not-the-password')).status).toBe(200);
    const refused = await test(alice.token);
    expect(refused).toMatchObject({ status: 502, body: { error: 'phone_bad_credentials', mac: '000B825E0001' } });
    expect(refused.body.reason).toEqual(expect.any(String));
    expect(JSON.stringify(refused.body)).not.toContain('not-the-password');
    expect(phone.auth.stats.failedLogins).toBe(1);
  });

  it('a passcode-form phone: the login form found is reported', async () => {
    r = await startTestRingside();
    await r.agent(ALICE.id, { devices: [ALICE.phone.mac] });
    const phone = await startPhone({ identity: ALICE.phone, form: 'passcode' });
    await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: phone.host, port: phone.port, password: PHONE_PASSWORD } });
    expect(await r.api('POST', `/api/devices/${ALICE.phone.mac}/control/test`)).toMatchObject({ status: 200, body: { ok: true, loginForm: 'passcode' } });
  });
});
