// Issue 13: admins who are agents. An agent marked `admin` in the directory, and on a single seat
// the seat's own agent, pass the admin checks of the agent API with their own sign-in, so IT opens
// the admin console without the admin token; the token rotation (/api/tokens/*) stays with the
// admin token. Real in-process Ringside, real SQLite; the shared case on the real Redis/RabbitMQ.
import { afterEach, describe, expect, it } from 'vitest';
import { startOffice, type Office } from '../../support/office';
import { startTestRingside, TEST_TOKEN, type TestRingside } from '../../support/ringside';

let r: TestRingside | null = null;
let office: Office | null = null;

afterEach(async () => {
  await r?.stop();
  await office?.stop();
  r = null;
  office = null;
});

async function sessionOf(ringside: TestRingside, agent: string): Promise<string> {
  const created = await ringside.api<{ token: string }>('POST', '/api/session', { body: { agent } });
  expect(created.status).toBe(200);
  return created.body.token;
}

describe('agents marked admin', () => {
  it('pass the admin routes with their own token, are refused the token rotation; a plain agent stays refused; the flag is kept and can be taken away', async () => {
    r = await startTestRingside();
    expect((await r.api('POST', '/api/agents', { body: { id: 'ivy', name: 'Ivy (IT)', admin: true } }))).toMatchObject({ status: 200, body: { admin: true } });
    expect((await r.api('POST', '/api/agents', { body: { id: 'bob', name: 'Bob' } }))).toMatchObject({ status: 200, body: { admin: false } });
    const ivy = await sessionOf(r, 'ivy');
    const bob = await sessionOf(r, 'bob');

    // The session says so (the UI shows the Admin tab by it).
    expect((await r.api('GET', '/api/session', { token: ivy })).body).toMatchObject({ kind: 'agent', agent: 'ivy', admin: true, supervisor: false });
    expect((await r.api('GET', '/api/session', { token: bob })).body).toMatchObject({ kind: 'agent', agent: 'bob', admin: false });
    expect((await r.api('GET', '/api/session')).body).toMatchObject({ kind: 'admin', admin: true });

    // Ivy adds an agent and a helpline, gives an invite link; Bob may not.
    expect((await r.api('POST', '/api/agents', { token: ivy, body: { id: 'carol', name: 'Carol', extension: '203' } })).status).toBe(200);
    expect((await r.api('POST', '/api/helplines', { token: ivy, body: { number: '+34910000000', name: 'Sales', agents: ['carol'] } })).status).toBe(200);
    expect((await r.api('POST', '/api/agents/carol/invite', { token: ivy })).status).toBe(200);
    expect((await r.api('POST', '/api/agents', { token: bob, body: { id: 'dan', name: 'Dan' } })).status).toBe(403);
    expect((await r.api('POST', '/api/helplines', { token: bob, body: { number: '+34910000001', name: 'Support' } })).status).toBe(403);
    expect((await r.api('POST', '/api/agents/carol/invite', { token: bob })).status).toBe(403);
    // Nothing Bob tried was written.
    const agents = await r.api<{ items: Array<{ id: string; admin: boolean }> }>('GET', '/api/agents', { token: bob });
    expect(agents.body.items.map((a) => a.id)).not.toContain('dan');
    expect(agents.body.items.find((a) => a.id === 'ivy')).toMatchObject({ admin: true });

    // The tokens stay with the admin token: seen, rotated, retired.
    for (const [method, path] of [['GET', '/api/tokens'], ['POST', '/api/tokens/webhook/rotate'], ['POST', '/api/tokens/webhook/retire'], ['POST', '/api/tokens/admin/rotate']] as const) {
      expect(await r.api(method, path, { token: ivy }), `${method} ${path}`).toMatchObject({ status: 403, body: { error: 'admin_token_only' } });
    }
    expect((await r.api('GET', '/api/tokens', { token: TEST_TOKEN })).status).toBe(200);

    // Renamed without the field: still an admin. Taken away: her open session is refused at once.
    await r.api('POST', '/api/agents', { body: { id: 'ivy', name: 'Ivy' } });
    expect((await r.api('GET', '/api/session', { token: ivy })).body).toMatchObject({ admin: true });
    await r.api('POST', '/api/agents', { body: { id: 'ivy', name: 'Ivy', admin: false } });
    expect((await r.api('POST', '/api/agents', { token: ivy, body: { id: 'erin', name: 'Erin' } })).status).toBe(403);
    expect((await r.api('GET', '/api/session', { token: ivy })).body).toMatchObject({ admin: false });

    // Only a boolean is accepted.
    expect((await r.api('POST', '/api/agents', { body: { id: 'fay', name: 'Fay', admin: 'yes' } })).status).toBe(400);
  });

  it('an admin agent sees every phone with its control settings in GET /api/devices, a plain agent only their own', async () => {
    r = await startTestRingside();
    await r.api('POST', '/api/agents', { body: { id: 'ivy', name: 'Ivy', admin: true } });
    await r.api('POST', '/api/agents', { body: { id: 'bob', name: 'Bob', devices: ['000b82aa0001'] } });
    expect((await r.api('PUT', '/api/devices/000b82aa0001/control', { body: { host: '192.0.2.10', port: 80, username: 'admin' } })).status).toBe(200);
    const ivy = await sessionOf(r, 'ivy');
    const listed = await r.api<{ items: Array<{ mac: string; control: { host?: string | null; withheld?: boolean } }> }>('GET', '/api/devices', { token: ivy });
    expect(listed.body.items).toEqual([expect.objectContaining({ mac: '000B82AA0001', control: expect.objectContaining({ host: '192.0.2.10' }) })]);
    const bob = await sessionOf(r, 'bob');
    const own = await r.api<{ items: Array<{ control: { withheld?: boolean } }> }>('GET', '/api/devices', { token: bob });
    expect(own.body.items[0]!.control.withheld).toBe(true);
  });
});

