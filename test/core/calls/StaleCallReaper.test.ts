import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedCallStateStore } from '../../../src/core/callstate/EmbeddedCallStateStore';
import { CallLifecycle } from '../../../src/core/calls/CallLifecycle';
import { MissedCallSweeper } from '../../../src/core/calls/MissedCallSweeper';
import { StaleCallReaper } from '../../../src/core/calls/StaleCallReaper';
import type { CallView } from '../../../src/core/calllog/CallLog';
import { SqliteCallLog } from '../../../src/core/calllog/SqliteCallLog';
import { SqliteDirectory, contactHooksFor } from '../../../src/core/directory/SqliteDirectory';
import type { CallEvent, CallEventType } from '../../../src/core/events/CallEvent';
import { PresenceService } from '../../../src/core/presence/PresenceService';
import { InProcessPushHub } from '../../../src/core/push/PushHub';
import { createLogger } from '../../../src/core/shared/logger';
import { openDatabase, type SqliteDatabase } from '../../../src/core/shared/sqlite';
import { makeTempDir } from '../../support/tmp';

const ACCOUNT = 'default';
const MAC_A = '000B8200000A';
const REMOTE = '+923005555555';
const DELAY = 5000;
/** Past the grace delay and the reaper's margin for the sweeper, far short of a claim's lifetime (TTL_MS.ring). */
const OVERDUE = DELAY + 6_000;

/**
 * Found by `npm run chaos` (Redis kill -9 under load): an unanswered call whose legs had all
 * ended was waiting for its grace delay in the missed-call queue when the call state was lost
 * with Redis. Nothing raised it until the stale-call reaper took it, 5 to 6 minutes later; until
 * then the call log showed it "ringing" and no one got call.missed. The reaper now finishes such
 * a call as soon as its grace delay is over.
 */
describe('StaleCallReaper: an ended unanswered call whose queued missed call went with the call state', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let db: SqliteDatabase;
  let log: SqliteCallLog;
  let directory: SqliteDirectory;
  let push: InProcessPushHub;
  let state: EmbeddedCallStateStore;
  let missed: MissedCallSweeper;
  let lifecycle: CallLifecycle;
  let reaper: StaleCallReaper;
  let now: number;
  let seq = 0;
  const missedPushes: string[] = [];
  const logger = createLogger({ level: 'silent' });
  const clock = () => now;

  function event(type: CallEventType): CallEvent {
    seq += 1;
    return {
      id: `01REAPER${String(seq).padStart(18, '0')}`, account: ACCOUNT, type, receivedAt: now, device: { mac: MAC_A, ip: null },
      callId: null, local: '', remote: REMOTE, displayRemote: '', activeUser: '', transferKind: type === 'transfer' ? 'blind' : null, raw: {},
    };
  }

  async function phone(...types: CallEventType[]): Promise<void> {
    for (const type of types) {
      await lifecycle.handle(event(type));
      now += 1000;
    }
  }

  function wire(): void {
    state = EmbeddedCallStateStore.open(join(temp.dir, 'state.db'));
    const presence = new PresenceService({ state, log, directory, push, clock });
    missed = new MissedCallSweeper({ state, log, push, logger, clock, delayMs: DELAY });
    lifecycle = new CallLifecycle({ state, log, directory, push, presence, missed, logger, clock, config: { seatAgent: null, transferWindowMs: 120_000 } });
    reaper = new StaleCallReaper({ state, log, missed, clock });
  }

  /** As when Redis restarts without persistence: live calls and the missed-call queue are gone, the call log stays. */
  async function loseCallState(): Promise<void> {
    await missed.stop();
    await state.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(temp.dir, `state.db${suffix}`), { force: true });
    wire();
  }

  async function onlyCall(): Promise<CallView> {
    const { items } = await log.listCalls(ACCOUNT, { remote: REMOTE });
    expect(items).toHaveLength(1);
    return items[0]!;
  }

  beforeEach(async () => {
    temp = makeTempDir();
    now = Date.now();
    db = openDatabase(join(temp.dir, 'ringside.db'));
    directory = new SqliteDirectory(db);
    log = new SqliteCallLog(db, contactHooksFor(directory));
    await directory.upsertAgent(ACCOUNT, { id: 'alice', name: 'Alice', extension: '201', devices: [MAC_A] });
    push = new InProcessPushHub();
    push.register({ id: 'ui-alice', account: ACCOUNT, agent: 'alice', send: (data) => {
      const message = JSON.parse(data) as { type: string; call?: { id: string } };
      if (message.type === 'call.missed') missedPushes.push(message.call!.id);
    } });
    missedPushes.length = 0;
    wire();
  });

  afterEach(async () => {
    await missed.stop();
    await state.close();
    db.close();
    temp.cleanup();
  });

  it('is raised as one missed call once its grace delay is over, not once a claim would have expired', async () => {
    await phone('incoming', 'missed');
    await loseCallState();
    expect((await onlyCall()).status).toBe('ringing');

    now += OVERDUE;
    expect(await reaper.reap(ACCOUNT)).toBe(1);
    await missed.sweep();

    const call = await onlyCall();
    expect(call.status).toBe('missed');
    expect((await log.listMissed(ACCOUNT, {})).map((m) => m.callId)).toEqual([call.id]);
    expect(missedPushes).toEqual([call.id]);
    // Done: later passes find nothing to do.
    now += OVERDUE;
    expect(await reaper.reap(ACCOUNT)).toBe(0);
  });

  it('is left to the queue while its grace delay runs, and raised once either way', async () => {
    await phone('incoming', 'hangup');
    now += DELAY / 2;
    expect(await reaper.reap(ACCOUNT)).toBe(0);

    now += DELAY;
    await missed.sweep();
    now += OVERDUE;
    expect(await reaper.reap(ACCOUNT)).toBe(0);
    expect((await onlyCall()).status).toBe('missed');
    expect(missedPushes).toHaveLength(1);
  });

  it('leaves an answered call alone: its end comes from its own hangup, not from the queue', async () => {
    // After a transfer the transferring leg has ended in the log while the agent may still be
    // talking (an attended transfer): only the hangup says when the call ended.
    await phone('incoming', 'answered', 'transfer');
    await loseCallState();
    now += OVERDUE;
    expect(await reaper.reap(ACCOUNT)).toBe(0);
    expect((await onlyCall()).status).toBe('in_progress');
  });
});
