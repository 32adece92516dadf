// Signing in without the admin (docs/agent-api.md, Passwords and invite links): an agent's password
// set by the admin, kept only as a scrypt hash; POST /api/signin {agent, password}; failed attempts
// throttled per agent and per address (429, Retry-After) and logged at warn; invite links that let
// an agent choose a password once, kept (hashed) across a restart.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/app/config/loadConfig';
import { startRingside, type RingsideInstance } from '../../../src/app/server';
import { createLogger } from '../../../src/shared/logger';
import { apiRequest, TEST_TOKEN, TEST_WEBHOOK_TOKEN } from '../../support/ringside';
import { makeTempDir } from '../../support/tmp';

interface Seat {
  instance: RingsideInstance;
  /** Log lines at warn and above: level and message, and the whole line as text. */
  logs: Array<{ level: number; msg: string; text: string }>;
  advance(ms: number): void;
  api<T = Record<string, unknown>>(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: T }>;
  /** POST /api/signin without a bearer token. */
  signin(body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

const temps: Array<{ cleanup: () => void }> = [];
const running: RingsideInstance[] = [];
afterEach(async () => {
  for (const instance of running.splice(0)) await instance.close();
  for (const temp of temps.splice(0)) temp.cleanup();
});

function newDataDir(): string {
  const temp = makeTempDir();
  temps.push(temp);
  return temp.dir;
}

async function start(dataDir = newDataDir()): Promise<Seat> {
  const logs: Seat['logs'] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = String(chunk);
      const line = JSON.parse(text) as { level: number; msg: string };
      logs.push({ level: line.level, msg: line.msg, text });
      done();
    },
  });
  const config = loadConfig({
    env: { RINGSIDE_PROVISIONING_FILE: '/nonexistent/ringside.json' },
    overrides: { dataDir, adminToken: TEST_TOKEN, webhookToken: TEST_WEBHOOK_TOKEN, webhook: { host: '127.0.0.1', port: 0 }, api: { host: '127.0.0.1', port: 0 }, logLevel: 'info' },
  });
  let offset = 0;
  const instance = await startRingside(config, { logger: createLogger({ level: 'info', destination }), clock: () => Date.now() + offset, stopGraceMs: 500 });
  running.push(instance);
  const api = <T,>(method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
    apiRequest<T>(instance.apiUrl, method, path, { token: TEST_TOKEN, ...options });
  const seat: Seat = {
    instance, logs,
    advance: (ms) => {
      offset += ms;
    },
    api,
    signin: (body) => apiRequest(instance.apiUrl, 'POST', '/api/signin', { body }),
  };
  for (const [id, name] of [['alice', 'Alice Adams'], ['bob', 'Bob Brown']]) {
    expect((await api('POST', '/api/agents', { body: { id, name } })).status).toBe(200);
  }
  return seat;
}

/** The bytes of the database and its WAL, as anyone able to read the file sees them. */
function rawDatabase(dataDir: string): string {
  const file = join(dataDir, 'ringside.db');
  return ['', '-wal'].map((suffix) => (existsSync(`${file}${suffix}`) ? readFileSync(`${file}${suffix}`).toString('latin1') : '')).join('');
}

const PASSWORD = 'correct horse battery';

