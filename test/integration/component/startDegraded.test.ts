import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessionIdOf } from '../../../src/domain/sessions/AgentSessions';
import { AgentClient, startTestRingside, type TestRingside } from '../../support/ringside';
import { REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from '../../support/services';
import { startTcpProxy, targetOf, type TcpProxy } from '../../support/tcpProxy';
import { eventually, withTimeout } from '../../support/wait';
import { MAC_A, callsFrom, newCaller, params } from './fixtures';

/**
 * docs/architecture.md, Failures and outages: Redis unreachable when Ringside starts. It starts as
 * it does with RabbitMQ unreachable (phones get their 200s, the agent API and the UI answer,
 * health says Redis is down) and follows Redis when it appears, without a restart. Redis is
 * reached through a TCP proxy the test owns, refusing every connection until resume().
 */

interface Health {
  status: string;
  redis: string;
  spoolDepth: number;
}

describe('Ringside started while Redis is unreachable', () => {
  let proxy: TcpProxy;
  let seat: TestRingside | null = null;
  let root: string;
  const clients: AgentClient[] = [];

  beforeEach(async () => {
    proxy = await startTcpProxy(targetOf(REDIS_URL, 6379));
    proxy.pause({ newConnections: 'refuse' });
    root = uniqueName('startdown');
  });
  afterEach(async () => {
    proxy.resume();
    for (const client of clients.splice(0)) client.close();
    try {
      await seat?.stop();
    } finally {
      seat = null;
      await proxy.close();
      const redis = new Redis(REDIS_URL, { db: TEST_CALLS_DB });
      try {
        for await (const keys of redis.scanStream({ match: `${root}:*`, count: 500 })) if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
      } finally {
        redis.disconnect();
      }
    }
  });

  async function health(s: TestRingside): Promise<Health> {
    const res = await s.api<Health>('GET', '/healthz');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('serves phones, the agent API and the UI at once, and follows Redis when it appears: the spooled event reaches the call log, health goes up, the session made meanwhile works everywhere', async () => {
    seat = await withTimeout(startTestRingside({ redis: { url: proxy.url(REDIS_URL), callsDb: TEST_CALLS_DB, cacheDb: TEST_CACHE_DB, keyPrefix: root } }),
      'Ringside to start with Redis unreachable');
    const s = seat;
    expect(await health(s)).toMatchObject({ status: 'degraded', redis: 'down' });

    // The agent API answers an agent session (the seat's UI) without waiting for Redis...
    const session = await withTimeout(s.api<{ token: string }>('POST', '/api/session', { body: { agent: s.config.agent } }), 'POST /api/session while Redis is unreachable');
    expect(session.status).toBe(200);
    const token = session.body.token;
    const me = await withTimeout(s.api<{ agent: string; kind: string }>('GET', '/api/session', { token }), 'GET /api/session with the new agent token');
    expect(me).toMatchObject({ status: 200, body: { agent: s.config.agent, kind: 'agent' } });
    // ...and its UI connects and is told that Redis is down (the banner).
    const ui = await AgentClient.connect(s.instance.apiUrl, token, { name: 'the seat agent' });
    clients.push(ui);
    expect(ui.received('health')[0]).toMatchObject({ status: 'degraded', redis: 'down' });

    // The team list answers too, with the presence last known (nothing waits for Redis).
    const team = await withTimeout(s.api<{ items: Array<{ id: string; presence: string }> }>('GET', '/api/agents', { token }), 'GET /api/agents while Redis is unreachable');
    expect(team.status).toBe(200);
    expect(team.body.items.map((a) => a.id)).toContain(s.config.agent);

    // A phone event is acknowledged: it waits in the spool.
    const caller = newCaller();
    const incoming = await s.phone('incoming', params(MAC_A, caller));
    expect(incoming.status).toBe(200);
    expect(await callsFrom(s, caller)).toEqual([]);

    // Redis appears: no restart.
    const beforeRedis = ui.mark();
    proxy.resume();
    await ui.next((m) => m.type === 'health' && m.redis === 'up', 'a health message with Redis up', { since: beforeRedis });
    await s.settle();
    expect(await health(s)).toMatchObject({ status: 'ok', redis: 'up', spoolDepth: 0 });
    expect(await callsFrom(s, caller)).toEqual([expect.objectContaining({ remote: caller, status: 'ringing' })]);

    // The session made while Redis was away is in Redis now: every process of the account accepts it.
    const stored = new Redis(REDIS_URL, { db: TEST_CALLS_DB });
    try {
      const key = `${root}:account:{${s.config.account}}:session:${sessionIdOf(token)}`;
      await eventually(`the session made during the outage in Redis (${key})`, () => stored.exists(key), (n) => n === 1);
    } finally {
      stored.disconnect();
    }

    // Directory changes work again, and the push hub is subscribed: a bound phone's call rings its agent's UI.
    // The directory cache has connections of its own, which may come back a moment after the call
    // state's: until then a change is refused with a 503 that says to retry, as a client does.
    const bound = await eventually(
      'POST /api/devices accepted once the directory cache is back',
      () => s.api('POST', '/api/devices', { body: { mac: MAC_A, agent: s.config.agent } }),
      (answer) => answer.status !== 503,
    );
    expect(bound.status, JSON.stringify(bound.body)).toBe(200);
    const second = newCaller();
    expect((await s.phone('incoming', params(MAC_A, second))).status).toBe(200);
    await ui.callMessage('call.ringing', second);
  }, 40_000);
});
