import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestRingside, type TestRingside } from '../../support/ringside';
import { createTestDatabase, POSTGRES_URL, type TestDatabase } from '../../support/postgres';
import { startTcpProxy, targetOf, type TcpProxy } from '../../support/tcpProxy';
import { eventually } from '../../support/wait';
import { MAC_A, callsFrom, newCaller, params } from './fixtures';

/**
 * docs/architecture.md, Failures and outages: PostgreSQL away. A call event whose handling meets a
 * lost database waits for it (not spending its attempts, not set aside), health says the database
 * is down, and the event reaches the call log once PostgreSQL answers again. PostgreSQL is reached
 * through a TCP proxy the test owns: pause() cuts every connection and refuses new ones.
 */

interface Health {
  status: string;
  database?: string;
}

describe('Ringside on PostgreSQL while PostgreSQL is unreachable', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let seat: TestRingside | null = null;

  beforeEach(async () => {
    database = await createTestDatabase('outage');
    proxy = await startTcpProxy(targetOf(POSTGRES_URL, 5432));
  });
  afterEach(async () => {
    proxy.resume();
    try {
      await seat?.stop();
    } finally {
      seat = null;
      await proxy.close();
      await database.drop();
    }
  });

  const health = async (s: TestRingside) => (await s.api<Health>('GET', '/healthz')).body;

  it('a call event handled while the database is away waits for it and is logged once it is back; health says so meanwhile', async () => {
    const url = new URL(database.url);
    url.port = String(proxy.port);
    url.hostname = '127.0.0.1';
    seat = await startTestRingside({ database: url.toString() });
    const s = seat;
    expect((await health(s)).database).toBe('up');

    proxy.pause({ newConnections: 'refuse' });
    const caller = newCaller();
    // The phone is answered: the event is in the spool whatever the database does.
    expect((await s.phone('incoming', params(MAC_A, caller))).status).toBe(200);
    await eventually('health to say the database is down', () => health(s), (h) => h.status === 'degraded' && h.database === 'down');

    proxy.resume();
    await eventually('the call to reach the call log', () => callsFrom(s, caller), (calls) => calls.length === 1);
    await eventually('health to say the database is up', () => health(s), (h) => h.status === 'ok' && h.database === 'up');
    // Waiting is not failing: no handler run was counted as an error (those spend the event's attempts).
    const handled = await s.instance.metrics.registry.getSingleMetricAsString('ringside_events_handled_total');
    expect(handled).toMatch(/outcome="ok"/);
    expect(handled).not.toMatch(/outcome="error"/);
  });
});
