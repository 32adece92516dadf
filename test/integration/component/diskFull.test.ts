import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestRingside, type TestRingside } from '../../support/ringside';
import { REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from '../../support/services';
import { startTcpProxy, targetOf, type TcpProxy } from '../../support/tcpProxy';
import { makeTempDir } from '../../support/tmp';
import { emptyWriteAheadLog, mountSmallDisk, type SmallDisk } from '../../support/tmpfs';
import { eventually } from '../../support/wait';
import { MAC_A, callsFrom, newCaller, params } from './fixtures';

/**
 * docs/architecture.md, Failures and outages: a full disk. The files Ringside writes are put on a
 * small tmpfs the test mounts and fills (real ENOSPC, so SQLite answers SQLITE_FULL): health says
 * `degraded` with the reason, phones get a 503 only while the spool cannot take their event, and
 * every write that failed is made once there is space again, without a restart.
 *
 * Mounting needs root (and a kernel that allows it), as the test set-up's service installs do:
 * where it cannot mount, the test fails and says so rather than passing unseen. The same retries
 * are also covered without root against a read-only spool in test/contracts/eventBus/SqliteSpoolBus.test.ts.
 */

interface Health {
  status: string;
  redis: string;
  spoolDepth: number;
  storage?: { state: string; reason: string | null; failing: string[] };
}

describe('a full disk', () => {
  let disk: SmallDisk;
  let other: ReturnType<typeof makeTempDir>;
  let seat: TestRingside | null = null;
  let proxy: TcpProxy | null = null;

  beforeEach(() => {
    const mounted = mountSmallDisk();
    if (!mounted) throw new Error('the full-disk tests mount a small tmpfs and could not: run the tests as root (mount -t tmpfs)');
    disk = mounted;
    other = makeTempDir('ringside-disk-other-');
  });
  afterEach(async () => {
    disk.free();
    proxy?.resume();
    try {
      await seat?.stop();
    } finally {
      seat = null;
      await proxy?.close();
      proxy = null;
      disk.unmount();
      other.cleanup();
    }
  });

  async function health(s: TestRingside): Promise<Health> {
    const res = await s.api<Health>('GET', '/healthz');
    expect(res.status).toBe(200);
    return res.body;
  }

  async function metric(s: TestRingside, line: string): Promise<string | undefined> {
    const res = await s.api<{ text: string }>('GET', '/metrics');
    return res.body.text.split('\n').find((l) => l.startsWith(line));
  }

  it('the call log full: phones still get 200 (the spool is elsewhere), health says disk full, and each event is saved once there is space, none set aside', async () => {
    const database = join(disk.dir, 'ringside.db');
    seat = await startTestRingside({ database }, other.dir);
    const s = seat;
    const before = newCaller();
    expect((await s.phone('incoming', params(MAC_A, before))).status).toBe(200);
    await s.settle();

    emptyWriteAheadLog(database);
    disk.fill();
    const during = newCaller();
    expect((await s.phone('incoming', params(MAC_A, during))).status).toBe(200);
    const down = await eventually('/healthz to report the database down', () => health(s), (h) => h.storage?.state === 'down');
    expect(down).toMatchObject({ status: 'degraded', spoolDepth: 1, storage: { state: 'down', reason: 'disk full', failing: ['database'] } });
    expect(await metric(s, 'ringside_storage_up{store="database"}')).toBe('ringside_storage_up{store="database"} 0');
    expect(await callsFrom(s, during)).toEqual([]);

    disk.free();
    const up = await eventually('/healthz to report the storage up and the spool empty', () => health(s), (h) => h.storage?.state === 'up' && h.spoolDepth === 0);
    expect(up).toMatchObject({ status: 'ok', storage: { state: 'up', reason: null, failing: [] } });
    expect(await callsFrom(s, during)).toEqual([expect.objectContaining({ remote: during, status: 'ringing' })]);
    expect(await metric(s, 'ringside_storage_up{store="database"}')).toBe('ringside_storage_up{store="database"} 1');
    expect(await metric(s, 'ringside_storage_failures_total{store="database",reason="disk full"}')).toMatch(/ [1-9]\d*$/);
  });

  it('the spool full: phones get 503 while it cannot take their event; the mark of an event handled meanwhile is written once there is space, so the spool depth comes back to 0 without a restart', async () => {
    proxy = await startTcpProxy(targetOf(REDIS_URL, 6379));
    const spoolDir = join(disk.dir, 'data');
    seat = await startTestRingside({
      database: join(other.dir, 'ringside.db'),
      redis: { url: proxy.url(REDIS_URL), callsDb: TEST_CALLS_DB, cacheDb: TEST_CACHE_DB, keyPrefix: uniqueName('diskfull') },
    }, spoolDir);
    const s = seat;
    expect(await health(s)).toMatchObject({ status: 'ok', redis: 'up' });

    // Redis away: the event is spooled and acknowledged, and its handler waits for Redis.
    const cut = proxy.pause({ newConnections: 'hold' });
    await proxy.arrivals(cut);
    const first = newCaller();
    expect((await s.phone('incoming', params(MAC_A, first))).status).toBe(200);

    // The disk fills up: the next event cannot be stored, so it is not acknowledged (the phone sends it again).
    emptyWriteAheadLog(join(spoolDir, 'spool.db'));
    disk.fill();
    const refused = newCaller();
    const res = await s.phone('incoming', params(MAC_A, refused));
    expect(res.status).toBe(503);
    expect(await health(s)).toMatchObject({ status: 'degraded', storage: { state: 'down', reason: 'disk full', failing: ['spool'] } });

    // Redis is back: the first event is handled, but the mark that says so cannot be written yet.
    proxy.resume();
    await eventually('the first call in the call log', () => callsFrom(s, first), (calls) => calls.length === 1);
    expect(await health(s)).toMatchObject({ status: 'degraded', redis: 'up', spoolDepth: 1, storage: { state: 'down', reason: 'disk full' } });

    // Space comes back: the mark is written, the spool is empty, health is ok; phones' events are taken again.
    disk.free();
    const up = await eventually('/healthz to report the storage up and the spool empty', () => health(s), (h) => h.storage?.state === 'up' && h.spoolDepth === 0);
    expect(up).toMatchObject({ status: 'ok', redis: 'up', spoolDepth: 0 });
    expect((await s.phone('incoming', params(MAC_A, refused))).status).toBe(200);
    await s.settle();
    expect(await callsFrom(s, refused)).toHaveLength(1);
    expect(await callsFrom(s, first)).toHaveLength(1);
  }, 40_000);
});
