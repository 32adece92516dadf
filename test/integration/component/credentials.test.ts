// Separate credentials (issue 12): the webhook token the phones carry delivers events and nothing
// else; the admin token is never a webhook token; the deprecated RINGSIDE_TOKEN and an older data
// directory's `token` keep phones working without being admin again; either token rotates on a
// running server, the webhook token re-provisioning the phones Ringside can reach and listing the
// others, with the old token working during its grace period; one-time sign-in links.
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LEGACY_TOKEN_WARNING } from '../../../src/app/config/loadConfig';
import { currentToken } from '../../../src/app/config/tokenFiles';
import { ALICE, BOB } from '../../../tools/simulator/cast';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../unit/tools/simulator/controlHelpers';
import { AgentClient, phoneRequest, startTestRingside, TEST_TOKEN, TEST_WEBHOOK_TOKEN, type TestRingside } from '../../support/ringside';
import { makeTempDir } from '../../support/tmp';
import { waitFor } from '../../support/wait';
import { newCaller, params } from './fixtures';

const running: TestRingside[] = [];
const temps: Array<{ cleanup: () => void }> = [];

async function ringside(overrides: Record<string, unknown> = {}, dataDir?: string): Promise<TestRingside> {
  const r = await startTestRingside(overrides, dataDir);
  running.push(r);
  return r;
}

/** Tokens generated and kept in the data directory, as a real installation has them. */
const FILE_TOKENS = { webhookToken: undefined, adminToken: undefined };

function tempDir(): string {
  const temp = makeTempDir('ringside-credentials-');
  temps.push(temp);
  return temp.dir;
}

afterEach(async () => {
  await closeAllPhones();
  for (const r of running.splice(0)) await r.stop();
  for (const temp of temps.splice(0)) temp.cleanup();
});

/** A route's path with its parameters filled in. */
function concrete(path: string): string {
  return path.replace(':mac', '000B825E0001').replace(/:\w+/g, 'x');
}

const event = (r: TestRingside, token: string, mac = ALICE.phone.mac, remote = newCaller()) =>
  phoneRequest(r.instance.webhookUrl, 'incoming', params(mac, remote, ALICE.phone.extension), token);

