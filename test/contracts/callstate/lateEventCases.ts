import { expect, it } from 'vitest';
import type { CallStateContext } from '../callStateStoreContract';
import { ACCOUNT, calls, DEV_A, DEV_B, DEV_C, OTHER_ACCOUNT, REMOTE } from './helpers';

/**
 * Late events (legs.ts isLateEventOf): seats relay their phones' events through their own
 * outboxes, so one phone's events can be handled after another phone of the same ring group has
 * already ended the call. An event that finds no live call but is at or before the end of the
 * remote's most recent call belongs to that call. The times below are the events' own times
 * (`now`); the order of the calls is the order the consumer handles them.
 */
export function lateEventCases({ store, t0 }: CallStateContext): void {
  /** Phone A rang at t0 and stopped at t0 + 3 s; nobody answered: call-x is over. */
  async function missedByA() {
    const c = calls(store());
    await c.ring(DEV_A, t0(), { candidateCallId: 'call-x', eventId: 'ev-a' });
    expect(await c.end(DEV_A, t0() + 3_000, 'missed')).toMatchObject({ callId: 'call-x', callEnded: true, answered: false });
    return c;
  }

  /** Phone A rang at t0, answered at t0 + 2 s and hung up at t0 + 60 s: call-x is over. */
  async function answeredByA() {
    const c = calls(store());
    await c.ring(DEV_A, t0(), { candidateCallId: 'call-x', eventId: 'ev-a' });
    await c.answer(DEV_A, t0() + 2_000);
    expect(await c.end(DEV_A, t0() + 60_000, 'hangup')).toMatchObject({ callId: 'call-x', callEnded: true, answered: true });
    return c;
  }

  it('a ring at or before the end of an unanswered call joins it late: the call is live again with both legs', async () => {
    const c = await missedByA();
    const late = await c.ring(DEV_B, t0() + 1_000, { candidateCallId: 'call-y', eventId: 'ev-b' });
    expect(late).toEqual({ kind: 'joined', callId: 'call-x', startedAt: t0(), transfer: null, late: 'reopened' });
    expect(await c.active()).toEqual({
      callId: 'call-x', remote: REMOTE, direction: 'in', claimedBy: DEV_A, startedAt: t0(), answered: false, answeredBy: null, answeredAt: null,
      legs: {
        [DEV_A]: { state: 'ended', transfer: false, eventId: 'ev-a' },
        [DEV_B]: { state: 'ringing', transfer: false, eventId: 'ev-b' },
      },
    });
    expect(await store().getRingTime(ACCOUNT, 'call-y')).toBeNull();
    expect(await store().getRingTimeByRemote(ACCOUNT, REMOTE)).toBe(t0());
  });

  it("the late device's answer and hang-up apply to the reopened call: answered by it, ended once more", async () => {
    const c = await missedByA();
    await c.ring(DEV_B, t0() + 1_000);
    expect(await c.answer(DEV_B, t0() + 4_000)).toEqual({
      callId: 'call-x', owner: true, answeredBy: DEV_B, previousOwner: null, startedAt: t0(), direction: 'in',
    });
    expect(await store().wasAnswered(ACCOUNT, 'call-x')).toBe(true);
    expect(await c.end(DEV_B, t0() + 30_000, 'hangup')).toEqual({
      callId: 'call-x', direction: 'in', answered: true, answeredBy: DEV_B, startedAt: t0(), answeredAt: t0() + 4_000, callEnded: true, late: false,
    });
    expect(await c.active()).toBeNull();
    expect(await store().wasAnswered(ACCOUNT, 'call-x')).toBe(true);
  });

  it('a reopened call that ends again unanswered keeps its later end, so a third late leg still joins it', async () => {
    const c = await missedByA();
    await c.ring(DEV_B, t0() + 1_000);
    expect(await c.end(DEV_B, t0() + 2_000, 'missed')).toMatchObject({ callId: 'call-x', callEnded: true, answered: false, late: false });
    expect(await c.ring(DEV_C, t0() + 2_500, { candidateCallId: 'call-z' })).toMatchObject({ kind: 'joined', callId: 'call-x', late: 'reopened' });
    expect(await c.end(DEV_C, t0() + 2_600, 'missed')).toMatchObject({ callId: 'call-x', callEnded: true });
    expect(await store().wasAnswered(ACCOUNT, 'call-x')).toBe(false);
  });

  it('a call is over at the latest of its leg ends, whatever order they were handled in', async () => {
    const c = calls(store());
    await c.ring(DEV_A, t0(), { candidateCallId: 'call-x' });
    await c.ring(DEV_B, t0() + 100);
    await c.end(DEV_A, t0() + 10_000, 'missed');
    expect(await c.end(DEV_B, t0() + 8_000, 'missed')).toMatchObject({ callId: 'call-x', callEnded: true });
    expect(await c.ring(DEV_C, t0() + 9_000, { candidateCallId: 'call-c' })).toMatchObject({ kind: 'joined', callId: 'call-x', late: 'reopened' });
  });

  it('a ring at the very end still joins; one a millisecond after the end is a new call', async () => {
    const c = await missedByA();
    expect(await c.ring(DEV_B, t0() + 3_000)).toMatchObject({ kind: 'joined', callId: 'call-x', late: 'reopened' });
    await c.end(DEV_B, t0() + 3_000, 'missed');
    const next = await c.ring(DEV_C, t0() + 3_001, { candidateCallId: 'call-next' });
    expect(next).toEqual({ kind: 'new', callId: 'call-next', startedAt: t0() + 3_001, transfer: null });
  });

  it('a late ring joins an answered call that is over without reopening it; its late end finds the call', async () => {
    const c = await answeredByA();
    const late = await c.ring(DEV_B, t0() + 1_000, { candidateCallId: 'call-y', eventId: 'ev-b' });
    expect(late).toEqual({ kind: 'joined', callId: 'call-x', startedAt: t0(), transfer: null, late: 'over' });
    expect(await c.active()).toBeNull();
    expect(await c.ring(DEV_B, t0() + 1_100, { eventId: 'ev-b-again' })).toEqual({ kind: 'duplicate', callId: 'call-x' });
    expect(await c.end(DEV_B, t0() + 5_000, 'missed')).toEqual({
      callId: 'call-x', direction: 'in', answered: true, answeredBy: DEV_A, startedAt: t0(), answeredAt: t0() + 2_000, callEnded: false, late: true,
    });
    expect(await store().wasAnswered(ACCOUNT, 'call-x')).toBe(true);
  });

  it('a late answer on an unanswered call that is over reopens it, owned by the answering device', async () => {
    const c = await missedByA();
    expect(await c.answer(DEV_B, t0() + 2_000, 'ans-b')).toEqual({
      callId: 'call-x', owner: true, answeredBy: DEV_B, previousOwner: null, startedAt: t0(), direction: 'in',
    });
    expect(await c.active()).toMatchObject({ callId: 'call-x', answered: true, answeredBy: DEV_B, answeredAt: t0() + 2_000 });
    expect((await c.active())!.legs[DEV_B]).toMatchObject({ state: 'answered' });
    expect(await c.end(DEV_B, t0() + 20_000)).toMatchObject({ callId: 'call-x', answered: true, callEnded: true });
    expect(await c.answer(DEV_B, t0() + 21_000, 'ans-b')).toMatchObject({ callId: 'call-x', owner: true, answeredBy: DEV_B });
  });

  it('a late answer on an answered call that is over is recorded without taking the call over; after the end it is no one\'s', async () => {
    const c = await answeredByA();
    const late = await c.answer(DEV_B, t0() + 3_000, 'ans-b');
    expect(late).toEqual({ callId: 'call-x', owner: false, answeredBy: DEV_A, previousOwner: null, startedAt: t0(), direction: 'in' });
    expect(await c.active()).toBeNull();
    expect(await c.answer(DEV_B, t0() + 3_500, 'ans-b')).toEqual(late);
    expect(await c.answer(DEV_C, t0() + 61_000)).toBeNull();
  });

  it('a redelivered late ring gets its first result again and changes nothing', async () => {
    const c = await missedByA();
    const late = await c.ring(DEV_B, t0() + 1_000, { eventId: 'ev-b' });
    await c.answer(DEV_B, t0() + 4_000);
    await c.end(DEV_B, t0() + 9_000);
    expect(await c.ring(DEV_B, t0() + 1_000, { eventId: 'ev-b', candidateCallId: 'other' })).toEqual(late);
    expect(await c.active()).toBeNull();
  });

  it('only a ring of the same direction, remote and account joins late', async () => {
    const c = await missedByA();
    expect(await c.ring(DEV_B, t0() + 1_000, { direction: 'out', candidateCallId: 'dial-out' })).toMatchObject({ kind: 'new', callId: 'dial-out' });
    await c.end(DEV_B, t0() + 1_500, 'hangup');
    const otherRemote = calls(store(), ACCOUNT, '+15550777');
    expect(await otherRemote.ring(DEV_B, t0() + 1_000, { candidateCallId: 'call-o' })).toMatchObject({ kind: 'new', callId: 'call-o' });
    const otherAccount = calls(store(), OTHER_ACCOUNT);
    expect(await otherAccount.ring(DEV_B, t0() + 1_000, { candidateCallId: 'call-g' })).toMatchObject({ kind: 'new', callId: 'call-g' });
  });
}
