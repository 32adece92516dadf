import { expect, it } from 'vitest';
import type { TransferFingerprint } from '../../../src/domain/callstate/CallStateStore';
import type { CallStateContext } from '../callStateStoreContract';
import { ACCOUNT, calls, DEV_A, DEV_B, DEV_C, OTHER_ACCOUNT, REMOTE, WINDOW } from './helpers';

export function transferCases({ store, t0 }: CallStateContext): void {
  /** Device A takes the call and transfers it at t0 + 10 s; returns the fingerprint. */
  async function answeredAndTransferred(): Promise<TransferFingerprint> {
    const c = calls(store());
    await c.ring(DEV_A, t0(), { candidateCallId: 'call-x' });
    await c.answer(DEV_A, t0() + 2_000);
    const fingerprint: TransferFingerprint = { callId: 'call-x', remote: REMOTE, fromAgent: 'alice', fromMac: DEV_A, at: t0() + 10_000 };
    await store().createTransferFingerprint(ACCOUNT, fingerprint);
    return fingerprint;
  }

  it('blind transfer: the transferor hangs up first, the new device continues the same call', async () => {
    const c = calls(store());
    const fingerprint = await answeredAndTransferred();
    expect((await c.end(DEV_A, t0() + 10_500))!.callEnded).toBe(true);
    const ring = await c.ring(DEV_B, t0() + 12_000, { candidateCallId: 'leg-b' });
    expect(ring).toEqual({ kind: 'transferred', callId: 'call-x', startedAt: t0(), transfer: fingerprint });
    const active = await c.active();
    expect(active).toMatchObject({ callId: 'call-x', startedAt: t0(), answered: true, answeredBy: DEV_A });
    expect(active!.legs[DEV_B]).toMatchObject({ state: 'ringing', transfer: true });
    expect(await store().getParent(ACCOUNT, 'leg-b')).toBe('call-x');
    expect(await c.answer(DEV_B, t0() + 15_000)).toEqual({
      callId: 'call-x', owner: true, answeredBy: DEV_B, previousOwner: DEV_A, startedAt: t0(), direction: 'in',
    });
    expect(await c.end(DEV_B, t0() + 80_000)).toMatchObject({ callId: 'call-x', answered: true, answeredBy: DEV_B, callEnded: true });
    expect(await store().wasAnswered(ACCOUNT, 'call-x')).toBe(true);
  });

  it('a transferred call nobody picks up stays an answered call (it was answered before the transfer)', async () => {
    const c = calls(store());
    await answeredAndTransferred();
    await c.end(DEV_A, t0() + 10_500);
    await c.ring(DEV_B, t0() + 11_000);
    expect(await c.end(DEV_B, t0() + 40_000, 'missed')).toMatchObject({ callId: 'call-x', answered: true, callEnded: true });
    expect(await store().wasAnswered(ACCOUNT, 'call-x')).toBe(true);
  });

  it('attended transfer: the call stays live while the transfer leg rings, and the transfer leg takes it over', async () => {
    const c = calls(store());
    const fingerprint = await answeredAndTransferred();
    const ring = await c.ring(DEV_B, t0() + 11_000, { candidateCallId: 'leg-b' });
    expect(ring).toEqual({ kind: 'transferred', callId: 'call-x', startedAt: t0(), transfer: fingerprint });
    expect((await c.end(DEV_A, t0() + 12_000))!.callEnded).toBe(false);
    const answer = await c.answer(DEV_B, t0() + 13_000, 'ans-b');
    expect(answer).toMatchObject({ callId: 'call-x', owner: true, answeredBy: DEV_B, previousOwner: DEV_A });
    expect((await c.active())!.answeredBy).toBe(DEV_B);
    expect(await store().answered(ACCOUNT, { remote: REMOTE, mac: DEV_B, eventId: 'ans-b', now: t0() + 13_500 })).toEqual(answer);
    expect((await c.end(DEV_B, t0() + 50_000))!.callEnded).toBe(true);
  });

  it('the transferor staying on the line does not end the call when the transfer leg is answered and hangs up later', async () => {
    const c = calls(store());
    await answeredAndTransferred();
    await c.ring(DEV_B, t0() + 11_000);
    await c.answer(DEV_B, t0() + 13_000);
    const end = await c.end(DEV_B, t0() + 40_000);
    expect(end).toMatchObject({ callEnded: true, answeredBy: DEV_B });
    expect(await c.end(DEV_A, t0() + 41_000)).toMatchObject({ callId: 'call-x', late: true, callEnded: false });
  });

  it('transfer into a ring group: every device ringing for the transfer is a transfer leg; the answering one owns the call', async () => {
    const c = calls(store());
    const fingerprint = await answeredAndTransferred();
    await c.end(DEV_A, t0() + 10_500);
    expect(await c.ring(DEV_B, t0() + 11_000)).toMatchObject({ kind: 'transferred', callId: 'call-x', transfer: fingerprint });
    expect(await c.ring(DEV_C, t0() + 11_010)).toMatchObject({ kind: 'transferred', callId: 'call-x', transfer: fingerprint });
    const legs = (await c.active())!.legs;
    expect([legs[DEV_B]!.transfer, legs[DEV_C]!.transfer]).toEqual([true, true]);
    expect(await c.answer(DEV_C, t0() + 14_000)).toMatchObject({ owner: true, answeredBy: DEV_C, previousOwner: DEV_A });
    expect(await c.answer(DEV_B, t0() + 14_500)).toMatchObject({ owner: true, answeredBy: DEV_B, previousOwner: DEV_C });
    expect((await c.end(DEV_C, t0() + 15_000, 'hangup'))!.callEnded).toBe(false);
    expect((await c.end(DEV_B, t0() + 20_000, 'hangup'))!.callEnded).toBe(true);
  });

  it('a plain ring-group join after the transfer leg was answered is not a transfer leg', async () => {
    const c = calls(store());
    await answeredAndTransferred();
    await c.ring(DEV_B, t0() + 11_000);
    await c.answer(DEV_B, t0() + 12_000);
    expect(await c.ring(DEV_C, t0() + 13_000)).toMatchObject({ kind: 'joined', callId: 'call-x', transfer: null });
    expect(await c.answer(DEV_C, t0() + 14_000)).toMatchObject({ owner: false, answeredBy: DEV_B });
  });

  it('a fingerprint older than the window does not match and is purged', async () => {
    const c = calls(store());
    await answeredAndTransferred();
    await c.end(DEV_A, t0() + 10_500);
    const ring = await c.ring(DEV_B, t0() + 10_000 + WINDOW + 1, { candidateCallId: 'fresh' });
    expect(ring).toEqual({ kind: 'new', callId: 'fresh', startedAt: t0() + 10_000 + WINDOW + 1, transfer: null });
    expect(await store().findTransferMatch(ACCOUNT, { remote: REMOTE, now: t0() + 10_000, windowMs: WINDOW })).toBeNull();
  });

  it('an outgoing call to the remote does not take its transfer fingerprint', async () => {
    const fingerprint = await answeredAndTransferred();
    const other = calls(store(), ACCOUNT, REMOTE);
    await other.end(DEV_A, t0() + 10_500);
    expect(await other.ring(DEV_B, t0() + 11_000, { direction: 'out', candidateCallId: 'dial-out' })).toMatchObject({ kind: 'new', callId: 'dial-out' });
    expect(await store().findTransferMatch(ACCOUNT, { remote: REMOTE, now: t0() + 12_000, windowMs: WINDOW })).toEqual(fingerprint);
  });

  it('findTransferMatch takes the newest fingerprint of the remote within the window, one per call', async () => {
    const s = store();
    const older: TransferFingerprint = { callId: 'c-1', remote: REMOTE, fromAgent: null, fromMac: DEV_A, at: t0() };
    const newer: TransferFingerprint = { callId: 'c-2', remote: REMOTE, fromAgent: 'bob', fromMac: DEV_B, at: t0() + 5_000 };
    await s.createTransferFingerprint(ACCOUNT, older);
    await s.createTransferFingerprint(ACCOUNT, newer);
    await s.createTransferFingerprint(ACCOUNT, { ...newer, remote: '+15550777', callId: 'c-3' });
    expect(await s.findTransferMatch(OTHER_ACCOUNT, { remote: REMOTE, now: t0() + 6_000, windowMs: WINDOW })).toBeNull();
    expect(await s.findTransferMatch(ACCOUNT, { remote: REMOTE, now: t0() + 6_000, windowMs: WINDOW })).toEqual(newer);
    expect(await s.findTransferMatch(ACCOUNT, { remote: REMOTE, now: t0() + 6_000, windowMs: WINDOW })).toEqual(older);
    expect(await s.findTransferMatch(ACCOUNT, { remote: REMOTE, now: t0() + 6_000, windowMs: WINDOW })).toBeNull();
    expect(await s.findTransferMatch(ACCOUNT, { remote: '+15550777', now: t0() + 5_000 + WINDOW + 1, windowMs: WINDOW })).toBeNull();
    expect(await s.findTransferMatch(ACCOUNT, { remote: '+15550777', now: t0() + 6_000, windowMs: WINDOW })).toBeNull();
  });

  it('setRelationship / getParent link a child call to its parent, per account', async () => {
    const s = store();
    expect(await s.getParent(ACCOUNT, 'child')).toBeNull();
    await s.setRelationship(ACCOUNT, 'child', 'parent');
    expect(await s.getParent(ACCOUNT, 'child')).toBe('parent');
    expect(await s.getParent(OTHER_ACCOUNT, 'child')).toBeNull();
    await s.setRelationship(ACCOUNT, 'child', 'parent-2');
    expect(await s.getParent(ACCOUNT, 'child')).toBe('parent-2');
  });
}