describe('the webhook token delivers phone events and nothing else', () => {
  it('is refused on every route of the agent API (403 webhook_token) and on the WebSocket', async () => {
    const r = await ringside();
    // Without a bearer token (the code or password in the body is the credential): not these.
    const noBearer = ['/healthz', '/api/signin', '/api/invites/check', '/api/invites/accept'];
    const routes = r.instance.routes().filter(({ path }) => !noBearer.includes(path));
    expect(routes.length).toBeGreaterThan(30);
    for (const { method, path } of routes) {
      const res = await r.api<{ error?: string }>(method, concrete(path), method === 'GET' || method === 'DELETE' ? { token: TEST_WEBHOOK_TOKEN } : { token: TEST_WEBHOOK_TOKEN, body: {} });
      expect([res.status, res.body.error], `${method} ${path}`).toEqual([403, 'webhook_token']);
    }
    await expect(AgentClient.connect(r.instance.apiUrl, TEST_WEBHOOK_TOKEN)).rejects.toThrow(/401/);
    // The same routes are open to the admin token, so it is the token that is refused.
    expect((await r.api('GET', '/api/agents')).status).toBe(200);
  });

  it('while the admin token is refused in a webhook URL, in the path or as token=', async () => {
    const r = await ringside();
    expect((await event(r, TEST_WEBHOOK_TOKEN)).status).toBe(200);
    expect(await event(r, TEST_TOKEN)).toMatchObject({ status: 401, body: { reason: 'invalid token' } });
    const asParameter = (token: string) => {
      const query = new URLSearchParams({ ...params(ALICE.phone.mac, newCaller()), token }).toString();
      return fetch(`${r.instance.webhookUrl.replace('0.0.0.0', '127.0.0.1')}/gs/cti/incoming?${query}`);
    };
    expect((await asParameter(TEST_TOKEN)).status).toBe(401);
    expect((await asParameter(TEST_WEBHOOK_TOKEN)).status).toBe(200);
    const listed = await r.api<{ urls: Array<{ url: string }> }>('GET', '/api/action-urls');
    expect(JSON.stringify(listed.body)).toContain(`/gs/${TEST_WEBHOOK_TOKEN}/`);
    expect(JSON.stringify(listed.body)).not.toContain(TEST_TOKEN);
  });

  it('RINGSIDE_TOKEN of an older set-up is read as the webhook token: phones deliver with it, the API refuses it, with a deprecation warning', async () => {
    const legacy = 'old-ringside-token-0123456789';
    const r = await ringside({ webhookToken: undefined, token: legacy });
    expect(r.config.warnings).toEqual([LEGACY_TOKEN_WARNING]);
    const caller = newCaller();
    expect((await event(r, legacy, ALICE.phone.mac, caller)).status).toBe(200);
    await r.settle();
    expect((await r.api<{ items: unknown[] }>('GET', `/api/calls?remote=${encodeURIComponent(caller)}`)).body.items).toHaveLength(1);
    expect(await r.api('GET', '/api/calls', { token: legacy })).toMatchObject({ status: 403, body: { error: 'webhook_token' } });
    expect((await r.api('POST', '/api/agents', { token: legacy, body: { id: 'mallory', name: 'Mallory' } })).status).toBe(403);
    expect((await r.api<{ webhook: unknown }>('GET', '/api/tokens')).body.webhook).toMatchObject({ source: 'configured', deprecatedSetting: 'RINGSIDE_TOKEN', rotatable: false });
  });

  it("an older data directory with only its `token` keeps its phones working; that token is no admin, a new admin token is generated (0600)", async () => {
    const dir = tempDir();
    const old = 'token-of-an-older-ringside-0123';
    writeFileSync(join(dir, 'token'), `${old}\n`, { mode: 0o600 });
    const r = await ringside(FILE_TOKENS, dir);
    const caller = newCaller();
    expect((await event(r, old, ALICE.phone.mac, caller)).status).toBe(200);
    await r.settle();
    expect((await r.api<{ items: unknown[] }>('GET', `/api/calls?remote=${encodeURIComponent(caller)}`)).body.items).toHaveLength(1);
    expect(await r.api('GET', '/api/calls', { token: old })).toMatchObject({ status: 403, body: { error: 'webhook_token' } });

    const admin = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    expect(admin).not.toBe(old);
    expect((await r.api('GET', '/api/calls', { token: admin })).status).toBe(200);
    expect(readFileSync(join(dir, 'webhook-token'), 'utf8').trim()).toBe(old);
    for (const name of ['webhook-token', 'admin-token']) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'token'))).toBe(false);
  });
});

interface PhoneRotation { mac: string; agent: string | null; outcome: string; reason: string | null }
interface WebhookRotation { rotatedAt: number; previousValidUntil: number | null; reprovisioned: PhoneRotation[]; manual: PhoneRotation[]; elsewhere: PhoneRotation[] }