describe('a password set by the admin', () => {
  it('signs the agent in with a session like POST /api/session gives; only a salted hash is stored, and the API never answers it', async () => {
    const dataDir = newDataDir();
    const r = await start(dataDir);
    const before = await r.api<{ token: string }>('POST', '/api/session', { body: { agent: 'alice' } });

    const set = await r.api('POST', '/api/agents/alice/password', { body: { password: PASSWORD } });
    expect(set).toMatchObject({ status: 200, body: { agent: 'alice', passwordSet: true, inviteExpiresAt: null } });
    expect(JSON.stringify(set.body)).not.toContain(PASSWORD);
    expect(JSON.stringify(set.body)).not.toContain('scrypt');
    // A reset ends the sessions the agent had.
    expect((await r.api('GET', '/api/session', { token: before.body.token })).status).toBe(401);

    const signedIn = await r.signin({ agent: 'alice', password: PASSWORD });
    expect(signedIn).toMatchObject({ status: 200, body: { account: 'default', agent: 'alice' } });
    const token = signedIn.body.token as string;
    const session = await r.api<{ agent: string; kind: string; expiresAt: number }>('GET', '/api/session', { token });
    expect(session.body).toMatchObject({ agent: 'alice', kind: 'agent' });
    expect(session.body.expiresAt).toBe(signedIn.body.expiresAt);
    expect(session.body.expiresAt).toBeGreaterThan(Date.now() + r.instance.config.sessionTtlMs - 60_000);
    // The id is matched without regard to case, as a person types it.
    expect((await r.signin({ agent: 'Alice', password: PASSWORD })).body).toMatchObject({ agent: 'alice' });

    // The database holds a salted scrypt hash, never the password; two agents with one password get two hashes.
    await r.api('POST', '/api/agents/bob/password', { body: { password: PASSWORD } });
    const raw = rawDatabase(dataDir);
    expect(raw).not.toContain(PASSWORD);
    const hashes = [...new Set(raw.match(/scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+/g) ?? [])];
    expect(hashes.length).toBeGreaterThanOrEqual(2);
    // Nor in the log.
    expect(r.logs.map((l) => l.text).join('\n')).not.toContain(PASSWORD);

    const status = await r.api('GET', '/api/agents/alice/password');
    expect(Object.keys(status.body).sort()).toEqual(['agent', 'inviteExpiresAt', 'passwordSet', 'passwordSetAt']);
  });

  it('is the admin\'s to set or remove: an agent token is refused, bad input is a 400 naming it, an unknown agent a 404', async () => {
    const r = await start();
    const alice = (await r.api<{ token: string }>('POST', '/api/session', { body: { agent: 'alice' } })).body.token;
    expect((await r.api('POST', '/api/agents/alice/password', { token: alice, body: { password: PASSWORD } })).status).toBe(403);
    expect((await r.api('POST', '/api/agents/bob/invite', { token: alice })).status).toBe(403);
    expect((await r.api('GET', '/api/agents/alice/password', { token: alice })).status).toBe(403);
    expect((await r.api('POST', '/api/agents/alice/password', { token: TEST_WEBHOOK_TOKEN, body: { password: PASSWORD } })).status).toBe(403);
    expect((await r.api('POST', '/api/agents/alice/password', { token: undefined, body: { password: PASSWORD } })).status).toBe(401);

    const short = await r.api<{ error: string }>('POST', '/api/agents/alice/password', { body: { password: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.error).toMatch(/password must be at least 8 characters/);
    expect((await r.api('POST', '/api/agents/alice/password', { body: { password: '          ' } })).status).toBe(400);
    expect((await r.api('POST', '/api/agents/alice/password', { body: { password: PASSWORD, extra: 1 } })).status).toBe(400);
    expect((await r.api('POST', '/api/agents/nobody/password', { body: { password: PASSWORD } })).status).toBe(404);
    expect((await r.api('POST', '/api/agents/nobody/invite')).status).toBe(404);
    // Nothing was set by any of those.
    expect((await r.api('GET', '/api/agents/alice/password')).body).toMatchObject({ passwordSet: false });

    await r.api('POST', '/api/agents/alice/password', { body: { password: PASSWORD } });
    const removed = await r.api('DELETE', '/api/agents/alice/password');
    expect(removed).toMatchObject({ status: 200, body: { passwordSet: false, passwordSetAt: null } });
    expect((await r.signin({ agent: 'alice', password: PASSWORD })).status).toBe(401);
    // A removed agent's password goes with it.
    await r.api('POST', '/api/agents/bob/password', { body: { password: PASSWORD } });
    await r.api('DELETE', '/api/agents/bob');
    await r.api('POST', '/api/agents', { body: { id: 'bob', name: 'Another Bob' } });
    expect((await r.signin({ agent: 'bob', password: PASSWORD })).status).toBe(401);
  });
});

describe('signing out', () => {
  it('ends the agent\'s own session, not their others; the admin token is no session', async () => {
    const r = await start();
    const session = () => r.api<{ token: string }>('POST', '/api/session', { body: { agent: 'alice' } }).then((a) => a.body.token);
    const [mine, other] = [await session(), await session()];
    expect(await r.api('DELETE', '/api/session', { token: mine })).toEqual({ status: 200, body: { signedOut: true } });
    expect((await r.api('GET', '/api/session', { token: mine })).status).toBe(401);
    expect((await r.api('GET', '/api/session', { token: other })).status).toBe(200);
    expect((await r.api('DELETE', '/api/session', { token: mine })).status).toBe(401);
    expect((await r.api('DELETE', '/api/session')).status).toBe(400);
    expect((await r.api('GET', '/api/session')).status).toBe(200);
  });
});

describe('an agent changing their own password', () => {
  it('needs the current one (wrong: 403, and counted as a failed sign-in); ends every session and answers a new one', async () => {
    const r = await start();
    await r.api('POST', '/api/agents/alice/password', { body: { password: PASSWORD } });
    const mine = (await r.signin({ agent: 'alice', password: PASSWORD })).body.token as string;
    const elsewhere = (await r.signin({ agent: 'alice', password: PASSWORD })).body.token as string;
    const change = (token: string, current: string, password: string) => r.api<Record<string, unknown>>('POST', '/api/session/password', { token, body: { current, password } });

    expect(await change(mine, 'not it', 'my new password')).toEqual({ status: 403, body: { error: 'wrong_password', reason: 'Your current password is not right.' } });
    expect((await change(mine, PASSWORD, 'short')).status).toBe(400);
    expect((await r.api('POST', '/api/session/password', { body: { current: PASSWORD, password: 'my new password' } })).status).toBe(400);
    expect((await r.signin({ agent: 'alice', password: PASSWORD })).status).toBe(200);

    const changed = await change(mine, PASSWORD, 'my new password');
    expect(changed).toMatchObject({ status: 200, body: { agent: 'alice', account: 'default' } });
    for (const old of [mine, elsewhere]) expect((await r.api('GET', '/api/session', { token: old })).status).toBe(401);
    expect((await r.api('GET', '/api/session', { token: changed.body.token as string })).status).toBe(200);
    expect((await r.signin({ agent: 'alice', password: PASSWORD })).status).toBe(401);
    expect((await r.signin({ agent: 'alice', password: 'my new password' })).status).toBe(200);
    expect(r.logs.map((l) => l.text).join('\n')).not.toContain('my new password');
  });
});

describe('a wrong password', () => {
  it('is a 401 saying no more than "wrong agent or password", for a wrong password, an agent without one and an unknown agent alike, each logged at warn', async () => {
    const r = await start();
    await r.api('POST', '/api/agents/alice/password', { body: { password: PASSWORD } });
    const answers = [
      await r.signin({ agent: 'alice', password: 'not the password' }),
      await r.signin({ agent: 'bob', password: 'not the password' }),
      await r.signin({ agent: 'nobody', password: 'not the password' }),
    ];
    for (const answer of answers) expect(answer).toEqual({ status: 401, body: { error: 'signin_failed', reason: 'Wrong agent or password.' } });
    const refused = r.logs.filter((l) => l.level === 40 && /sign-in refused/.test(l.msg));
    // The agent when known; an unknown id is not logged (it may be a password typed into the wrong field).
    expect(refused.map((l) => JSON.parse(l.text) as { agent: string | null }).map((l) => l.agent)).toEqual(['alice', 'bob', null]);
    expect(refused.every((l) => !l.text.includes('nobody'))).toBe(true);
    expect(refused.every((l) => !l.text.includes('not the password'))).toBe(true);
    // Bad input is a 400, not a failed attempt.
    expect((await r.signin({ agent: 'alice' })).status).toBe(400);
    expect((await r.signin({ agent: 'alice', password: PASSWORD, code: 'x'.repeat(20) })).status).toBe(400);
  });

  it('five times within a minute for one agent: every attempt for that agent is a 429 with Retry-After, the right password too, until the minute is over', async () => {
    const r = await start();
    await r.api('POST', '/api/agents/alice/password', { body: { password: PASSWORD } });
    await r.api('POST', '/api/agents/bob/password', { body: { password: PASSWORD } });
    for (let i = 0; i < 5; i++) expect((await r.signin({ agent: 'alice', password: `guess ${i}` })).status).toBe(401);

    const throttled = await fetch(`${r.instance.apiUrl}/api/signin`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'alice', password: PASSWORD }),
    });
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await throttled.json()).toMatchObject({ error: 'signin_throttled', reason: expect.stringMatching(/^Too many failed sign-ins\. Try again in \d+ seconds\.$/) as unknown });
    expect(r.logs.some((l) => l.level === 40 && /wait a minute/.test(l.msg))).toBe(true);

    r.advance(61_000);
    expect((await r.signin({ agent: 'alice', password: PASSWORD })).status).toBe(200);
  });

  it('five times within a minute from one address, over several agents: that address waits, whichever agent it names', async () => {
    const r = await start();
    await r.api('POST', '/api/agents/bob/password', { body: { password: PASSWORD } });
    for (const agent of ['alice', 'carol', 'dave', 'erin', 'frank']) expect((await r.signin({ agent, password: 'password1' })).status).toBe(401);
    expect((await r.signin({ agent: 'bob', password: PASSWORD })).status).toBe(429);
    r.advance(61_000);
    expect((await r.signin({ agent: 'bob', password: PASSWORD })).status).toBe(200);
  });
});

