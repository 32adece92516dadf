// Who is signed in (src/desktop/renderer/state/identity.ts, RestClient.session): GET /api/session where the
// server has it, the guess from the phones where it answers 404 (or 405: only POST exists there).
import { describe, expect, it } from 'vitest';
import { ApiError, RestClient } from '../../../../src/desktop/renderer/api/rest';
import type { SessionInfo } from '../../../../src/desktop/renderer/api/types';
import { identify, toSessionInfo } from '../../../../src/desktop/renderer/state/identity';
import { initialState, reducer, type Action } from '../../../../src/desktop/renderer/state/store';
import { agent, health, message } from './fixtures';

const alice: SessionInfo = { account: 'default', agent: 'alice', name: 'Alice', kind: 'agent', expiresAt: 99, supervisor: false, admin: false };
const phoneOf = (mac: string) => ({ mac, state: 'registered' as const, lastEvent: 'registered', lastSeenAt: 1, polling: false, reachable: null, phoneStatus: null, error: null });

function answering(status: number, body: unknown) {
  const seen: string[] = [];
  const fetcher = async (input: string, init: RequestInit) => {
    seen.push(`${init.method} ${input}`);
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { seen, fetcher };
}

describe('GET /api/session', () => {
  it('answers who the token is', async () => {
    const { seen, fetcher } = answering(200, alice);
    expect(await new RestClient('tok', () => undefined, fetcher).session()).toEqual(alice);
    expect(seen).toEqual(['GET /api/session']);
  });

  it('is null from a server without the endpoint (404, or 405 next to POST /api/session)', async () => {
    expect(await new RestClient('tok', () => undefined, answering(404, { error: 'no such endpoint' }).fetcher).session()).toBeNull();
    expect(await new RestClient('tok', () => undefined, answering(405, { error: 'method GET not allowed here' }).fetcher).session()).toBeNull();
  });

  it('passes a refused token on (401) and fails on other errors', async () => {
    let refused = 0;
    await expect(new RestClient('tok', () => (refused += 1), answering(401, { error: 'unauthorized' }).fetcher).session()).rejects.toBeInstanceOf(ApiError);
    expect(refused).toBe(1);
    await expect(new RestClient('tok', () => undefined, answering(500, { error: 'boom' }).fetcher).session()).rejects.toMatchObject({ status: 500 });
  });

  it('checks the answer: an agent session names its agent; anything else is no answer', () => {
    expect(toSessionInfo({ account: 'default', agent: null, name: null, kind: 'admin', expiresAt: null, supervisor: true, admin: true })).toEqual({ account: 'default', agent: null, name: null, kind: 'admin', expiresAt: null, supervisor: true, admin: true });
    // The role as the server says it; a server that does not say leaves the team view to the admin.
    expect(toSessionInfo({ account: 'default', agent: 'carol', name: 'Carol', kind: 'agent', expiresAt: 5, supervisor: true })).toMatchObject({ agent: 'carol', supervisor: true });
    expect(toSessionInfo({ account: 'default', agent: 'alice', kind: 'agent' })).toMatchObject({ supervisor: false });
    expect(toSessionInfo({ account: 'default', agent: null, kind: 'admin' })).toMatchObject({ supervisor: true });
    // Who may use the admin console: the server's word; a server that does not say, the admin token only.
    expect(toSessionInfo({ account: 'default', agent: 'ivy', kind: 'agent', admin: true })).toMatchObject({ admin: true });
    expect(toSessionInfo({ account: 'default', agent: 'alice', kind: 'agent' })).toMatchObject({ admin: false });
    expect(toSessionInfo({ account: 'default', agent: null, kind: 'admin' })).toMatchObject({ admin: true });
    expect(toSessionInfo({ account: 'default', agent: '', kind: 'agent' })).toBeNull();
    expect(toSessionInfo({ agent: 'alice' })).toBeNull();
    expect(toSessionInfo(null)).toBeNull();
  });
});

describe('the agent of this session', () => {
  const agents = [agent('alice', ['A1']), agent('bob', ['B1'])];

  it('is the server’s word when it answered, whatever the phones say', () => {
    expect(identify(alice, [phoneOf('B1')], agents)).toBe('alice');
    expect(identify({ ...alice, agent: null, kind: 'admin' }, [phoneOf('A1')], agents)).toBeNull();
  });

  it('is the guess from the phones without the endpoint', () => {
    expect(identify(null, [phoneOf('A1')], agents)).toBe('alice');
    expect(identify(null, undefined, agents)).toBeNull();
  });

  it('is set by the reducer from the session, before any phone or directory is in', () => {
    const state = reducer(initialState(true), { type: 'session.loaded', session: alice });
    expect(state.me).toBe('alice');
    expect(state.session).toEqual(alice);
  });

  it('falls back to the guess when the session endpoint is missing', () => {
    const actions: Action[] = [
      { type: 'session.loaded', session: null },
      { type: 'agents.loaded', agents },
      { type: 'message', message: message('health', health({ phones: [phoneOf('B1')] })), now: 0 },
    ];
    expect(actions.reduce(reducer, initialState(true)).me).toBe('bob');
  });
});
