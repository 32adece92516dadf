import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedCallStateStore } from '../../../src/core/callstate/EmbeddedCallStateStore';
import { TTL_MS } from '../../../src/core/callstate/ttl';
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
const MAC_B = '000B8200000B';
const DELAY = 5000;
const REMOTE = '+923004444444';

/** A step that fails once when armed, as if the process died right there; the bus then redelivers the event. */
class CrashOnce {
  armed = false;
  hit(): void {
    if (this.armed) {
      this.armed = false;
      throw new Error('simulated crash');
    }
  }
}

class CrashingCallLog extends SqliteCallLog {
  readonly answeredCrash = new CrashOnce();
  override async recordAnswered(...args: Parameters<SqliteCallLog['recordAnswered']>) {
    this.answeredCrash.hit();
    return super.recordAnswered(...args);
  }
}

interface Pushed {
  type: string;
  agent: string;
  outcome?: string;
  call?: { id: string };
}

/**
 * The handlers over the real embedded call state and call log, where the call state can be
 * lost (its file deleted and a fresh one opened) while the call log survives, as when Redis
 * restarts without persistence.
 */
describe('CallLifecycle: continuing calls the call state has forgotten', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let db: SqliteDatabase;
  let directory: SqliteDirectory;
  let log: CrashingCallLog;
  let push: InProcessPushHub;
  let state: EmbeddedCallStateStore;
  let missed: MissedCallSweeper;
  let lifecycle: CallLifecycle;
  let reaper: StaleCallReaper;
  let now: number;
  const scheduleCrash = new CrashOnce();
  const pushed: Pushed[] = [];
  let seq = 0;
  const logger = createLogger({ level: 'silent' });
  const clock = () => now;

  function event(type: CallEventType, mac: string, remote = REMOTE, local = ''): CallEvent {
    seq += 1;
    return {
      id: `01RECOVERY${String(seq).padStart(16, '0')}`, account: ACCOUNT, type, receivedAt: now, device: { mac, ip: null },
      callId: null, local, remote, displayRemote: '', activeUser: '', transferKind: type === 'transfer' ? 'blind' : null, raw: {},
    };
  }

  /** Sends events in order, one second apart. */
  async function phone(...steps: Array<[CallEventType, string]>): Promise<void> {
    for (const [type, mac] of steps) {
      await lifecycle.handle(event(type, mac));
      now += 1000;
    }
  }

  function wire(): void {
    const stateFile = join(temp.dir, 'state.db');
    state = EmbeddedCallStateStore.open(stateFile);
    const presence = new PresenceService({ state, log, directory, push, clock });
    missed = new (class extends MissedCallSweeper {
      override async schedule(...args: Parameters<MissedCallSweeper['schedule']>): Promise<void> {
        scheduleCrash.hit();
        return super.schedule(...args);
      }
    })({ state, log, push, logger, clock, delayMs: DELAY });
    lifecycle = new CallLifecycle({ state, log, directory, push, presence, missed, logger, clock, config: { seatAgent: null, transferWindowMs: 120_000 } });
    reaper = new StaleCallReaper({ state, log, missed, clock });
  }

  /** The call state is gone (and with it live calls, recent calls, the missed-call queue, transfer fingerprints); the call log stays. */
  async function loseCallState(): Promise<void> {
    await missed.stop();
    await state.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(temp.dir, `state.db${suffix}`), { force: true });
    wire();
  }

  async function calls(remote = REMOTE): Promise<CallView[]> {
    return (await log.listCalls(ACCOUNT, { remote })).items;
  }

  async function afterGraceDelay(): Promise<void> {
    now += DELAY + 1;
    await missed.sweep();
  }

  const sent = (type: string, agent?: string) => pushed.filter((m) => m.type === type && (agent === undefined || m.agent === agent));

  beforeEach(async () => {
    temp = makeTempDir();
    now = Date.now();
    db = openDatabase(join(temp.dir, 'ringside.db'));
    directory = new SqliteDirectory(db);
    log = new CrashingCallLog(db, contactHooksFor(directory));
    await directory.upsertAgent(ACCOUNT, { id: 'alice', name: 'Alice', extension: '201', devices: [MAC_A] });
    await directory.upsertAgent(ACCOUNT, { id: 'bob', name: 'Bob', extension: '202', devices: [MAC_B] });
    push = new InProcessPushHub();
    for (const agent of ['alice', 'bob']) {
      push.register({ id: `ui-${agent}`, account: ACCOUNT, agent, send: (data) => pushed.push({ ...(JSON.parse(data) as Pushed), agent }) });
    }
    pushed.length = 0;
    scheduleCrash.armed = false;
    wire();
  });

  afterEach(async () => {
    await missed.stop();
    await state.close();
    db.close();
    temp.cleanup();
  });

  it('ring, [loss], answered, hangup: one call, answered, with its talk time, and the end is pushed', async () => {
    await phone(['incoming', MAC_A]);
    await loseCallState();
    await phone(['answered', MAC_A]);
    now += 30_000;
    await phone(['hangup', MAC_A]);

    const [call, ...others] = await calls();
    expect(others).toEqual([]);
    expect(call).toMatchObject({ status: 'answered', agent: 'alice', ringMs: 1000, talkMs: 31_000 });
    expect(call!.legs).toHaveLength(1);
    expect(sent('call.ended', 'alice')).toEqual([expect.objectContaining({ outcome: 'answered' })]);
    // The state is whole again: the call is over there too, so the next ring is a new call.
    expect(await state.getActiveCall(ACCOUNT, REMOTE, now)).toBeNull();
  });

  it('a device joining a ring group after the loss joins the same call, and the last miss makes one missed call', async () => {
    await phone(['incoming', MAC_A]);
    await loseCallState();
    await phone(['incoming', MAC_B], ['missed', MAC_A]);
    expect(sent('call.ended')).toEqual([]); // bob's phone still rings
    await phone(['missed', MAC_B]);
    expect(await log.listMissed(ACCOUNT, {})).toEqual([]);
    await afterGraceDelay();

    const [call, ...others] = await calls();
    expect(others).toEqual([]);
    expect(call!.status).toBe('missed');
    expect(call!.legs.map((l) => l.mac).sort()).toEqual([MAC_A, MAC_B]);
    expect((await log.listMissed(ACCOUNT, {})).map((m) => m.targets.sort())).toEqual([['alice', 'bob']]);
    expect(sent('call.missed').map((m) => m.agent).sort()).toEqual(['alice', 'bob']);
    expect(sent('call.ringing', 'bob')).toHaveLength(1);
  });

  it('a hangup whose missed-call queueing crashed, redelivered after the state was lost again, still makes exactly one missed call', async () => {
    await phone(['incoming', MAC_A]);
    await loseCallState();
    const hangup = event('hangup', MAC_A);
    scheduleCrash.armed = true;
    await expect(lifecycle.handle(hangup)).rejects.toThrow('simulated crash');
    await loseCallState();

    await lifecycle.handle(hangup);
    await lifecycle.handle(hangup);
    await afterGraceDelay();

    expect((await calls()).map((c) => c.status)).toEqual(['missed']);
    expect(await log.listMissed(ACCOUNT, {})).toHaveLength(1);
    expect(sent('call.missed', 'alice')).toHaveLength(1);
  });

  it('an answer redelivered after a crash half-way through its recovery gives one call and one answer', async () => {
    await phone(['incoming', MAC_A]);
    await loseCallState();
    const answered = event('answered', MAC_A);
    log.answeredCrash.armed = true;
    await expect(lifecycle.handle(answered)).rejects.toThrow('simulated crash');
    await lifecycle.handle(answered);
    await lifecycle.handle(answered);
    await loseCallState();
    await lifecycle.handle(answered); // handled already: nothing happens, even without the state
    now += 1000;
    await phone(['hangup', MAC_A]);

    const [call, ...others] = await calls();
    expect(others).toEqual([]);
    expect(call).toMatchObject({ status: 'answered', agent: 'alice' });
    expect(call!.legs).toHaveLength(1);
    expect(sent('call.answered', 'alice')).toHaveLength(1);
    expect(sent('call.ended', 'alice')).toHaveLength(1);
  });

  it('a hangup after the loss of an answered call finishes it as answered, never missed', async () => {
    await phone(['incoming', MAC_A], ['incoming', MAC_B], ['answered', MAC_B], ['missed', MAC_A]);
    await loseCallState();
    await phone(['hangup', MAC_B]);
    await afterGraceDelay();

    const [call] = await calls();
    expect(call).toMatchObject({ status: 'answered', agent: 'bob', talkMs: 2000 });
    expect(await log.listMissed(ACCOUNT, {})).toEqual([]);
    expect(sent('call.ended').map((m) => [m.agent, m.outcome]).sort()).toEqual([['alice', 'answered'], ['bob', 'answered']]);
  });

  it('an unanswered call that ended before the loss is not continued by a new call from the same remote', async () => {
    await phone(['incoming', MAC_A], ['hangup', MAC_A]);
    await loseCallState(); // the grace delay was running; its queue entry is gone with the state
    await phone(['incoming', MAC_A], ['answered', MAC_A], ['hangup', MAC_A]);

    const [second, first] = await calls();
    expect(second).toMatchObject({ status: 'answered' });
    expect(first).toMatchObject({ status: 'ringing' });
    expect(first!.legs.map((l) => l.state)).toEqual(['ended']);
    // The stale-call reaper queues it again once its claim would have expired.
    now += TTL_MS.ring;
    await reaper.reap(ACCOUNT);
    await afterGraceDelay();
    expect((await calls()).map((c) => c.status)).toEqual(['answered', 'missed']);
    expect((await log.listMissed(ACCOUNT, {})).map((m) => m.callId)).toEqual([first!.id]);
  });

  it('transfer and hold on a call only the log knows are applied to it, and the transfer is continued', async () => {
    await phone(['incoming', MAC_A], ['answered', MAC_A]);
    await loseCallState();
    await phone(['hold', MAC_A]);
    now += 4000;
    await phone(['unhold', MAC_A], ['transfer', MAC_A], ['hangup', MAC_A], ['incoming', MAC_B], ['answered', MAC_B], ['hangup', MAC_B]);

    const [call, ...others] = await calls();
    expect(others).toEqual([]);
    expect(call).toMatchObject({ status: 'answered', agent: 'bob', transferredFrom: 'alice', holdMs: 5000 });
    expect(call!.legs.map((l) => [l.mac, l.state, l.transfer])).toEqual([[MAC_A, 'transferred', false], [MAC_B, 'ended', true]]);
    expect(sent('call.transferred', 'alice')).toHaveLength(1);
  });

  it('the transferring agent hanging up after a loss ends the call once', async () => {
    await phone(['incoming', MAC_A], ['answered', MAC_A], ['transfer', MAC_A]);
    await loseCallState();
    const hangup = event('hangup', MAC_A);
    await lifecycle.handle(hangup);
    await lifecycle.handle(event('hangup', MAC_A)); // the phone saying it again

    const [call] = await calls();
    expect(call).toMatchObject({ status: 'answered', endedAt: hangup.receivedAt });
    expect(sent('call.ended', 'alice')).toEqual([expect.objectContaining({ outcome: 'answered' })]);
  });

  it('an outgoing call continues as outgoing: unanswered it is "no answer", never missed', async () => {
    await phone(['outgoing', MAC_A]);
    await loseCallState();
    await phone(['hangup', MAC_A]);
    await afterGraceDelay();

    const [call, ...others] = await calls();
    expect(others).toEqual([]);
    expect(call).toMatchObject({ direction: 'out', status: 'no_answer' });
    expect(await log.listMissed(ACCOUNT, {})).toEqual([]);
  });

  it('a caller without a number is continued on the same device only', async () => {
    await lifecycle.handle(event('incoming', MAC_A, ''));
    await lifecycle.handle(event('incoming', MAC_B, ''));
    await loseCallState();
    now += 1000;
    await lifecycle.handle(event('answered', MAC_B, ''));
    now += 1000;
    await lifecycle.handle(event('hangup', MAC_B, ''));
    await lifecycle.handle(event('hangup', MAC_A, ''));
    await afterGraceDelay();

    const byDevice = (await calls('')).map((c) => [c.legs[0]!.mac, c.status]).sort();
    expect(byDevice).toEqual([[MAC_A, 'missed'], [MAC_B, 'answered']]);
  });

  it('the stale-call reaper leaves a forgotten call alone while the log shows it going on', async () => {
    await phone(['incoming', MAC_A], ['answered', MAC_A]);
    await loseCallState();
    now += TTL_MS.ring + 60_000;
    expect(await reaper.reap(ACCOUNT)).toBe(0);
    await phone(['hangup', MAC_A]);
    expect((await calls())[0]).toMatchObject({ status: 'answered', talkMs: TTL_MS.ring + 61_000 });

    // One nobody ends is still reaped once its claim would have expired.
    await phone(['incoming', MAC_B]);
    await loseCallState();
    now += TTL_MS.ring;
    expect(await reaper.reap(ACCOUNT)).toBe(1);
  });
});
