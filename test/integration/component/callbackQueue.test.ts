import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOffice, type Office } from '../../support/office';
import type { AgentClient, TestRingside } from '../../support/ringside';
import { REDIS_URL, TEST_CALLS_DB } from '../../support/services';
import { HELPLINE, MAC_A, MAC_B, MAC_C, newCaller, params, phoneSays, useRingside } from './fixtures';

interface Missed {
  callId: string;
  remote: string;
  status: string;
  owner: string | null;
  line: string;
  at: number;
}
interface Taken {
  missed: Missed;
  dial: { status: string };
}

/** A call that rang and was missed: on the helpline (both phones) or direct to one extension. */
async function missedCall(r: TestRingside, to: { helpline: true } | { mac: string; extension: string }): Promise<string> {
  const caller = newCaller();
  const steps: Array<[string, Record<string, string>]> = 'helpline' in to
    ? [['incoming', params(MAC_A, caller)], ['incoming', params(MAC_B, caller)], ['missed', params(MAC_A, caller)], ['missed', params(MAC_B, caller)]]
    : [['incoming', params(to.mac, caller, to.extension)], ['missed', params(to.mac, caller, to.extension)]];
  await phoneSays(r, steps);
  return caller;
}

/** Raises every missed call whose grace delay is over. */
async function raiseMissed(r: TestRingside): Promise<void> {
  r.advance(r.config.missedDelayMs + 1);
  await r.settle();
}

const next = (r: TestRingside, token: string, body?: unknown) =>
  r.api<Taken & { error: string }>('POST', '/api/missed/next/callback', body === undefined ? { token } : { token, body });

describe('the call-back queue (embedded)', () => {
  const ringside = useRingside();
  let r: TestRingside;
  let alice: AgentClient;
  let bob: AgentClient;
  beforeEach(async () => {
    r = ringside();
    await r.api('POST', '/api/helplines', { body: { number: HELPLINE, name: 'Support' } });
    alice = await r.agent('alice', { devices: [MAC_A], extension: '201', helplines: [HELPLINE] });
    bob = await r.agent('bob', { devices: [MAC_B], extension: '202', helplines: [HELPLINE] });
  });

  it("each agent takes the oldest call it may call back: helpline calls for anyone, direct calls only for their agent", async () => {
    const first = await missedCall(r, { helpline: true });
    const forBob = await missedCall(r, { mac: MAC_B, extension: '202' });
    const third = await missedCall(r, { helpline: true });
    await raiseMissed(r);

    const a1 = await next(r, alice.token);
    expect(a1.status).toBe(200);
    expect(a1.body.missed).toMatchObject({ remote: first, owner: 'alice', status: 'claimed', line: 'helpline' });
    expect(a1.body.dial).toMatchObject({ status: 'unavailable' });
    expect((await bob.next((m) => m.type === 'missed.claimed', `missed.claimed for ${first}`)).missed).toMatchObject({ remote: first, owner: 'alice' });
    // Bob's direct call is older than the third one, but not Alice's to call back.
    expect((await next(r, alice.token)).body.missed).toMatchObject({ remote: third, owner: 'alice' });
    const empty = await next(r, alice.token);
    expect(empty).toMatchObject({ status: 404, body: { error: 'queue_empty' } });
    expect((await next(r, bob.token)).body.missed).toMatchObject({ remote: forBob, owner: 'bob', line: 'direct' });
    expect((await next(r, bob.token)).body.error).toBe('queue_empty');
    const open = await r.api<{ items: Missed[] }>('GET', '/api/missed?status=open');
    expect(open.body.items).toEqual([]);
  });

  it('a call taken by id leaves the queue; one closed by an answered call-back too', async () => {
    const byId = await missedCall(r, { helpline: true });
    const answered = await missedCall(r, { helpline: true });
    await raiseMissed(r);
    const [a, b] = (await r.api<{ items: Missed[] }>('GET', '/api/missed?status=open')).body.items.sort((x, y) => x.at - y.at);
    expect([a!.remote, b!.remote]).toEqual([byId, answered]);

    expect((await r.api('POST', `/api/missed/${a!.callId}/callback`, { token: alice.token })).status).toBe(200);
    // Alice's phone calls the second caller back by hand, and they answer: that closes it.
    await phoneSays(r, [['outgoing', params(MAC_A, answered, '201')], ['answered', params(MAC_A, answered, '201')]]);
    expect((await r.api<{ items: Missed[] }>('GET', '/api/missed?status=closed')).body.items.map((m) => m.remote)).toEqual([answered]);

    expect(await next(r, bob.token)).toMatchObject({ status: 404, body: { error: 'queue_empty' } });
    expect((await r.api<{ items: Missed[] }>('GET', `/api/missed?status=claimed`)).body.items).toEqual([expect.objectContaining({ remote: byId, owner: 'alice' })]);
  });

  it('the admin names the agent; an unknown agent, a missing one or a phone not theirs takes nothing', async () => {
    const caller = await missedCall(r, { helpline: true });
    await raiseMissed(r);
    expect(await r.api('POST', '/api/missed/next/callback', {})).toMatchObject({ status: 400 });
    expect(await r.api('POST', '/api/missed/next/callback', { body: { agent: 'mallory' } })).toMatchObject({ status: 404 });
    expect(await next(r, alice.token, { mac: MAC_B.replaceAll(':', '') })).toMatchObject({ status: 403 });
    expect(await next(r, alice.token, { agent: 'bob' })).toMatchObject({ status: 200, body: { missed: { remote: caller, owner: 'alice' } } });
  });

  it('an agent token always acts for its own agent', async () => {
    const caller = await missedCall(r, { mac: MAC_B, extension: '202' });
    await raiseMissed(r);
    // Naming bob does not make Alice bob: the direct call stays Bob's.
    expect(await next(r, alice.token, { agent: 'bob' })).toMatchObject({ status: 404, body: { error: 'queue_empty' } });
    expect(await r.api('POST', '/api/missed/next/callback', { body: { agent: 'bob' } })).toMatchObject({ status: 200, body: { missed: { remote: caller, owner: 'bob' } } });
  });
});

