import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallStatus } from '../../../../src/domain/calllog/CallLog';
import { SqliteCallLog } from '../../../../src/adapters/sqlite/calllog/SqliteCallLog';
import type { CallEvent, CallEventType } from '../../../../src/domain/events/CallEvent';
import { ACCOUNT, CrashOnce, DELAY, MAC_A as MAC, createRig, type Rig } from './lifecycleRig';

class CrashingCallLog extends SqliteCallLog {
  readonly finaliseCrash = new CrashOnce();
  override async finaliseCall(eventId: string | null, input: { callId: string; account: string; status: CallStatus; endedAt: number }) {
    this.finaliseCrash.hit();
    return super.finaliseCall(eventId, input);
  }
}

describe('CallLifecycle: a redelivered event after a crash half-way through its handler', () => {
  let rig: Rig<CrashingCallLog>;
  const scheduleCrash = new CrashOnce();

  /** Every event here comes from Alice's phone (extension 201). */
  const event = (type: CallEventType, remote: string): CallEvent => rig.event(type, MAC, { remote });

  beforeEach(async () => {
    scheduleCrash.armed = false;
    rig = await createRig({
      idPrefix: '01EVENT', remote: '', local: '201', agents: ['alice'], callLog: (db, hooks) => new CrashingCallLog(db, hooks), scheduleCrash,
    });
  });

  afterEach(() => rig.close());

  it('an unanswered call whose missed-call queueing crashed still becomes exactly one missed call', async () => {
    await rig.lifecycle.handle(event('incoming', '+923001111111'));
    const hangup = event('hangup', '+923001111111');
    scheduleCrash.armed = true;
    await expect(rig.lifecycle.handle(hangup)).rejects.toThrow('simulated crash');

    await rig.lifecycle.handle(hangup);
    await rig.lifecycle.handle(hangup); // and once more after it was fully handled
    rig.now += DELAY + 1;
    await rig.missed.sweep();

    const open = await rig.log.listMissed(ACCOUNT, { status: 'open' });
    expect(open.map((m) => m.remote)).toEqual(['+923001111111']);
    expect(rig.sent('call.missed')).toHaveLength(1);
  });

  it('an answered call whose finalising crashed is finalised once, with its statistics counted once', async () => {
    const remote = '+923002222222';
    await rig.lifecycle.handle(event('incoming', remote));
    await rig.lifecycle.handle(event('answered', remote));
    const hangup = event('hangup', remote);
    rig.log.finaliseCrash.armed = true;
    await expect(rig.lifecycle.handle(hangup)).rejects.toThrow('simulated crash');

    await rig.lifecycle.handle(hangup);

    const [call] = (await rig.log.listCalls(ACCOUNT, { remote })).items;
    expect(call?.status).toBe('answered');
    expect(call?.endedAt).toBe(hangup.receivedAt);
    const [stats] = await rig.log.stats(ACCOUNT, { agent: 'alice' });
    expect(stats).toMatchObject({ offered: 1, answered: 1, missed: 0 });
  });

  it('the same ringing event handled twice gives one leg and one popup', async () => {
    const ring = event('incoming', '+923003333333');
    await rig.lifecycle.handle(ring);
    await rig.lifecycle.handle(ring);

    const [call] = (await rig.log.listCalls(ACCOUNT, { remote: '+923003333333' })).items;
    expect(call?.legs).toHaveLength(1);
    expect(rig.sent('call.ringing')).toHaveLength(1);
  });
});
