import { describe, expect, it } from 'vitest';
import type { CallLogContext } from '../callLogContract';
import { callStart, ev, legStart, MAC_A, MAC_B, T0 } from '../../support/callLogFixtures';

export function missedCases(ctx: CallLogContext): void {
  const { h } = ctx;

  async function ringingCall(id: string, remote = '+923001234567', startedAt = T0): Promise<void> {
    const call = callStart({ id, remote, startedAt });
    await h().log.recordRinging(ev(), { call, leg: legStart(MAC_A, 'alice', startedAt), targets: ['alice', 'bob'] });
    await h().log.recordRinging(ev(), { call, leg: legStart(MAC_B, 'bob', startedAt), targets: ['alice', 'bob'] });
  }

  describe('recordMissedCall', () => {
    it('writes exactly one record per call, however often it is reported, and counts it once', async () => {
      await ringingCall('call-1');
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await h().log.recordMissedCall({ callId: 'call-1', account: 'acme', at: T0 + 30_000 + i }));
      expect(results.map((r) => r.applied)).toEqual([true, false, false, false, false]);
      expect(await h().count('cl_missed')).toBe(1);
      expect(results[4]!.value).toEqual(results[0]!.value);
      expect(results[0]!.value).toMatchObject({ callId: 'call-1', status: 'open', owner: null, at: T0 + 30_000, remote: '+923001234567', targets: ['alice', 'bob'] });
      const call = await h().log.getCall('acme', 'call-1');
      expect(call).toMatchObject({ status: 'missed', endedAt: T0 + 30_000 });
      expect(call!.legs.every((l) => l.state === 'missed')).toBe(true);
      expect((await h().log.stats('acme', {})).map((s) => [s.agent, s.offered, s.missed])).toEqual([
        ['alice', 1, 1],
        ['bob', 1, 1],
      ]);
    });

    it('a call that had already ended keeps its end time and is recounted as missed', async () => {
      await ringingCall('call-1');
      await h().log.finaliseCall(ev(), { callId: 'call-1', account: 'acme', status: 'no_answer', endedAt: T0 + 20_000 });
      expect((await h().log.stats('acme', {})).map((s) => s.missed)).toEqual([0, 0]);
      await h().log.recordMissedCall({ callId: 'call-1', account: 'acme', at: T0 + 25_000 });
      expect(await h().log.getCall('acme', 'call-1')).toMatchObject({ status: 'missed', endedAt: T0 + 20_000 });
      expect((await h().log.stats('acme', {})).map((s) => [s.offered, s.missed])).toEqual([
        [1, 1],
        [1, 1],
      ]);
    });

    it('is refused for unknown, answered and outgoing calls', async () => {
      expect(await h().log.recordMissedCall({ callId: 'nope', account: 'acme', at: T0 })).toEqual({ applied: false, value: null });
      await ringingCall('answered');
      await h().log.recordAnswered(ev(), { callId: 'answered', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 1_000, owner: true });
      expect(await h().log.recordMissedCall({ callId: 'answered', account: 'acme', at: T0 + 5_000 })).toEqual({ applied: false, value: null });
      const out = callStart({ id: 'out', direction: 'out', agent: 'alice' });
      await h().log.recordRinging(ev(), { call: out, leg: legStart(MAC_A, 'alice', T0), targets: [] });
      expect(await h().log.recordMissedCall({ callId: 'out', account: 'acme', at: T0 + 5_000 })).toEqual({ applied: false, value: null });
      expect(await h().count('cl_missed')).toBe(0);
    });
  });

  describe('claimMissedCall', () => {
    it('the first agent wins; the others see who did; the winner claiming again still wins', async () => {
      await ringingCall('call-1');
      await h().log.recordMissedCall({ callId: 'call-1', account: 'acme', at: T0 + 30_000 });
      const other = await h().second();
      // Two processes (servers) at once: which one is first is theirs to race, but only one is.
      const claims = await Promise.all([
        h().log.claimMissedCall('acme', 'call-1', 'alice', T0 + 40_000),
        other.claimMissedCall('acme', 'call-1', 'bob', T0 + 40_000),
      ]);
      const winner = claims.find((c) => c!.won)!.missed.owner!;
      expect(claims.filter((c) => c!.won)).toHaveLength(1);
      for (const claim of claims) expect(claim).toMatchObject({ fresh: claim!.won, missed: { status: 'claimed', owner: winner, claimedAt: T0 + 40_000 } });
      expect((await h().log.claimMissedCall('acme', 'call-1', winner, T0 + 50_000))).toMatchObject({ won: true, fresh: false });
      expect((await h().log.claimMissedCall('acme', 'call-1', winner === 'alice' ? 'bob' : 'alice', T0 + 50_000))!.won).toBe(false);
      expect((await h().log.getMissed('acme', 'call-1'))!.claimedAt).toBe(T0 + 40_000);
      expect(await h().log.claimMissedCall('acme', 'nope', 'alice', T0)).toBeNull();
    });
  });

  describe('closeMissedCalls and listMissed', () => {
    it('closes the open and claimed missed calls of that number (any spelling), not others', async () => {
      await ringingCall('m1', '+923001234567', T0);
      await ringingCall('m2', '03001234567', T0 + 1_000);
      await ringingCall('m3', '+441234567890', T0 + 2_000);
      for (const id of ['m1', 'm2', 'm3']) await h().log.recordMissedCall({ callId: id, account: 'acme', at: T0 + 10_000 });
      await h().log.claimMissedCall('acme', 'm1', 'bob', T0 + 20_000);
      const closed = await h().log.closeMissedCalls('acme', '0092 300 1234567', 'alice', T0 + 60_000);
      expect(closed.map((m) => [m.callId, m.status, m.closedBy, m.closedAt, m.owner])).toEqual([
        ['m2', 'closed', 'alice', T0 + 60_000, null],
        ['m1', 'closed', 'alice', T0 + 60_000, 'bob'],
      ]);
      expect(await h().log.closeMissedCalls('acme', '+923001234567', 'alice', T0 + 70_000)).toEqual([]);
      expect((await h().log.getMissed('acme', 'm3'))!.status).toBe('open');
      expect(await h().log.claimMissedCall('acme', 'm1', 'carol', T0 + 80_000)).toMatchObject({ won: false, missed: { owner: 'bob', status: 'closed' } });
    });

    it('lists open ones first, then newest first; filters by status; limits', async () => {
      for (let i = 1; i <= 4; i++) {
        await ringingCall(`m${i}`, `+4412345678${i}0`, T0 + i * 1_000);
        await h().log.recordMissedCall({ callId: `m${i}`, account: 'acme', at: T0 + i * 1_000 + 500 });
      }
      await h().log.claimMissedCall('acme', 'm4', 'alice', T0 + 10_000);
      await h().log.closeMissedCalls('acme', '+441234567830', 'bob', T0 + 10_000);
      expect((await h().log.listMissed('acme', {})).map((m) => [m.callId, m.status])).toEqual([
        ['m2', 'open'],
        ['m1', 'open'],
        ['m4', 'claimed'],
        ['m3', 'closed'],
      ]);
      expect((await h().log.listMissed('acme', { status: 'open' })).map((m) => m.callId)).toEqual(['m2', 'm1']);
      expect((await h().log.listMissed('acme', { status: 'closed' })).map((m) => m.callId)).toEqual(['m3']);
      expect((await h().log.listMissed('acme', { limit: 1 })).map((m) => m.callId)).toEqual(['m2']);
      expect(await h().log.listMissed('other', {})).toEqual([]);
    });
  });
}
