import { expect, it } from 'vitest';
import type { MissedCallEntry } from '../../../src/domain/callstate/CallStateStore';
import { TTL_MS } from '../../../src/domain/callstate/ttl';
import type { CallStateContext } from '../callStateStoreContract';
import { ACCOUNT, calls, DEV_A, DEV_B, OTHER_ACCOUNT, REMOTE } from './helpers';

export function seedOperationCases({ store, t0 }: CallStateContext): void {
  it('claimCall: the first device wins while the claim lives; other accounts claim independently', async () => {
    const s = store();
    const claim = (account: string, callId: string, mac: string, now: number) => s.claimCall(account, { remote: REMOTE, callId, mac, direction: 'in', now });
    expect(await claim(ACCOUNT, 'c-1', DEV_A, t0())).toEqual({ claimed: true, callId: 'c-1' });
    expect(await claim(ACCOUNT, 'c-2', DEV_B, t0() + 10)).toEqual({ claimed: false, callId: 'c-1' });
    expect(await s.getActiveCall(ACCOUNT, REMOTE)).toMatchObject({ callId: 'c-1', claimedBy: DEV_A, direction: 'in', answered: false });
    expect(await claim(OTHER_ACCOUNT, 'g-1', DEV_B, t0())).toEqual({ claimed: true, callId: 'g-1' });
    expect(await claim(ACCOUNT, 'c-3', DEV_B, t0() + TTL_MS.ring + 1)).toEqual({ claimed: true, callId: 'c-3' });
    expect(await calls(s).ring(DEV_B, t0() + TTL_MS.ring + 2)).toMatchObject({ kind: 'joined', callId: 'c-3' });
  });

  it('isDuplicateCall / markDeviceReportedCall: a device that reported the live call with another event', async () => {
    const s = store();
    const dup = (mac: string, eventId: string, remote = REMOTE) => s.isDuplicateCall(ACCOUNT, { remote, mac, eventId });
    await s.claimCall(ACCOUNT, { remote: REMOTE, callId: 'c-1', mac: DEV_A, direction: 'in', now: t0() });
    expect(await dup(DEV_A, 'e-2')).toBe(false);
    await s.markDeviceReportedCall(ACCOUNT, { remote: REMOTE, mac: DEV_A, callId: 'c-1', eventId: 'e-1' });
    expect(await dup(DEV_A, 'e-2')).toBe(true);
    expect(await dup(DEV_A, 'e-1')).toBe(false);
    expect(await dup(DEV_B, 'e-2')).toBe(false);
    expect(await dup(DEV_A, 'e-2', '+15550999')).toBe(false);
    expect(await s.isDuplicateCall(OTHER_ACCOUNT, { remote: REMOTE, mac: DEV_A, eventId: 'e-2' })).toBe(false);
    await s.markDeviceReportedCall(ACCOUNT, { remote: REMOTE, mac: DEV_B, callId: 'an-older-call', eventId: 'e-3' });
    expect(await dup(DEV_B, 'e-4')).toBe(false);
  });

  it('setRingTime keeps the first ring time of a call; the remote follows the newest call', async () => {
    const s = store();
    expect(await s.getRingTime(ACCOUNT, 'c-1')).toBeNull();
    expect(await s.getRingTimeByRemote(ACCOUNT, REMOTE)).toBeNull();
    await s.setRingTime(ACCOUNT, { callId: 'c-1', remote: REMOTE, at: t0() });
    await s.setRingTime(ACCOUNT, { callId: 'c-1', remote: REMOTE, at: t0() + 500 });
    expect(await s.getRingTime(ACCOUNT, 'c-1')).toBe(t0());
    expect(await s.getRingTimeByRemote(ACCOUNT, REMOTE)).toBe(t0());
    await s.setRingTime(ACCOUNT, { callId: 'c-2', remote: REMOTE, at: t0() + 1_000 });
    expect(await s.getRingTime(ACCOUNT, 'c-2')).toBe(t0() + 1_000);
    expect(await s.getRingTimeByRemote(ACCOUNT, REMOTE)).toBe(t0() + 1_000);
    expect(await s.getRingTime(OTHER_ACCOUNT, 'c-1')).toBeNull();
    expect(await s.getRingTimeByRemote(OTHER_ACCOUNT, REMOTE)).toBeNull();
  });

  it('setDirection / getDirection', async () => {
    const s = store();
    expect(await s.getDirection(ACCOUNT, 'c-1')).toBeNull();
    await s.setDirection(ACCOUNT, 'c-1', 'out');
    expect(await s.getDirection(ACCOUNT, 'c-1')).toBe('out');
    await s.setDirection(ACCOUNT, 'c-1', 'in');
    expect(await s.getDirection(ACCOUNT, 'c-1')).toBe('in');
    expect(await s.getDirection(OTHER_ACCOUNT, 'c-1')).toBeNull();
  });

  it('queueMissedCall keeps one entry per call id with its first due time and payload', async () => {
    const s = store();
    const entry: MissedCallEntry = { callId: 'c-1', remote: REMOTE, mac: DEV_A, dueAt: t0() + 5_000, payload: { local: '201', agents: ['me'] } };
    expect(await s.queueMissedCall(ACCOUNT, entry)).toBe(true);
    expect(await s.queueMissedCall(ACCOUNT, { ...entry, mac: DEV_B, dueAt: t0() + 9_000, payload: { second: true } })).toBe(false);
    expect(await s.getReadyMissedCalls(ACCOUNT, t0() + 4_999)).toEqual([]);
    expect(await s.getReadyMissedCalls(ACCOUNT, t0() + 5_000)).toEqual([entry]);
  });

  it('getReadyMissedCalls leases what it returns; an unacknowledged entry comes back after the lease, an acknowledged one never', async () => {
    const s = store();
    const due = t0() + 5_000;
    for (const callId of ['c-1', 'c-2', 'c-3']) await s.queueMissedCall(ACCOUNT, { callId, remote: REMOTE, mac: DEV_A, dueAt: due + Number(callId.slice(2)), payload: {} });
    await s.queueMissedCall(ACCOUNT, { callId: 'later', remote: REMOTE, mac: DEV_A, dueAt: due + 60_000, payload: {} });
    const taken = await s.getReadyMissedCalls(ACCOUNT, due + 10, 2);
    expect(taken.map((e) => e.callId)).toEqual(['c-1', 'c-2']);
    expect((await s.getReadyMissedCalls(ACCOUNT, due + 20)).map((e) => e.callId)).toEqual(['c-3']);
    expect(await s.getReadyMissedCalls(ACCOUNT, due + 30)).toEqual([]);
    await s.ackMissedCall(ACCOUNT, 'c-1');
    await s.ackMissedCall(ACCOUNT, 'c-3');
    const back = await s.getReadyMissedCalls(ACCOUNT, due + 10 + TTL_MS.missedLease);
    expect(back.map((e) => e.callId)).toEqual(['c-2']);
    expect(await s.queueMissedCall(ACCOUNT, { callId: 'c-1', remote: REMOTE, mac: DEV_A, dueAt: due, payload: {} })).toBe(true);
  });

  it('accountsWithMissedCalls lists accounts that have entries queued, until they are acknowledged', async () => {
    const s = store();
    expect(await s.accountsWithMissedCalls()).toEqual([]);
    await s.queueMissedCall(ACCOUNT, { callId: 'c-1', remote: REMOTE, mac: DEV_A, dueAt: t0(), payload: {} });
    await s.queueMissedCall(OTHER_ACCOUNT, { callId: 'c-1', remote: REMOTE, mac: DEV_A, dueAt: t0(), payload: {} });
    expect((await s.accountsWithMissedCalls()).sort()).toEqual([ACCOUNT, OTHER_ACCOUNT].sort());
    expect((await s.getReadyMissedCalls(OTHER_ACCOUNT, t0())).map((e) => e.callId)).toEqual(['c-1']);
    await s.ackMissedCall(OTHER_ACCOUNT, 'c-1');
    expect(await s.accountsWithMissedCalls()).toEqual([ACCOUNT]);
    expect((await s.getReadyMissedCalls(ACCOUNT, t0())).map((e) => e.callId)).toEqual(['c-1']);
  });

  it('session heartbeats live ttlMs from now; liveSessions leaves out expired and removed ones', async () => {
    const s = store();
    await s.setSessionHeartbeat(ACCOUNT, { agent: 'alice', socketId: 's-1', ttlMs: 90_000, now: t0() });
    await s.setSessionHeartbeat(ACCOUNT, { agent: 'bob', socketId: 's-2', ttlMs: 90_000, now: t0() + 30_000 });
    await s.setSessionHeartbeat(OTHER_ACCOUNT, { agent: 'carol', socketId: 's-3', ttlMs: 90_000, now: t0() });
    const sessions = await s.liveSessions(ACCOUNT, t0() + 1_000);
    expect(sessions.sort((x, y) => x.agent.localeCompare(y.agent))).toEqual([
      { agent: 'alice', socketId: 's-1', expiresAt: t0() + 90_000 },
      { agent: 'bob', socketId: 's-2', expiresAt: t0() + 120_000 },
    ]);
    expect((await s.liveSessions(ACCOUNT, t0() + 90_001)).map((x) => x.agent)).toEqual(['bob']);
    await s.setSessionHeartbeat(ACCOUNT, { agent: 'alice', socketId: 's-1', ttlMs: 90_000, now: t0() + 60_000 });
    expect((await s.liveSessions(ACCOUNT, t0() + 90_001)).map((x) => x.agent).sort()).toEqual(['alice', 'bob']);
    await s.removeSession(ACCOUNT, 's-2');
    expect((await s.liveSessions(ACCOUNT, t0() + 1_000)).map((x) => x.agent)).toEqual(['alice']);
    expect((await s.liveSessions(OTHER_ACCOUNT, t0() + 1_000)).map((x) => x.agent)).toEqual(['carol']);
  });

  it('presence records default to available without phone DND and keep the two flags apart', async () => {
    const s = store();
    expect(await s.presenceRecords(ACCOUNT)).toEqual([]);
    await s.setPhoneDnd(ACCOUNT, 'alice', true);
    await s.setManualStatus(ACCOUNT, 'bob', 'away');
    expect(sortByAgent(await s.presenceRecords(ACCOUNT))).toEqual([
      { agent: 'alice', manual: 'available', phoneDnd: true },
      { agent: 'bob', manual: 'away', phoneDnd: false },
    ]);
    await s.setManualStatus(ACCOUNT, 'alice', 'dnd');
    await s.setPhoneDnd(ACCOUNT, 'alice', false);
    expect(sortByAgent(await s.presenceRecords(ACCOUNT))[0]).toEqual({ agent: 'alice', manual: 'dnd', phoneDnd: false });
    expect(await s.presenceRecords(OTHER_ACCOUNT)).toEqual([]);
  });

  it('presenceInputs answers what liveSessions and presenceRecords answer, for the account alone', async () => {
    const s = store();
    expect(await s.presenceInputs(ACCOUNT, t0())).toEqual({ sessions: [], records: [] });
    await s.setSessionHeartbeat(ACCOUNT, { agent: 'bob', socketId: 's-2', ttlMs: 90_000, now: t0() });
    await s.setSessionHeartbeat(ACCOUNT, { agent: 'alice', socketId: 's-1', ttlMs: 30_000, now: t0() });
    await s.setSessionHeartbeat(OTHER_ACCOUNT, { agent: 'carol', socketId: 's-3', ttlMs: 90_000, now: t0() });
    await s.setManualStatus(ACCOUNT, 'bob', 'away');
    await s.setPhoneDnd(ACCOUNT, 'alice', true);
    await s.setManualStatus(OTHER_ACCOUNT, 'carol', 'dnd');
    const both = await s.presenceInputs(ACCOUNT, t0() + 1_000);
    expect(both).toEqual({ sessions: await s.liveSessions(ACCOUNT, t0() + 1_000), records: await s.presenceRecords(ACCOUNT) });
    expect(both.sessions.map((x) => x.socketId)).toEqual(['s-1', 's-2']);
    expect(both.records).toEqual([
      { agent: 'alice', manual: 'available', phoneDnd: true },
      { agent: 'bob', manual: 'away', phoneDnd: false },
    ]);
    // Alice's session has run out by then: left out, as liveSessions leaves it out.
    expect((await s.presenceInputs(ACCOUNT, t0() + 30_001)).sessions.map((x) => x.agent)).toEqual(['bob']);
  });
}

function sortByAgent<T extends { agent: string }>(records: T[]): T[] {
  return [...records].sort((a, b) => a.agent.localeCompare(b.agent));
}
