import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCallStateStore } from '../../../src/adapters/sqlite/callstate/SqliteCallStateStore';
import { makeTempDir } from '../../support/tmp';
import { describeCallStateStoreContract } from '../callStateStoreContract';
import { exited, killHard, nextLine, startChildUntil } from '../../support/childProcess';

describeCallStateStoreContract('SqliteCallStateStore', async () => {
  const tmp = makeTempDir();
  const store = SqliteCallStateStore.open(join(tmp.dir, 'state.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      tmp.cleanup();
    },
  };
});

describe('SqliteCallStateStore (adapter specifics)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let file: string;
  const opened: SqliteCallStateStore[] = [];
  const open = () => {
    const store = SqliteCallStateStore.open(file);
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    tmp = makeTempDir();
    file = join(tmp.dir, 'state.db');
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    tmp.cleanup();
  });

  it('keeps what was written before a kill -9 of the writing process', async () => {
    const now = Date.now();
    const script = fileURLToPath(new URL('./fixtures/stateChild.ts', import.meta.url));
    const { child } = await startChildUntil(script, [file, String(now)], 'written');
    await killHard(child);

    const store = open();
    expect(await store.getActiveCall('acme', '+15550100')).toMatchObject({
      callId: 'call-1', claimedBy: '000B82000A01', answered: true, answeredBy: '000B82000B02',
    });
    expect(await store.ringing('acme', {
      remote: '+15550100', mac: '000B82000A01', eventId: 'ev-1', candidateCallId: 'other', direction: 'in', now: now + 3_000, transferWindowMs: 120_000,
    })).toEqual({ kind: 'new', callId: 'call-1', startedAt: now, transfer: null });
    expect((await store.getReadyMissedCalls('acme', now + 5_000)).map((e) => e.payload)).toEqual([{ n: 1 }]);
    expect(await store.findTransferMatch('acme', { remote: '+15550102', now: now + 1_000, windowMs: 120_000 })).toMatchObject({ callId: 'call-9' });
    expect((await store.liveSessions('acme', now + 1_000)).map((s) => s.agent)).toEqual(['alice']);
  });

  it('processes ringing the same remotes on one file at once still make one call per remote', async () => {
    const now = Date.now();
    open(); // creates the schema before the racers start
    const script = fileURLToPath(new URL('./fixtures/ringRace.ts', import.meta.url));
    const macs = ['000B82000A01', '000B82000B02', '000B82000C03', '000B82000D04'];
    const count = 100;
    const racers = await Promise.all(macs.map((mac) => startChildUntil(script, [file, mac, String(count), String(now)], 'ready')));
    const done = racers.map(({ child }) => nextLine(child, 'done '));
    for (const { child } of racers) child.stdin!.write('go\n');
    const callIds = (await Promise.all(done)).map((line) => JSON.parse(line.slice('done '.length)) as string[]);
    await Promise.all(racers.map(({ child }) => exited(child)));

    const store = open();
    for (let i = 0; i < count; i++) {
      const perDevice = callIds.map((ids) => ids[i]);
      expect(new Set(perDevice).size).toBe(1);
      const active = await store.getActiveCall('acme', `+1555${i}`);
      expect(active!.callId).toBe(perDevice[0]);
      expect(Object.keys(active!.legs).sort()).toEqual([...macs].sort());
    }
  });
});
