// GET /api/settings `database` and POST /api/services/database/test (docs/agent-api.md, Settings):
// where the call history is kept, shown to whoever administers Ringside with every password masked
// and to no agent; the Test asks PostgreSQL now. Real in-process Ringside on a real SQLite file or
// a fresh PostgreSQL database; PostgreSQL is taken away through a TCP proxy this test owns, and the
// agents' health messages say so.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, POSTGRES_URL, type TestDatabase } from '../../support/postgres';
import { startTestRingside, TEST_TOKEN, type TestRingside } from '../../support/ringside';
import { startTcpProxy, targetOf, type TcpProxy } from '../../support/tcpProxy';
import { MAC_A, MAC_B } from './fixtures';

const macKey = (mac: string) => mac.replaceAll(':', '');

interface Probe { ok: boolean; state: string; latencyMs?: number; error?: string }
interface Settings { database?: { kind: string; url?: string; file?: string; host?: string | null; port?: number | null; name?: string | null }; phones: Array<{ mac: string }> }

/** The local server trusts 127.0.0.1 (test/support/postgres.ts): any password is let in, so this one can be looked for. */
const PG_PASSWORD = 'pg-settings-secret-6120';

let ringside: TestRingside | null = null;
let database: TestDatabase | null = null;
let proxy: TcpProxy | null = null;

afterEach(async () => {
  proxy?.resume();
  try {
    await ringside?.stop();
  } finally {
    ringside = null;
    await proxy?.close();
    proxy = null;
    await database?.drop();
    database = null;
  }
});

/** The test database's URL with the password set and, when given, the proxy as host and port. */
function databaseUrl(through?: TcpProxy): string {
  const url = new URL(database!.url);
  url.password = PG_PASSWORD;
  if (through) {
    url.hostname = '127.0.0.1';
    url.port = String(through.port);
  }
  return url.toString();
}

const settingsAs = async (r: TestRingside, token: string) => {
  const res = await r.api<Settings>('GET', '/api/settings', { token });
  expect(res.status).toBe(200);
  return res.body;
};
const sessionOf = async (r: TestRingside, agent: string) => (await r.api<{ token: string }>('POST', '/api/session', { body: { agent } })).body.token;

describe('GET /api/settings: the call history database', () => {
  it('embedded: the SQLite file for the admin; an agent is not told paths', async () => {
    ringside = await startTestRingside();
    const alice = await ringside.agent('alice', { devices: [MAC_A] });
    expect((await settingsAs(ringside, TEST_TOKEN)).database).toEqual({ kind: 'sqlite', file: join(ringside.dataDir, 'ringside.db') });
    const own = await settingsAs(ringside, alice.token);
    expect(own).not.toHaveProperty('database');
    expect(JSON.stringify(own)).not.toContain(ringside.dataDir);
  });

  it('PostgreSQL: host, port and database with the password masked, for the admin and an agent marked admin; nothing of it for an agent', async () => {
    database = await createTestDatabase('settings');
    ringside = await startTestRingside({ database: databaseUrl() });
    const r = ringside;
    await r.agent('alice', { devices: [MAC_A] });
    await r.agent('bob', { devices: [MAC_B] });
    expect((await r.api('POST', '/api/agents', { body: { id: 'ida', name: 'Ida (IT)', admin: true } })).status).toBe(200);
    const target = new URL(POSTGRES_URL);

    const expected = {
      kind: 'postgres', url: `postgres://${target.username}:***@${target.host}/${database.name}`,
      host: target.hostname, port: Number(target.port), name: database.name,
    };
    const admin = await settingsAs(r, TEST_TOKEN);
    expect(admin.database).toEqual(expected);
    // An agent marked admin opens the same console: the same view, every phone.
    const ida = await settingsAs(r, await sessionOf(r, 'ida'));
    expect(ida.database).toEqual(expected);
    expect(ida.phones.map((p) => p.mac)).toEqual([macKey(MAC_A), macKey(MAC_B)]);

    const alice = await settingsAs(r, await sessionOf(r, 'alice'));
    expect(alice).not.toHaveProperty('database');
    expect(alice.phones.map((p) => p.mac)).toEqual([macKey(MAC_A)]);
    expect(JSON.stringify(alice)).not.toContain(database.name);
    expect(JSON.stringify(alice)).not.toMatch(/postgres/i);
    for (const body of [admin, ida, alice]) expect(JSON.stringify(body)).not.toContain(PG_PASSWORD);
  });
});

describe('POST /api/services/database/test', () => {
  it('embedded: not used; agents may not; no other database is tried', async () => {
    ringside = await startTestRingside();
    const alice = await ringside.agent('alice');
    expect(await ringside.api('POST', '/api/services/database/test')).toEqual({ status: 200, body: { ok: false, state: 'embedded' } });
    expect((await ringside.api('POST', '/api/services/database/test', { token: alice.token })).status).toBe(403);
    expect((await ringside.api('POST', '/api/services/database/test', { body: { url: POSTGRES_URL } })).status).toBe(400);
  });

  it('PostgreSQL: asked now; taken away, ok false with the reason and never the password, and health says down; back, ok again', async () => {
    database = await createTestDatabase('settings_test');
    proxy = await startTcpProxy(targetOf(POSTGRES_URL, 5432));
    ringside = await startTestRingside({ database: databaseUrl(proxy) });
    const r = ringside;
    const alice = await r.agent('alice', { devices: [MAC_A] });
    const test = async () => (await r.api<Probe>('POST', '/api/services/database/test')).body;

    const up = await test();
    expect(up).toMatchObject({ ok: true, state: 'up' });
    expect(up.latencyMs).toBeGreaterThanOrEqual(0);

    const beforeOutage = alice.mark();
    proxy.pause({ newConnections: 'refuse' });
    const down = await test();
    expect(down).toMatchObject({ ok: false, state: 'down' });
    expect(down.error).toEqual(expect.any(String));
    expect(JSON.stringify(down)).not.toContain(PG_PASSWORD);
    // The failed Test is what the health then says, and the UIs are told (the console's row reads it), though their phones cannot be read meanwhile.
    expect((await r.api<{ database?: string }>('GET', '/healthz')).body.database).toBe('down');
    const downMessage = await alice.next((m) => m.type === 'health' && m.database === 'down', 'a health message with the database down', { since: beforeOutage });

    proxy.resume();
    expect(await test()).toMatchObject({ ok: true, state: 'up' });
    await alice.next((m) => m.type === 'health' && m.database === 'up', 'a health message with the database up again', { since: alice.messages.indexOf(downMessage) + 1 });
  });
});