describe('the call-back queue in shared mode (two seats, Redis)', () => {
  let office: Office;
  beforeEach(async () => {
    office = await startOffice(2, { missedDelayMs: 60_000 });
  });
  afterEach(async () => {
    await office.stop();
  });

  async function setUp(): Promise<{ x: TestRingside; y: TestRingside; tokens: string[] }> {
    const [x, y] = office.seats as [TestRingside, TestRingside];
    await x.api('POST', '/api/helplines', { body: { number: HELPLINE, name: 'Support' } });
    const tokens: string[] = [];
    for (const [i, mac] of [MAC_A, MAC_B, MAC_C].entries()) {
      await x.api('POST', '/api/agents', { body: { id: `agent-${i}`, name: `Agent ${i}`, devices: [mac], helplines: [HELPLINE] } });
      tokens.push((await (i % 2 === 0 ? x : y).api<{ token: string }>('POST', '/api/session', { body: { agent: `agent-${i}` } })).body.token);
    }
    return { x, y, tokens };
  }

  it('agents racing on both seats take every open missed call exactly once', async () => {
    const { x, y, tokens } = await setUp();
    const callers: string[] = [];
    for (let i = 0; i < 12; i++) {
      const caller = newCaller();
      callers.push(caller);
      await phoneSays(x, [['incoming', params(MAC_A, caller)], ['missed', params(MAC_A, caller)]]);
    }
    office.advance(61_000);
    await office.settle();

    // Six takers per agent token, half through each seat: a session made on one seat works on the other.
    const takers = tokens.flatMap((token) => Array.from({ length: 6 }, (_, i) => ({ seat: i % 2 === 0 ? x : y, token })));
    const results = await Promise.all(takers.map(async ({ seat, token }) => {
      const got: string[] = [];
      for (let res = await next(seat, token); res.status === 200; res = await next(seat, token)) got.push(res.body.missed.remote);
      return got;
    }));
    const taken = results.flat();
    expect(taken.sort()).toEqual([...callers].sort());
    expect((await x.api<{ items: Missed[] }>('GET', '/api/missed?status=open')).body.items).toEqual([]);
    const owners = (await y.api<{ items: Missed[] }>('GET', '/api/missed?status=claimed')).body.items;
    expect(owners).toHaveLength(12);
  });

  it('Redis restarted empty: the queue is rebuilt from the call log, which stays the authority', async () => {
    const { x, y, tokens } = await setUp();
    const first = newCaller();
    const second = newCaller();
    await phoneSays(x, [['incoming', params(MAC_A, first)], ['missed', params(MAC_A, first)]]);
    await phoneSays(x, [['incoming', params(MAC_A, second)], ['missed', params(MAC_A, second)]]);
    office.advance(61_000);
    await office.settle();
    const open = (await x.api<{ items: Missed[] }>('GET', '/api/missed?status=open')).body.items;
    const firstId = open.find((m) => m.remote === first)!.callId;

    // The first call is taken by id; then Redis loses everything (sessions too: new ones are made).
    expect((await y.api('POST', `/api/missed/${firstId}/callback`, { body: { agent: 'agent-1' } })).status).toBe(200);
    await office.wipeRedis();
    const token = (await y.api<{ token: string }>('POST', '/api/session', { body: { agent: 'agent-2' } })).body.token;
    expect((await x.api('GET', '/api/session', { token: tokens[0] })).status).toBe(401);

    // A stale item (a call already claimed) put back by hand is dropped, not handed out.
    const redis = new Redis(REDIS_URL, { db: TEST_CALLS_DB });
    try {
      await redis.zadd(`${office.root}:account:{default}:queue:callback`, 0, firstId);
      const taken = await next(y, token);
      expect(taken).toMatchObject({ status: 200, body: { missed: { remote: second, owner: 'agent-2' } } });
      expect(await next(x, token)).toMatchObject({ status: 404, body: { error: 'queue_empty' } });
      expect(await redis.zcard(`${office.root}:account:{default}:queue:callback`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
