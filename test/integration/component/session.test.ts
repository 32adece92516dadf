// GET /api/session: who a token is, for the UI's header and its session renewal.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestRingside, type TestRingside } from '../../support/ringside';

let r: TestRingside;
beforeEach(async () => {
  r = await startTestRingside();
});
afterEach(() => r.stop());

describe('GET /api/session', () => {
  it("names an agent session's agent and its expiry, the admin token as admin, and refuses anything else", async () => {
    const alice = await r.agent('alice', { name: 'Alice Adams' });

    const own = await r.api<Record<string, unknown>>('GET', '/api/session', { token: alice.token });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ account: 'default', agent: 'alice', name: 'Alice Adams', kind: 'agent' });
    // The session's end: after now, at most one session lifetime away.
    expect(own.body.expiresAt as number).toBeGreaterThan(Date.now());
    expect(own.body.expiresAt as number).toBeLessThanOrEqual(Date.now() + r.config.sessionTtlMs);

    expect((await r.api('GET', '/api/session')).body).toEqual({ account: 'default', agent: null, name: null, kind: 'admin', expiresAt: null, supervisor: true, admin: true });
    expect((await r.api('GET', '/api/session', { token: 'not-a-session-token-000000' })).status).toBe(401);
    // A session is only made for an agent the directory has.
    expect((await r.api('POST', '/api/session', { body: { agent: 'ghost' } })).status).toBe(404);
  });
});