describe('an invite link', () => {
  it('lets the invited agent choose a password once and signs them in; used, it is refused; kept hashed across a restart', async () => {
    const dataDir = newDataDir();
    let r = await start(dataDir);
    const invite = await r.api<{ agent: string; url: string; expiresAt: number }>('POST', '/api/agents/bob/invite', { body: {} });
    expect(invite.status).toBe(200);
    expect(invite.body.url).toMatch(new RegExp(`^${r.instance.apiUrl}/#invite=[A-Za-z0-9_-]{32}$`));
    const week = 7 * 24 * 3600_000;
    expect(invite.body.expiresAt).toBeGreaterThan(Date.now() + week - 60_000);
    expect(invite.body.expiresAt).toBeLessThanOrEqual(Date.now() + week);
    const code = new URL(invite.body.url).hash.replace('#invite=', '');
    expect(rawDatabase(dataDir)).not.toContain(code);
    expect((await r.api('GET', '/api/agents/bob/password')).body).toMatchObject({ passwordSet: false, inviteExpiresAt: invite.body.expiresAt });

    // Survives a restart (unlike the five-minute sign-in links).
    await r.instance.close();
    running.splice(running.indexOf(r.instance), 1);
    r = await start(dataDir);

    const check = (c: string) => apiRequest(r.instance.apiUrl, 'POST', '/api/invites/check', { body: { code: c } });
    const accept = (c: string, password: string) => apiRequest<Record<string, unknown>>(r.instance.apiUrl, 'POST', '/api/invites/accept', { body: { code: c, password } });
    expect(await check(code)).toMatchObject({ status: 200, body: { agent: 'bob', name: 'Bob Brown', expiresAt: invite.body.expiresAt } });
    // A password too short is refused, and the link stays open.
    expect((await accept(code, 'short')).status).toBe(400);
    expect((await check(code)).status).toBe(200);

    const accepted = await accept(code, PASSWORD);
    expect(accepted).toMatchObject({ status: 200, body: { agent: 'bob', account: 'default' } });
    expect((await r.api('GET', '/api/session', { token: accepted.body.token as string })).body).toMatchObject({ agent: 'bob', kind: 'agent' });
    expect((await r.signin({ agent: 'bob', password: PASSWORD })).status).toBe(200);
    expect(rawDatabase(dataDir)).not.toContain(PASSWORD);

    // The same link again: refused, and it changes nothing.
    expect(await accept(code, 'another password')).toEqual({ status: 401, body: { error: 'invite_invalid', reason: 'This invite link was used already or has expired. Ask for a new one.' } });
    expect((await check(code)).status).toBe(401);
    expect((await r.signin({ agent: 'bob', password: 'another password' })).status).toBe(401);
    expect((await r.api('GET', '/api/agents/bob/password')).body).toMatchObject({ passwordSet: true, inviteExpiresAt: null });
  });

  it('a new invite replaces the one sent before; an invite expires; an agent removed takes their invite along', async () => {
    const r = await start();
    const codeOf = async (agent: string, body: unknown = {}) =>
      new URL((await r.api<{ url: string }>('POST', `/api/agents/${agent}/invite`, { body })).body.url).hash.replace('#invite=', '');
    const check = (c: string) => apiRequest(r.instance.apiUrl, 'POST', '/api/invites/check', { body: { code: c } });
    const first = await codeOf('alice');
    const second = await codeOf('alice');
    expect((await check(first)).status).toBe(401);
    expect((await check(second)).status).toBe(200);

    const hour = await codeOf('bob', { ttlMs: 3600_000 });
    r.advance(3600_001);
    expect((await check(hour)).status).toBe(401);
    expect((await r.api('POST', '/api/agents/bob/invite', { body: { ttlMs: 31 * 24 * 3600_000 } })).status).toBe(400);

    await r.api('DELETE', '/api/agents/alice');
    await r.api('POST', '/api/agents', { body: { id: 'alice', name: 'Another Alice' } });
    expect((await check(second)).status).toBe(401);
    expect((await apiRequest(r.instance.apiUrl, 'POST', '/api/invites/accept', { body: { code: second, password: PASSWORD } })).status).toBe(401);
  });
});
