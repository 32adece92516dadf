import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallView } from '../../../../src/domain/calllog/CallLog';
import type { CallEventType } from '../../../../src/domain/events/CallEvent';
import { ACCOUNT, DELAY, MAC_A, MAC_B, createRig, type Rig } from './lifecycleRig';

const REMOTE = '+923005555555';
/** How long the seats' backlogs were held up (a RabbitMQ outage): events are handled this long after they happened. */
const OUTAGE = 60_000;

/**
 * Events of one ring-group call reach the handlers in the order the seats relayed them, not the
 * order they happened: phone A (Alice, seat X) and phone B (Bob, seat Y) ring for one caller, and
 * seat X's backlog is handled before seat Y's. Every event keeps its own time (receivedAt, when the
 * phone's request was accepted); `rig.now` is when the handlers run.
 */
describe('CallLifecycle: late events of a ring-group call (seats relay them out of order)', () => {
  let rig: Rig;
  /** When the call began (phone A rang). */
  let t0: number;

  /** One seat's backlog, handled now: each step is [event, phone, seconds after t0 it happened]. */
  async function backlog(...steps: Array<[CallEventType, string, number]>): Promise<void> {
    for (const [type, mac, second] of steps) await rig.lifecycle.handle(rig.event(type, mac, { at: t0 + second * 1000 }));
  }

  async function onlyCall(): Promise<CallView> {
    const items = await rig.calls();
    expect(items.map((c) => c.id)).toHaveLength(1);
    return items[0]!;
  }

  const legsOf = (call: CallView) => call.legs.map((l) => [l.mac, l.state]).sort();

  beforeEach(async () => {
    rig = await createRig({ idPrefix: '01LATE', remote: REMOTE });
    t0 = rig.now - OUTAGE;
  });

  afterEach(() => rig.close());

  it('nobody answers: one call with both legs, and one missed call only after the grace counted from when the end was handled', async () => {
    await backlog(['incoming', MAC_A, 0], ['missed', MAC_A, 20]);
    // The end happened a minute ago; its grace runs from now, so the other seat's events can come.
    await rig.missed.sweep();
    expect(await rig.log.listMissed(ACCOUNT, {})).toEqual([]);
    rig.now += 1000;
    await backlog(['incoming', MAC_B, 1], ['missed', MAC_B, 21]);
    rig.now += DELAY;
    await rig.missed.sweep();

    const call = await onlyCall();
    expect(call.status).toBe('missed');
    expect(legsOf(call)).toEqual([[MAC_A, 'missed'], [MAC_B, 'missed']]);
    expect((await rig.log.listMissed(ACCOUNT, {})).map((m) => [m.callId, m.targets.sort()])).toEqual([[call.id, ['alice', 'bob']]]);
    expect(rig.sent('call.missed').map((m) => m.agent).sort()).toEqual(['alice', 'bob']);
  });

  it('the late phone answers: one call answered by its agent, no missed call', async () => {
    await backlog(['incoming', MAC_A, 0], ['missed', MAC_A, 5]);
    rig.now += 1000;
    await backlog(['incoming', MAC_B, 1], ['answered', MAC_B, 6], ['hangup', MAC_B, 40]);
    rig.now += DELAY + 1;
    await rig.missed.sweep();

    const call = await onlyCall();
    expect(call).toMatchObject({ status: 'answered', agent: 'bob', answeredAt: t0 + 6000, endedAt: t0 + 40_000, talkMs: 34_000 });
    expect(legsOf(call)).toEqual([[MAC_A, 'missed'], [MAC_B, 'ended']]);
    expect(await rig.log.listMissed(ACCOUNT, {})).toEqual([]);
    expect(rig.sent('call.missed')).toEqual([]);
    expect(rig.sent('call.answered', 'bob')).toHaveLength(1);
  });

  it('the late phone answers after the grace: the missed call already raised is closed as answered by its agent', async () => {
    await backlog(['incoming', MAC_A, 0], ['missed', MAC_A, 5]);
    rig.now += DELAY + 1;
    await rig.missed.sweep();
    const raised = await onlyCall();
    expect(raised.status).toBe('missed');
    expect(rig.sent('call.missed').map((m) => m.agent)).toEqual(['alice']);

    await backlog(['incoming', MAC_B, 1], ['answered', MAC_B, 6]);
    expect(await onlyCall()).toMatchObject({ id: raised.id, status: 'in_progress', agent: 'bob', endedAt: null });
    await backlog(['hangup', MAC_B, 40]);
    rig.now += DELAY + 1;
    await rig.missed.sweep();

    const call = await onlyCall();
    expect(call).toMatchObject({ id: raised.id, status: 'answered', agent: 'bob', answeredAt: t0 + 6000, endedAt: t0 + 40_000 });
    expect(legsOf(call)).toEqual([[MAC_A, 'missed'], [MAC_B, 'ended']]);
    expect(await rig.log.listMissed(ACCOUNT, {})).toEqual([expect.objectContaining({ callId: call.id, status: 'closed', closedBy: 'bob' })]);
    expect(rig.sent('missed.claimed').map((m) => m.missed)).toContainEqual(expect.objectContaining({ callId: call.id, status: 'closed', closedBy: 'bob' }));
    expect(rig.sent('call.missed')).toHaveLength(1);
    const stats = Object.fromEntries((await rig.log.stats(ACCOUNT, {})).map((s) => [s.agent, [s.answered, s.missed]]));
    expect(stats).toEqual({ alice: [0, 0], bob: [1, 0] });
  });

  it('an answered call that is over: the late phone is recorded on it without a popup, and nothing is missed', async () => {
    await backlog(['incoming', MAC_A, 0], ['answered', MAC_A, 3], ['hangup', MAC_A, 30]);
    const answered = await onlyCall();
    rig.now += 1000;
    await backlog(['incoming', MAC_B, 1], ['missed', MAC_B, 3]);
    rig.now += DELAY + 1;
    await rig.missed.sweep();

    const call = await onlyCall();
    expect(call).toMatchObject({ id: answered.id, status: 'answered', agent: 'alice', endedAt: answered.endedAt, talkMs: answered.talkMs });
    expect(legsOf(call)).toEqual([[MAC_A, 'ended'], [MAC_B, 'missed']]);
    expect(rig.sent('call.ringing', 'bob')).toEqual([]);
    expect(await rig.log.listMissed(ACCOUNT, {})).toEqual([]);
    expect(rig.sent('call.missed')).toEqual([]);
  });

  it('while the late phone still rings, the missed call waits; it comes once the call is over again', async () => {
    await backlog(['incoming', MAC_A, 0], ['missed', MAC_A, 5]);
    rig.now += 1000;
    await backlog(['incoming', MAC_B, 1]);
    rig.now += DELAY;
    await rig.missed.sweep();
    expect(await rig.log.listMissed(ACCOUNT, {})).toEqual([]);
    expect((await onlyCall()).status).toBe('ringing');

    await backlog(['missed', MAC_B, 9]);
    rig.now += DELAY + 1;
    await rig.missed.sweep();
    const call = await onlyCall();
    expect(call.status).toBe('missed');
    expect(legsOf(call)).toEqual([[MAC_A, 'missed'], [MAC_B, 'missed']]);
    expect(await rig.log.listMissed(ACCOUNT, {})).toHaveLength(1);
    expect(rig.sent('call.missed').map((m) => m.agent).sort()).toEqual(['alice', 'bob']);
  });
});