describe('rotating the webhook token on a running server', () => {
  it('switches at once, re-provisions the phones with control settings, lists the others, and takes the old token until the grace ends', async () => {
    const r = await ringside({ ...FILE_TOKENS, publicHost: '127.0.0.1' });
    const alice = await r.agent(ALICE.id, { name: ALICE.name, extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
    await r.agent(BOB.id, { name: BOB.name, extension: BOB.phone.extension, devices: [BOB.phone.mac] });
    // Alice's phone was provisioned through its control settings; Bob's had its URLs pasted by hand.
    const phone = await startPhone({ identity: ALICE.phone, form: 'session' });
    expect((await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: phone.host, port: phone.port, password: PHONE_PASSWORD } })).status).toBe(200);
    expect((await r.api('POST', `/api/devices/${ALICE.phone.mac}/provision`)).status).toBe(200);
    const old = currentToken(r.config, 'webhook');
    expect(phone.config.value('P8310')).toContain(`/gs/${old}/`);

    const rotation = await r.api<WebhookRotation>('POST', '/api/tokens/webhook/rotate', { body: { graceMs: 60_000 } });
    expect(rotation.status).toBe(200);
    const fresh = readFileSync(join(r.dataDir, 'webhook-token'), 'utf8').trim();
    expect(fresh).not.toBe(old);
    expect(statSync(join(r.dataDir, 'webhook-token')).mode & 0o777).toBe(0o600);
    // The answer says what happened to each phone, and carries no token.
    expect(rotation.body.reprovisioned).toEqual([expect.objectContaining({ mac: '000B825E0001', agent: ALICE.id, outcome: 'reprovisioned' })]);
    expect(rotation.body.manual).toEqual([expect.objectContaining({ mac: '000B825E0002', agent: BOB.id, outcome: 'manual', reason: expect.stringMatching(/no control settings/) })]);
    expect(rotation.body.previousValidUntil).toBe(rotation.body.rotatedAt + 60_000);
    expect(JSON.stringify(rotation.body)).not.toContain(fresh);
    expect(JSON.stringify(rotation.body)).not.toContain(old);

    // The new token works at once, and Alice's phone holds it: its next call arrives through it.
    expect((await event(r, fresh)).status).toBe(200);
    for (const slot of ['P8310', 'P8313', 'P8314']) expect(phone.config.value(slot)).toContain(`/gs/${fresh}/`);
    const caller = newCaller();
    phone.ring(caller, 'Carla Díaz');
    await phone.outbox.flush();
    expect(phone.outbox.failures).toEqual([]);
    await alice.callMessage('call.ringing', caller);
    const listed = await r.api<{ urls: Array<{ url: string }> }>('GET', '/api/action-urls');
    expect(listed.body.urls.every((u) => u.url.includes(`/gs/${fresh}/`))).toBe(true);

    // Bob's phone still has the old URLs: they work during the grace, and Bob's phone is listed as using them.
    expect((await event(r, old, BOB.phone.mac)).status).toBe(200);
    const tokens = await r.api<{ webhook: { previous: { validUntil: number; phones: Array<{ mac: string }> } | null } }>('GET', '/api/tokens');
    expect(tokens.body.webhook.previous).toMatchObject({ validUntil: rotation.body.previousValidUntil, phones: [{ mac: '000B825E0002' }] });
    expect(JSON.stringify(tokens.body)).not.toContain(old);

    // Once the grace is over, the old token is refused; the new one goes on working.
    r.advance(60_001);
    expect((await event(r, old, BOB.phone.mac)).status).toBe(401);
    expect((await event(r, fresh, BOB.phone.mac)).status).toBe(200);
    expect((await r.api<{ webhook: { previous: unknown } }>('GET', '/api/tokens')).body.webhook.previous).toBeNull();
  });

  it('keeps the grace across a restart, ends it on request (retire), and with grace 0 refuses the old token at once', async () => {
    const dir = tempDir();
    let r = await ringside(FILE_TOKENS, dir);
    const first = currentToken(r.config, 'webhook');
    expect((await r.api('POST', '/api/tokens/webhook/rotate', { body: { graceMs: 3_600_000 } })).status).toBe(200);
    const second = currentToken(r.config, 'webhook');
    expect(statSync(join(dir, 'webhook-token.previous')).mode & 0o777).toBe(0o600);

    await r.stop();
    running.splice(running.indexOf(r), 1);
    r = await ringside(FILE_TOKENS, dir);
    expect((await event(r, first)).status).toBe(200);
    expect((await event(r, second)).status).toBe(200);

    expect(await r.api('POST', '/api/tokens/webhook/retire')).toMatchObject({ status: 200, body: { retired: true } });
    expect((await event(r, first)).status).toBe(401);
    expect((await event(r, second)).status).toBe(200);

    expect(await r.api<WebhookRotation>('POST', '/api/tokens/webhook/rotate', { body: { graceMs: 0 } })).toMatchObject({ status: 200, body: { previousValidUntil: null } });
    expect((await event(r, second)).status).toBe(401);
    expect((await event(r, currentToken(r.config, 'webhook'))).status).toBe(200);
    // Bad input changes nothing.
    const before = currentToken(r.config, 'webhook');
    expect((await r.api('POST', '/api/tokens/webhook/rotate', { body: { graceMs: -1 } })).status).toBe(400);
    expect((await r.api('POST', '/api/tokens/webhook/rotate', { body: { grace: '1h' } })).status).toBe(400);
    expect(currentToken(r.config, 'webhook')).toBe(before);
  });

  it('is refused (409) for a configured token, which would come back at the next start', async () => {
    const r = await ringside();
    expect(await r.api('POST', '/api/tokens/webhook/rotate')).toMatchObject({ status: 409, body: { error: 'token_configured' } });
    expect(await r.api('POST', '/api/tokens/admin/rotate')).toMatchObject({ status: 409, body: { error: 'token_configured' } });
    expect((await event(r, TEST_WEBHOOK_TOKEN)).status).toBe(200);
  });
});

