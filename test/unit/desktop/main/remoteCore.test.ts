// The desktop app beside a core that npm start runs in Node: where it is, and sessions from its API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { externalCoreApi, remoteSessionIssuer } from '../../../../src/desktop/main/remoteCore';
import { startTestRingside, TEST_TOKEN, type TestRingside } from '../../../support/ringside';

describe('externalCoreApi', () => {
  it('is the origin of an http URL on this machine, null when unset, and an error otherwise', () => {
    expect(externalCoreApi({})).toBeNull();
    expect(externalCoreApi({ RINGSIDE_CORE_API: 'http://127.0.0.1:7790/' })).toBe('http://127.0.0.1:7790');
    expect(() => externalCoreApi({ RINGSIDE_CORE_API: 'http://10.0.0.5:7790' })).toThrow(/on this machine/);
    expect(() => externalCoreApi({ RINGSIDE_CORE_API: 'https://127.0.0.1:7790' })).toThrow(/on this machine/);
    expect(() => externalCoreApi({ RINGSIDE_CORE_API: 'not a url' })).toThrow(/agent API URL/);
  });
});

describe('remoteSessionIssuer', () => {
  let r: TestRingside;
  beforeEach(async () => {
    r = await startTestRingside();
  });
  afterEach(() => r.stop());

  it("gets the seat agent's sessions from the core's API, and says why when the core refuses", async () => {
    await r.agent('seat', { name: 'Seat Agent' });
    const session = await remoteSessionIssuer(r.instance.apiUrl, TEST_TOKEN, 'seat').createAgentSession();
    expect(session.expiresAt).toBeGreaterThan(Date.now());
    const who = await r.api<{ agent: string; kind: string }>('GET', '/api/session', { token: session.token });
    expect(who.body).toMatchObject({ agent: 'seat', kind: 'agent' });

    await expect(remoteSessionIssuer(r.instance.apiUrl, 'wrong-admin-token-0123456789', 'seat').createAgentSession()).rejects.toThrow(/HTTP 401/);
    await expect(remoteSessionIssuer(r.instance.apiUrl, TEST_TOKEN, 'ghost').createAgentSession()).rejects.toThrow(/HTTP 404/);
  });
});
