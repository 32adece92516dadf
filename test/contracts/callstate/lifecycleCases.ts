import { ulid } from 'ulid';
import { expect, it } from 'vitest';
import { TTL_MS } from '../../../src/domain/callstate/ttl';
import type { CallStateContext } from '../callStateStoreContract';
import { ACCOUNT, calls, DEV_A, DEV_B, DEV_C, OTHER_ACCOUNT, REMOTE } from './helpers';

export function lifecycleCases({ store, t0 }: CallStateContext): void {
  it('the first device to ring claims a new call; other devices ringing for the remote join it', async () => {
    const c = calls(store());
    const first = await c.ring(DEV_A, t0(), { candidateCallId: 'call-x', eventId: 'ev-a' });
    expect(first).toEqual({ kind: 'new', callId: 'call-x', startedAt: t0(), transfer: null });
    const second = await c.ring(DEV_B, t0() + 100, { candidateCallId: 'call-y', eventId: 'ev-b' });
    expect(second).toEqual({ kind: 'joined', callId: 'call-x', startedAt: t0(), transfer: null });
    expect(await c.active()).toEqual({
      callId: 'call-x', remote: REMOTE, direction: 'in', claimedBy: DEV_A, startedAt: t0(), answered: false,
      answeredBy: null, answeredAt: null,
      legs: {
        [DEV_A]: { state: 'ringing', transfer: false, eventId: 'ev-a' },
        [DEV_B]: { state: 'ringing', transfer: false, eventId: 'ev-b' },
      },
    });
    expect(await store().getRingTime(ACCOUNT, 'call-x')).toBe(t0());
    expect(await store().getRingTimeByRemote(ACCOUNT, REMOTE)).toBe(t0());
    expect(await store().getRingTime(ACCOUNT, 'call-y')).toBeNull();
    expect(await store().getDirection(ACCOUNT, 'call-x')).toBe('in');
  });

  it('the same device reporting the live call again with another event is a duplicate and changes nothing', async () => {
    const c = calls(store());
    const first = await c.ring(DEV_A, t0(), { eventId: 'ev-1' });
    const again = await c.ring(DEV_A, t0() + 50, { eventId: 'ev-2' });
    expect(again).toEqual({ kind: 'duplicate', callId: first.callId });
    expect((await c.active())!.legs).toEqual({ [DEV_A]: { state: 'ringing', transfer: false, eventId: 'ev-1' } });
    expect(await store().isDuplicateCall(ACCOUNT, { remote: REMOTE, mac: DEV_A, eventId: 'ev-2' })).toBe(true);
    expect(await store().isDuplicateCall(ACCOUNT, { remote: REMOTE, mac: DEV_A, eventId: 'ev-1' })).toBe(false);
    expect(await store().isDuplicateCall(ACCOUNT, { remote: REMOTE, mac: DEV_B, eventId: 'ev-3' })).toBe(false);
  });

  it('what a device reported for an ended call does not make it a duplicate of the next call', async () => {
    const c = calls(store());
    await c.ring(DEV_A, t0(), { candidateCallId: 'call-1' });
    expect((await c.end(DEV_A, t0() + 1_000, 'missed'))!.callEnded).toBe(true);
    expect(await c.ring(DEV_B, t0() + 2_000, { candidateCallId: 'call-2' })).toMatchObject({ kind: 'new', callId: 'call-2' });
    expect(await c.ring(DEV_A, t0() + 2_100)).toMatchObject({ kind: 'joined', callId: 'call-2' });
  });

  it('a redelivered ringing event gets its first result again, also after the call ended, and changes nothing', async () => {
    const c = calls(store());
    const first = await c.ring(DEV_A, t0(), { eventId: 'ev-a', candidateCallId: 'call-x' });
    const joined = await c.ring(DEV_B, t0() + 10, { eventId: 'ev-b' });
    expect(await c.ring(DEV_A, t0() + 20, { eventId: 'ev-a', candidateCallId: 'other' })).toEqual(first);
    expect(await c.ring(DEV_B, t0() + 30, { eventId: 'ev-b' })).toEqual(joined);
    expect(Object.keys((await c.active())!.legs).sort()).toEqual([DEV_A, DEV_B].sort());
    await c.end(DEV_A, t0() + 40, 'missed');
    expect((await c.end(DEV_B, t0() + 50, 'missed'))!.callEnded).toBe(true);
    expect(await c.ring(DEV_A, t0() + 60, { eventId: 'ev-a', candidateCallId: 'other' })).toEqual(first);
    expect(await c.active()).toBeNull();
  });

  it('keeps tenants apart: the same remote in two accounts is two calls', async () => {
    const acme = calls(store(), ACCOUNT);
    const globex = calls(store(), OTHER_ACCOUNT);
    const a = await acme.ring(DEV_A, t0(), { candidateCallId: 'acme-call', eventId: 'ev-1' });
    expect(await globex.active()).toBeNull();
    expect(await store().isDuplicateCall(OTHER_ACCOUNT, { remote: REMOTE, mac: DEV_A, eventId: 'ev-2' })).toBe(false);
    const g = await globex.ring(DEV_A, t0(), { candidateCallId: 'globex-call', eventId: 'ev-2' });
    expect([a.kind, a.callId, g.kind, g.callId]).toEqual(['new', 'acme-call', 'new', 'globex-call']);
    await acme.answer(DEV_A, t0() + 100);
    expect((await acme.end(DEV_A, t0() + 200))!.callEnded).toBe(true);
    expect(await acme.active()).toBeNull();
    expect((await globex.active())!.callId).toBe('globex-call');
    expect(await store().wasAnswered(ACCOUNT, 'acme-call')).toBe(true);
    expect(await store().wasAnswered(OTHER_ACCOUNT, 'acme-call')).toBe(false);
    expect(await store().wasAnswered(OTHER_ACCOUNT, 'globex-call')).toBe(false);
  });

  it('a ringing claim lives TTL_MS.ring from now; after that the remote starts a new call', async () => {
    const c = calls(store());
    const first = await c.ring(DEV_A, t0(), { eventId: 'ev-1' });
    expect((await c.ring(DEV_B, t0() + TTL_MS.ring - 1)).callId).toBe(first.callId);
    const late = await c.ring(DEV_C, t0() + 2 * TTL_MS.ring, { candidateCallId: 'call-later' });
    expect(late).toMatchObject({ kind: 'new', callId: 'call-later' });
    const expired = calls(store(), ACCOUNT, '+15550999');
    await expired.ring(DEV_A, t0(), { eventId: 'ev-2' });
    expect(await expired.ring(DEV_A, t0() + TTL_MS.ring + 1, { eventId: 'ev-3', candidateCallId: 'fresh' })).toMatchObject({ kind: 'new', callId: 'fresh' });
  });

  it('an answered claim lives TTL_MS.answered from the answer', async () => {
    const c = calls(store());
    const first = await c.ring(DEV_A, t0());
    await c.answer(DEV_A, t0() + 1_000);
    expect(await c.ring(DEV_B, t0() + TTL_MS.ring + 5_000)).toMatchObject({ kind: 'joined', callId: first.callId });
    const other = calls(store(), ACCOUNT, '+15550888');
    await other.ring(DEV_A, t0());
    await other.answer(DEV_A, t0() + 1_000);
    expect(await other.answer(DEV_A, t0() + 1_000 + TTL_MS.answered + 1)).toBeNull();
    expect(await other.ring(DEV_C, t0() + 1_000 + TTL_MS.answered + 1, { candidateCallId: 'next' })).toMatchObject({ kind: 'new', callId: 'next' });
  });

  it('the first answer owns the call; a later answer by another ring-group leg does not take it', async () => {
    const c = calls(store());
    const { callId } = await c.ring(DEV_A, t0());
    await c.ring(DEV_B, t0() + 10);
    const byB = await c.answer(DEV_B, t0() + 2_000, 'ans-b');
    expect(byB).toEqual({ callId, owner: true, answeredBy: DEV_B, previousOwner: null, startedAt: t0(), direction: 'in' });
    const active = await c.active();
    expect([active!.answered, active!.answeredBy, active!.answeredAt, active!.legs[DEV_B]!.state]).toEqual([true, DEV_B, t0() + 2_000, 'answered']);
    const byA = await c.answer(DEV_A, t0() + 3_000);
    expect(byA).toEqual({ callId, owner: false, answeredBy: DEV_B, previousOwner: null, startedAt: t0(), direction: 'in' });
    expect(await c.answer(DEV_B, t0() + 4_000, 'ans-b')).toEqual(byB);
    expect((await c.answer(DEV_B, t0() + 5_000))!.owner).toBe(true);
    expect((await c.active())!.answeredAt).toBe(t0() + 2_000);
    expect(await calls(store(), ACCOUNT, '+15550404').answer(DEV_A, t0())).toBeNull();
  });

  it('one device rejecting while others ring does not end the call; the last leg ending does, once', async () => {
    const c = calls(store());
    const { callId } = await c.ring(DEV_A, t0());
    await c.ring(DEV_B, t0() + 1);
    await c.ring(DEV_C, t0() + 2);
    const rejected = await c.end(DEV_A, t0() + 1_000, 'rejected');
    expect(rejected).toEqual({ callId, direction: 'in', answered: false, answeredBy: null, startedAt: t0(), answeredAt: null, callEnded: false, late: false });
    expect((await c.active())!.legs[DEV_A]!.state).toBe('ended');
    expect((await c.end(DEV_A, t0() + 1_100, 'rejected'))!.callEnded).toBe(false);
    expect((await c.end(DEV_B, t0() + 2_000, 'missed'))!.callEnded).toBe(false);
    const last = await c.end(DEV_C, t0() + 3_000, 'missed');
    expect(last).toMatchObject({ callId, answered: false, answeredBy: null, callEnded: true, late: false });
    expect(await c.active()).toBeNull();
    expect(await store().wasAnswered(ACCOUNT, callId)).toBe(false);
    expect(await store().isDuplicateCall(ACCOUNT, { remote: REMOTE, mac: DEV_A, eventId: ulid() })).toBe(false);
    expect(await c.end(DEV_C, t0() + 3_100, 'missed')).toMatchObject({ callId, answered: false, callEnded: false, late: true });
  });

  it('the owner hanging up ends the call although other legs still ring; their late events find the ended call', async () => {
    const c = calls(store());
    const { callId } = await c.ring(DEV_A, t0());
    await c.ring(DEV_B, t0() + 5);
    await c.answer(DEV_A, t0() + 3_000);
    const hangup = await c.end(DEV_A, t0() + 60_000, 'hangup');
    expect(hangup).toEqual({ callId, direction: 'in', answered: true, answeredBy: DEV_A, startedAt: t0(), answeredAt: t0() + 3_000, callEnded: true, late: false });
    expect(await c.active()).toBeNull();
    const lateMissed = await c.end(DEV_B, t0() + 61_000, 'missed');
    expect(lateMissed).toEqual({ callId, direction: 'in', answered: true, answeredBy: DEV_A, startedAt: t0(), answeredAt: t0() + 3_000, callEnded: false, late: true });
    expect(await store().wasAnswered(ACCOUNT, callId)).toBe(true);
    expect(await c.end(DEV_B, t0() + 60_000 + TTL_MS.recent + 1, 'missed')).toBeNull();
  });

  it("a non-owner's leg ending does not end an answered call", async () => {
    const c = calls(store());
    await c.ring(DEV_A, t0());
    await c.ring(DEV_B, t0());
    await c.answer(DEV_A, t0() + 100);
    await c.answer(DEV_B, t0() + 200);
    expect((await c.end(DEV_B, t0() + 300))!.callEnded).toBe(false);
    expect((await c.end(DEV_A, t0() + 400))!.callEnded).toBe(true);
  });

  it('legEnded is null for an unknown remote and changes nothing for a device without a leg', async () => {
    const c = calls(store());
    expect(await c.end(DEV_A, t0())).toBeNull();
    const { callId } = await c.ring(DEV_A, t0());
    const stranger = await c.end(DEV_C, t0() + 10, 'hangup');
    expect(stranger).toMatchObject({ callId, callEnded: false, late: false });
    expect(Object.keys((await c.active())!.legs)).toEqual([DEV_A]);
  });

  it('after a plain hang-up the remote calling again is a new call, not a transfer', async () => {
    const c = calls(store());
    const first = await c.ring(DEV_A, t0(), { eventId: 'ev-1', candidateCallId: 'call-1' });
    await c.answer(DEV_A, t0() + 1_000);
    await c.end(DEV_A, t0() + 30_000);
    const again = await c.ring(DEV_A, t0() + 40_000, { eventId: 'ev-2', candidateCallId: 'call-2' });
    expect(again).toEqual({ kind: 'new', callId: 'call-2', startedAt: t0() + 40_000, transfer: null });
    expect(first.callId).toBe('call-1');
    expect(await store().getRingTime(ACCOUNT, 'call-1')).toBe(t0());
    expect(await store().getRingTimeByRemote(ACCOUNT, REMOTE)).toBe(t0() + 40_000);
    expect(await store().wasAnswered(ACCOUNT, 'call-2')).toBe(false);
  });

  it('an outgoing call is claimed with direction out', async () => {
    const c = calls(store());
    const out = await c.ring(DEV_A, t0(), { direction: 'out', candidateCallId: 'out-1' });
    expect(out).toMatchObject({ kind: 'new', callId: 'out-1' });
    expect(await store().getDirection(ACCOUNT, 'out-1')).toBe('out');
    expect((await c.active())!.direction).toBe('out');
    expect((await c.end(DEV_A, t0() + 20_000, 'hangup'))).toMatchObject({ direction: 'out', answered: false, callEnded: true });
  });

  it('wasAnswered: unknown and unanswered calls are not, live and ended answered calls are', async () => {
    const c = calls(store());
    expect(await store().wasAnswered(ACCOUNT, 'nope')).toBe(false);
    const { callId } = await c.ring(DEV_A, t0());
    expect(await store().wasAnswered(ACCOUNT, callId)).toBe(false);
    await c.answer(DEV_A, t0() + 10);
    expect(await store().wasAnswered(ACCOUNT, callId)).toBe(true);
    await c.end(DEV_A, t0() + 20);
    expect(await store().wasAnswered(ACCOUNT, callId)).toBe(true);
  });
}