describe('rotating the admin token on a running server', () => {
  it('refuses the old admin token at once, closes the WebSocket it opened, and leaves agent sessions alone', async () => {
    const r = await ringside(FILE_TOKENS);
    const alice = await r.agent(ALICE.id, { name: ALICE.name });
    const old = currentToken(r.config, 'admin');
    const adminSocket = await AgentClient.connect(r.instance.apiUrl, old, { name: 'the admin' });
    const closed = waitFor<number>('the admin socket to be closed', (resolve) => {
      adminSocket.ws.once('close', (code) => resolve(code));
    });

    expect(await r.api('POST', '/api/tokens/admin/rotate', { token: old })).toMatchObject({ status: 200, body: { kind: 'admin', file: join(r.dataDir, 'admin-token') } });
    expect(await closed).toBe(4001);
    const fresh = readFileSync(join(r.dataDir, 'admin-token'), 'utf8').trim();
    expect(fresh).not.toBe(old);
    expect(statSync(join(r.dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
    expect((await r.api('GET', '/api/agents', { token: old })).status).toBe(401);
    expect((await r.api('GET', '/api/agents', { token: fresh })).status).toBe(200);
    await expect(AgentClient.connect(r.instance.apiUrl, old)).rejects.toThrow(/401/);
    expect((await r.api('GET', '/api/calls', { token: alice.token })).status).toBe(200);
  });
});

describe('one-time sign-in links', () => {
  it("sign the seat's agent (or the one named) in once, within five minutes; only the admin asks for them", async () => {
    const r = await ringside();
    const link = await r.api<{ agent: string; url: string; expiresAt: number }>('POST', '/api/signin-links');
    expect(link.status).toBe(200);
    expect(link.body.agent).toBe('me');
    const url = new URL(link.body.url);
    expect(url.origin).toBe(r.instance.apiUrl);
    const code = url.hash.replace('#signin=', '');
    expect(code.length).toBeGreaterThanOrEqual(32);

    const signin = (c: string) => r.api<{ token: string; agent: string; error?: string }>('POST', '/api/signin', { token: undefined, body: { code: c } });
    const session = await signin(code);
    expect(session).toMatchObject({ status: 200, body: { agent: 'me', account: 'default' } });
    expect(await r.api('GET', '/api/session', { token: session.body.token })).toMatchObject({ status: 200, body: { kind: 'agent', agent: 'me' } });
    expect(await signin(code)).toMatchObject({ status: 401, body: { error: 'signin_link_invalid' } });

    const alice = await r.agent(ALICE.id, { name: ALICE.name });
    const late = await r.api<{ url: string; agent: string }>('POST', '/api/signin-links', { body: { agent: ALICE.id } });
    expect(late.body.agent).toBe(ALICE.id);
    r.advance(5 * 60_000 + 1);
    expect((await signin(new URL(late.body.url).hash.replace('#signin=', ''))).status).toBe(401);

    expect((await r.api('POST', '/api/signin-links', { body: { agent: 'nobody' } })).status).toBe(404);
    expect((await r.api('POST', '/api/signin-links', { token: TEST_WEBHOOK_TOKEN })).status).toBe(403);
    // A plain agent may not; the seat's own agent administers a single seat (README, The admin console).
    expect((await r.api('POST', '/api/signin-links', { token: alice.token, body: { agent: 'me' } })).status).toBe(403);
    expect((await r.api('POST', '/api/signin-links', { token: session.body.token, body: { agent: ALICE.id } })).status).toBe(200);
    expect((await signin('not-a-code-of-this-ringside-0123')).status).toBe(401);
    expect((await r.api('POST', '/api/signin', { token: undefined, body: {} })).status).toBe(400);
  });
});