describe("a seat's own agent", () => {
  it('on a single seat administers the seat without the mark; another agent of the seat does not', async () => {
    r = await startTestRingside();
    const seat = r.config.agent;
    const me = await sessionOf(r, seat);
    expect((await r.api('GET', '/api/session', { token: me })).body).toMatchObject({ agent: seat, admin: true });
    const listed = await r.api<{ items: Array<{ id: string; admin: boolean }> }>('GET', '/api/agents', { token: me });
    expect(listed.body.items.find((a) => a.id === seat)).toMatchObject({ admin: true });
    // The newcomer's first hour: a second agent and a helpline from the console.
    expect((await r.api('POST', '/api/agents', { token: me, body: { id: 'bob', name: 'Bob', extension: '202' } })).status).toBe(200);
    expect((await r.api('POST', '/api/helplines', { token: me, body: { number: '+34910000000', name: 'Sales', agents: ['bob'] } })).status).toBe(200);
    const bob = await sessionOf(r, 'bob');
    expect((await r.api('POST', '/api/agents', { token: bob, body: { id: 'dan', name: 'Dan' } })).status).toBe(403);
    // The tokens are not the seat agent's either.
    expect((await r.api('POST', '/api/tokens/admin/rotate', { token: me })).status).toBe(403);
  });

  it('in shared mode is nobody special: no admin without the mark', async () => {
    office = await startOffice(1);
    const seat = office.seats[0]!;
    await seat.api('POST', '/api/agents', { body: { id: seat.config.agent, name: 'Seat' } });
    const me = await sessionOf(seat, seat.config.agent);
    expect((await seat.api('GET', '/api/session', { token: me })).body).toMatchObject({ agent: seat.config.agent, admin: false });
    expect((await seat.api('POST', '/api/agents', { token: me, body: { id: 'bob', name: 'Bob' } })).status).toBe(403);
  });
});
