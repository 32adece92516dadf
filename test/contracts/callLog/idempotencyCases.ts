import { describe, expect, it } from 'vitest';
import type { CallLogContext } from '../callLogContract';
import type { CallStart } from '../../../src/domain/calllog/CallLog';
import { callStart, ev, legStart, MAC_A, MAC_B, T0 } from '../../support/callLogFixtures';

export function idempotencyCases(ctx: CallLogContext): void {
  const { h } = ctx;

  const TABLES = ['cl_calls', 'cl_legs', 'cl_targets', 'cl_missed', 'cl_agent_daily_stats', 'cl_stat_contrib', 'cl_processed_events'];
  async function snapshot(): Promise<Record<string, unknown[]>> {
    return Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await h().tableRows(t)])));
  }

  describe('idempotency by event id', () => {
    it('a redelivered event changes nothing and returns the current view', async () => {
      const ring = 'ring-1';
      const first = await h().log.recordRinging(ring, { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: ['alice', 'bob'] });
      const answer = 'answer-1';
      await h().log.recordAnswered(answer, { callId: 'call-1', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 3_000, owner: true });
      const holdOn = 'hold-on';
      const holdOff = 'hold-off';
      await h().log.recordHold(holdOn, { callId: 'call-1', account: 'acme', mac: MAC_A, on: true, at: T0 + 10_000 });
      await h().log.recordHold(holdOff, { callId: 'call-1', account: 'acme', mac: MAC_A, on: false, at: T0 + 12_000 });
      const transfer = 'transfer-1';
      await h().log.recordTransfer(transfer, { callId: 'call-1', account: 'acme', mac: MAC_A, at: T0 + 20_000 });
      const hang = 'hang-1';
      await h().log.recordLegEnded(hang, { callId: 'call-1', account: 'acme', mac: MAC_A, agent: 'alice', outcome: 'hangup', at: T0 + 21_000 });
      const fin = 'fin-1';
      await h().log.finaliseCall(fin, { callId: 'call-1', account: 'acme', status: 'answered', endedAt: T0 + 21_000 });
      const before = await snapshot();
      const current = await h().log.getCall('acme', 'call-1');
      expect(first.applied).toBe(true);

      // every operation again, some with different (later) data: still nothing changes
      const again = [
        await h().log.recordRinging(ring, { call: callStart(), leg: legStart(MAC_B, 'bob', T0 + 1), targets: ['carol'] }),
        await h().log.recordAnswered(answer, { callId: 'call-1', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 9_000, owner: true }),
        await h().log.recordHold(holdOn, { callId: 'call-1', account: 'acme', mac: MAC_A, on: true, at: T0 + 10_000 }),
        await h().log.recordHold(holdOff, { callId: 'call-1', account: 'acme', mac: MAC_A, on: false, at: T0 + 15_000 }),
        await h().log.recordTransfer(transfer, { callId: 'call-1', account: 'acme', mac: MAC_A, at: T0 + 20_000 }),
        await h().log.recordLegEnded(hang, { callId: 'call-1', account: 'acme', mac: MAC_A, agent: 'alice', outcome: 'rejected', at: T0 + 21_000 }),
        await h().log.finaliseCall(fin, { callId: 'call-1', account: 'acme', status: 'missed', endedAt: T0 + 99_000 }),
      ];
      for (const result of again) {
        expect(result.applied).toBe(false);
        expect(result.value).toEqual(current);
      }
      expect(await snapshot()).toEqual(before);
      expect(await h().count('cl_processed_events')).toBe(7);
    });

    it('one event id may drive several different operations once each (a hangup ends the leg and finalises)', async () => {
      await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
      const hangup = 'hangup-1';
      const ended = await h().log.recordLegEnded(hangup, { callId: 'call-1', account: 'acme', mac: MAC_A, agent: 'alice', outcome: 'hangup', at: T0 + 5_000 });
      const finalised = await h().log.finaliseCall(hangup, { callId: 'call-1', account: 'acme', status: 'missed', endedAt: T0 + 5_000 });
      expect([ended.applied, finalised.applied]).toEqual([true, true]);
      expect(finalised.value!.status).toBe('missed');
      expect(await h().log.hasProcessed(hangup)).toBe(true);
      const again = await h().log.finaliseCall(hangup, { callId: 'call-1', account: 'acme', status: 'missed', endedAt: T0 + 5_000 });
      expect(again.applied).toBe(false);
    });

    it('markProcessed records an event without effects once', async () => {
      expect(await h().log.hasProcessed('dnd-1')).toBe(false);
      expect(await h().log.markProcessed('dnd-1')).toBe(true);
      expect(await h().log.markProcessed('dnd-1')).toBe(false);
      expect(await h().log.hasProcessed('dnd-1')).toBe(true);
    });

    it('markAllProcessed records many events in one write, keeps those already marked, and takes none at all', async () => {
      expect(await h().log.markProcessed('many-2')).toBe(true);
      await h().log.markAllProcessed(['many-1', 'many-2', 'many-3']);
      await h().log.markAllProcessed([]);
      for (const id of ['many-1', 'many-2', 'many-3']) expect(await h().log.hasProcessed(id)).toBe(true);
      expect(await h().log.hasProcessed('many-4')).toBe(false);
      expect(await h().log.markProcessed('many-3')).toBe(false);
      // Marked twice is still one marker: pruning counts rows.
      expect(await h().log.pruneHandledMarkers(Number.MAX_SAFE_INTEGER)).toBe(3);
    });

    it('the marker commits with the effects: a failing mutation leaves neither', async () => {
      const bad = { ...callStart(), direction: 'sideways' } as unknown as CallStart;
      await expect(h().log.recordRinging('bad-1', { call: bad, leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] })).rejects.toThrow();
      expect(await h().log.hasProcessed('bad-1')).toBe(false);
      expect(await h().count('cl_calls') + await h().count('cl_legs') + await h().count('cl_targets')).toBe(0);
      const retried = await h().log.recordRinging('bad-1', { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
      expect(retried.applied).toBe(true);
    });

    it('two servers (connections) applying the same event: exactly one applies it', async () => {
      const other = { log: await h().second() };
      const input = { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] };
      const results = await Promise.all([h().log.recordRinging('dup-1', input), other.log.recordRinging('dup-1', input)]);
      expect(results.map((r) => r.applied).sort()).toEqual([false, true]);
      expect(await h().count('cl_legs')).toBe(1);
      expect(await h().count('cl_processed_events')).toBe(1);
    });
  });
}
