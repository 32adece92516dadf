import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TTL_MS } from '../../../../src/domain/callstate/ttl';
import { SqliteCallLog } from '../../../../src/adapters/sqlite/calllog/SqliteCallLog';
import { ACCOUNT, CrashOnce, MAC_A, MAC_B, createRig, type Rig } from './lifecycleRig';

const REMOTE = '+923004444444';

class CrashingCallLog extends SqliteCallLog {
  readonly answeredCrash = new CrashOnce();
  override async recordAnswered(...args: Parameters<SqliteCallLog['recordAnswered']>) {
    this.answeredCrash.hit();
    return super.recordAnswered(...args);
  }
}

/**
 * The handlers over the real embedded call state and call log, where the call state can be
 * lost (its file deleted and a fresh one opened) while the call log survives, as when Redis
 * restarts without persistence.
 */
describe('CallLifecycle: continuing calls the call state has forgotten', () => {
  let rig: Rig<CrashingCallLog>;
  const scheduleCrash = new CrashOnce();

  beforeEach(async () => {
    scheduleCrash.armed = false;
    rig = await createRig({ idPrefix: '01RECOVERY', remote: REMOTE, callLog: (db, hooks) => new CrashingCallLog(db, hooks), scheduleCrash });
  });

  afterEach(() => rig.close());

  it('ring, [loss], answered, hangup: one call, answered, with its talk time, and the end is pushed', async () => {
    await rig.phone(['incoming', MAC_A]);
    await rig.loseCallState();
    await rig.phone(['answered', MAC_A]);
    rig.now += 30_000;
    await rig.phone(['hangup', MAC_A]);

    const [call, ...others] = await rig.calls();
    expect(others).toEqual([]);
    expect(call).toMatchObject({ status: 'answered', agent: 'alice', ringMs: 1000, talkMs: 31_000 });
    expect(call!.legs).toHaveLength(1);
    expect(rig.sent('call.ended', 'alice')).toEqual([expect.objectContaining({ outcome: 'answered' })]);
    // The state is whole again: the call is over there too, so the next ring is a new call.
    expect(await rig.state.getActiveCall(ACCOUNT, REMOTE, rig.now)).toBeNull();
  });

  it('a device joining a ring group after the loss joins the same call, and the last miss makes one missed call', async () => {
    await rig.phone(['incoming', MAC_A]);
    await rig.loseCallState();
    await rig.phone(['incoming', MAC_B], ['missed', MAC_A]);
    expect(rig.sent('call.ended')).toEqual([]); // bob's phone still rings
    await rig.phone(['missed', MAC_B]);
    expect(await rig.log.listMissed(ACCOUNT, {})).toEqual([]);
    await rig.afterGraceDelay();

    const [call, ...others] = await rig.calls();
    expect(others).toEqual([]);
    expect(call!.status).toBe('missed');
    expect(call!.legs.map((l) => l.mac).sort()).toEqual([MAC_A, MAC_B]);
    expect((await rig.log.listMissed(ACCOUNT, {})).map((m) => m.targets.sort())).toEqual([['alice', 'bob']]);
    expect(rig.sent('call.missed').map((m) => m.agent).sort()).toEqual(['alice', 'bob']);
    expect(rig.sent('call.ringing', 'bob')).toHaveLength(1);
  });

  it('a hangup whose missed-call queueing crashed, redelivered after the state was lost again, still makes exactly one missed call', async () => {
    await rig.phone(['incoming', MAC_A]);
    await rig.loseCallState();
    const hangup = rig.event('hangup', MAC_A);
    scheduleCrash.armed = true;
    await expect(rig.lifecycle.handle(hangup)).rejects.toThrow('simulated crash');
    await rig.loseCallState();

    await rig.lifecycle.handle(hangup);
    await rig.lifecycle.handle(hangup);
    await rig.afterGraceDelay();

    expect((await rig.calls()).map((c) => c.status)).toEqual(['missed']);
    expect(await rig.log.listMissed(ACCOUNT, {})).toHaveLength(1);
    expect(rig.sent('call.missed', 'alice')).toHaveLength(1);
  });

  it('an answer redelivered after a crash half-way through its recovery gives one call and one answer', async () => {
    await rig.phone(['incoming', MAC_A]);
    await rig.loseCallState();
    const answered = rig.event('answered', MAC_A);
    rig.log.answeredCrash.armed = true;
    await expect(rig.lifecycle.handle(answered)).rejects.toThrow('simulated crash');
    await rig.lifecycle.handle(answered);
    await rig.lifecycle.handle(answered);
    await rig.loseCallState();
    await rig.lifecycle.handle(answered); // handled already: nothing happens, even without the state
    rig.now += 1000;
    await rig.phone(['hangup', MAC_A]);

    const [call, ...others] = await rig.calls();
    expect(others).toEqual([]);
    expect(call).toMatchObject({ status: 'answered', agent: 'alice' });
    expect(call!.legs).toHaveLength(1);
    expect(rig.sent('call.answered', 'alice')).toHaveLength(1);
    expect(rig.sent('call.ended', 'alice')).toHaveLength(1);
  });

  it('a hangup after the loss of an answered call finishes it as answered, never missed', async () => {
    await rig.phone(['incoming', MAC_A], ['incoming', MAC_B], ['answered', MAC_B], ['missed', MAC_A]);
    await rig.loseCallState();
    await rig.phone(['hangup', MAC_B]);
    await rig.afterGraceDelay();

    const [call] = await rig.calls();
    expect(call).toMatchObject({ status: 'answered', agent: 'bob', talkMs: 2000 });
    expect(await rig.log.listMissed(ACCOUNT, {})).toEqual([]);
    expect(rig.sent('call.ended').map((m) => [m.agent, m.outcome]).sort()).toEqual([['alice', 'answered'], ['bob', 'answered']]);
  });

  it('an unanswered call that ended before the loss is not continued by a new call from the same remote', async () => {
    await rig.phone(['incoming', MAC_A], ['hangup', MAC_A]);
    await rig.loseCallState(); // the grace delay was running; its queue entry is gone with the state
    await rig.phone(['incoming', MAC_A], ['answered', MAC_A], ['hangup', MAC_A]);

    const [second, first] = await rig.calls();
    expect(second).toMatchObject({ status: 'answered' });
    expect(first).toMatchObject({ status: 'ringing' });
    expect(first!.legs.map((l) => l.state)).toEqual(['ended']);
    // The stale-call reaper queues it again once its claim would have expired.
    rig.now += TTL_MS.ring;
    await rig.reaper.reap(ACCOUNT);
    await rig.afterGraceDelay();
    expect((await rig.calls()).map((c) => c.status)).toEqual(['answered', 'missed']);
    expect((await rig.log.listMissed(ACCOUNT, {})).map((m) => m.callId)).toEqual([first!.id]);
  });

  it('transfer and hold on a call only the log knows are applied to it, and the transfer is continued', async () => {
    await rig.phone(['incoming', MAC_A], ['answered', MAC_A]);
    await rig.loseCallState();
    await rig.phone(['hold', MAC_A]);
    rig.now += 4000;
    await rig.phone(['unhold', MAC_A], ['transfer', MAC_A], ['hangup', MAC_A], ['incoming', MAC_B], ['answered', MAC_B], ['hangup', MAC_B]);

    const [call, ...others] = await rig.calls();
    expect(others).toEqual([]);
    expect(call).toMatchObject({ status: 'answered', agent: 'bob', transferredFrom: 'alice', holdMs: 5000 });
    expect(call!.legs.map((l) => [l.mac, l.state, l.transfer])).toEqual([[MAC_A, 'transferred', false], [MAC_B, 'ended', true]]);
    expect(rig.sent('call.transferred', 'alice')).toHaveLength(1);
  });

  it('the transferring agent hanging up after a loss ends the call once', async () => {
    await rig.phone(['incoming', MAC_A], ['answered', MAC_A], ['transfer', MAC_A]);
    await rig.loseCallState();
    const hangup = rig.event('hangup', MAC_A);
    await rig.lifecycle.handle(hangup);
    await rig.lifecycle.handle(rig.event('hangup', MAC_A)); // the phone saying it again

    const [call] = await rig.calls();
    expect(call).toMatchObject({ status: 'answered', endedAt: hangup.receivedAt });
    expect(rig.sent('call.ended', 'alice')).toEqual([expect.objectContaining({ outcome: 'answered' })]);
  });

  it('an outgoing call continues as outgoing: unanswered it is "no answer", never missed', async () => {
    await rig.phone(['outgoing', MAC_A]);
    await rig.loseCallState();
    await rig.phone(['hangup', MAC_A]);
    await rig.afterGraceDelay();

    const [call, ...others] = await rig.calls();
    expect(others).toEqual([]);
    expect(call).toMatchObject({ direction: 'out', status: 'no_answer' });
    expect(await rig.log.listMissed(ACCOUNT, {})).toEqual([]);
  });

  it('a caller without a number is continued on the same device only', async () => {
    await rig.lifecycle.handle(rig.event('incoming', MAC_A, { remote: '' }));
    await rig.lifecycle.handle(rig.event('incoming', MAC_B, { remote: '' }));
    await rig.loseCallState();
    rig.now += 1000;
    await rig.lifecycle.handle(rig.event('answered', MAC_B, { remote: '' }));
    rig.now += 1000;
    await rig.lifecycle.handle(rig.event('hangup', MAC_B, { remote: '' }));
    await rig.lifecycle.handle(rig.event('hangup', MAC_A, { remote: '' }));
    await rig.afterGraceDelay();

    const byDevice = (await rig.calls('')).map((c) => [c.legs[0]!.mac, c.status]).sort();
    expect(byDevice).toEqual([[MAC_A, 'missed'], [MAC_B, 'answered']]);
  });

  it('the stale-call reaper leaves a forgotten call alone while the log shows it going on', async () => {
    await rig.phone(['incoming', MAC_A], ['answered', MAC_A]);
    await rig.loseCallState();
    rig.now += TTL_MS.ring + 60_000;
    expect(await rig.reaper.reap(ACCOUNT)).toBe(0);
    await rig.phone(['hangup', MAC_A]);
    expect((await rig.calls())[0]).toMatchObject({ status: 'answered', talkMs: TTL_MS.ring + 61_000 });

    // One nobody ends is still reaped once its claim would have expired.
    await rig.phone(['incoming', MAC_B]);
    await rig.loseCallState();
    rig.now += TTL_MS.ring;
    expect(await rig.reaper.reap(ACCOUNT)).toBe(1);
  });
});
