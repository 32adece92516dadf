import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedCallStateStore } from '../../../src/core/callstate/EmbeddedCallStateStore';
import { CallLifecycle } from '../../../src/core/calls/CallLifecycle';
import { MissedCallSweeper } from '../../../src/core/calls/MissedCallSweeper';
import type { CallStatus } from '../../../src/core/calllog/CallLog';
import { SqliteCallLog } from '../../../src/core/calllog/SqliteCallLog';
import { SqliteDirectory, contactHooksFor } from '../../../src/core/directory/SqliteDirectory';
import type { CallEvent, CallEventType } from '../../../src/core/events/CallEvent';
import { PresenceService } from '../../../src/core/presence/PresenceService';
import { InProcessPushHub } from '../../../src/core/push/PushHub';
import { createLogger } from '../../../src/core/shared/logger';
import { openDatabase, type SqliteDatabase } from '../../../src/core/shared/sqlite';
import { makeTempDir } from '../../support/tmp';

const ACCOUNT = 'default';
const MAC = '000B8200000A';
const DELAY = 5000;

/** A step that fails once, as if the process died right there; the bus then redelivers the event. */
class CrashOnce {
  armed = true;
  hit(): void {
    if (this.armed) {
      this.armed = false;
      throw new Error('simulated crash');
    }
  }
}

class CrashingCallLog extends SqliteCallLog {
  readonly finalizeCrash = new CrashOnce();
  override async finalizeCall(eventId: string | null, input: { callId: string; account: string; status: CallStatus; endedAt: number }) {
    this.finalizeCrash.hit();
    return super.finalizeCall(eventId, input);
  }
}

describe('CallLifecycle: a redelivered event after a crash half-way through its handler', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let db: SqliteDatabase;
  let state: EmbeddedCallStateStore;
  let log: CrashingCallLog;
  let missed: MissedCallSweeper;
  let lifecycle: CallLifecycle;
  let now: number;
  const scheduleCrash = new CrashOnce();
  const pushed: Array<{ type: string }> = [];
  let seq = 0;

  function event(type: CallEventType, remote: string): CallEvent {
    seq += 1;
    return {
      id: `01EVENT${String(seq).padStart(19, '0')}`, account: ACCOUNT, type, receivedAt: now, device: { mac: MAC, ip: null },
      callId: null, local: '201', remote, displayRemote: '', activeUser: '', transferKind: null, raw: {},
    };
  }

  beforeEach(async () => {
    temp = makeTempDir();
    now = Date.now();
    db = openDatabase(join(temp.dir, 'ringside.db'));
    state = EmbeddedCallStateStore.open(join(temp.dir, 'state.db'));
    const directory = new SqliteDirectory(db);
    log = new CrashingCallLog(db, contactHooksFor(directory));
    log.finalizeCrash.armed = false;
    await directory.upsertAgent(ACCOUNT, { id: 'alice', name: 'Alice', extension: '201', devices: [MAC] });
    const push = new InProcessPushHub();
    push.register({ id: 'ui', account: ACCOUNT, agent: 'alice', send: (data) => pushed.push(JSON.parse(data) as { type: string }) });
    const clock = () => now;
    const presence = new PresenceService({ state, log, directory, push, clock });
    const logger = createLogger({ level: 'silent' });
    missed = new (class extends MissedCallSweeper {
      override async schedule(...args: Parameters<MissedCallSweeper['schedule']>): Promise<void> {
        scheduleCrash.hit();
        return super.schedule(...args);
      }
    })({ state, log, push, logger, clock, delayMs: DELAY });
    scheduleCrash.armed = false;
    lifecycle = new CallLifecycle({ state, log, directory, push, presence, missed, logger, clock, config: { seatAgent: null, transferWindowMs: 120_000 } });
    pushed.length = 0;
  });

  afterEach(async () => {
    await missed.stop();
    await state.close();
    db.close();
    temp.cleanup();
  });

  it('an unanswered call whose missed-call queueing crashed still becomes exactly one missed call', async () => {
    await lifecycle.handle(event('incoming', '+923001111111'));
    const hangup = event('hangup', '+923001111111');
    scheduleCrash.armed = true;
    await expect(lifecycle.handle(hangup)).rejects.toThrow('simulated crash');

    await lifecycle.handle(hangup);
    await lifecycle.handle(hangup); // and once more after it was fully handled
    now += DELAY + 1;
    await missed.sweep();

    const open = await log.listMissed(ACCOUNT, { status: 'open' });
    expect(open.map((m) => m.remote)).toEqual(['+923001111111']);
    expect(pushed.filter((m) => m.type === 'call.missed')).toHaveLength(1);
  });

  it('an answered call whose finalising crashed is finalised once, with its statistics counted once', async () => {
    const remote = '+923002222222';
    await lifecycle.handle(event('incoming', remote));
    await lifecycle.handle(event('answered', remote));
    const hangup = event('hangup', remote);
    log.finalizeCrash.armed = true;
    await expect(lifecycle.handle(hangup)).rejects.toThrow('simulated crash');

    await lifecycle.handle(hangup);

    const [call] = (await log.listCalls(ACCOUNT, { remote })).items;
    expect(call?.status).toBe('answered');
    expect(call?.endedAt).toBe(hangup.receivedAt);
    const [stats] = await log.stats(ACCOUNT, { agent: 'alice' });
    expect(stats).toMatchObject({ offered: 1, answered: 1, missed: 0 });
  });

  it('the same ringing event handled twice gives one leg and one popup', async () => {
    const ring = event('incoming', '+923003333333');
    await lifecycle.handle(ring);
    await lifecycle.handle(ring);

    const [call] = (await log.listCalls(ACCOUNT, { remote: '+923003333333' })).items;
    expect(call?.legs).toHaveLength(1);
    expect(pushed.filter((m) => m.type === 'call.ringing')).toHaveLength(1);
  });
});
