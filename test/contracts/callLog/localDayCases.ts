// Statistics per agent and local day of the seat's zone (RINGSIDE_TIMEZONE), not per UTC day:
// calls half an hour either side of a local midnight fall in two days; outgoing calls are counted
// apart from the incoming ones; the hourly figures are the zone's local hours.
import { beforeEach, describe, expect, it } from 'vitest';
import type { CallLog } from '../../../src/domain/calllog/CallLog';
import type { CallLogContext } from '../callLogContract';
import { callStart, ev, legStart, MAC_A, MAC_B } from '../../support/callLogFixtures';

// America/New_York in November 2026 is UTC−5: 23:30 local on the 22nd is 04:30Z on the 23rd.
const ZONE = 'America/New_York';
const NY_2330_22ND = Date.UTC(2026, 10, 23, 4, 30);
const NY_0030_23RD = Date.UTC(2026, 10, 23, 5, 30);

export function localDayCases(ctx: CallLogContext): void {
  const { h } = ctx;
  beforeEach(async () => {
    await ctx.reopen({ timeZone: ZONE });
  });

  async function incomingAnswered(id: string, startedAt: number, agent: string, mac: string, targets = [agent]): Promise<void> {
    const call = callStart({ id, startedAt, remote: `+1212555${id.slice(-4).padStart(4, '0')}` });
    await h().log.recordRinging(ev(), { call, leg: legStart(mac, agent, startedAt), targets });
    await h().log.recordAnswered(ev(), { callId: id, account: 'acme', mac, agent, at: startedAt + 3_000, owner: true });
    await h().log.finaliseCall(ev(), { callId: id, account: 'acme', status: 'answered', endedAt: startedAt + 63_000 });
  }

  async function incomingMissed(id: string, startedAt: number, targets: string[]): Promise<void> {
    const call = callStart({ id, startedAt, remote: `+1212555${id.slice(-4).padStart(4, '0')}` });
    await h().log.recordRinging(ev(), { call, leg: legStart(MAC_A, null, startedAt), targets });
    await h().log.recordMissedCall({ callId: id, account: 'acme', at: startedAt + 30_000 });
  }

  async function outgoing(id: string, startedAt: number, agent: string, answered: boolean): Promise<void> {
    const call = callStart({ id, startedAt, direction: 'out', agent, line: 'direct', helpline: null, remote: '+12125550100' });
    await h().log.recordRinging(ev(), { call, leg: legStart(MAC_A, agent, startedAt), targets: [] });
    if (answered) await h().log.recordAnswered(ev(), { callId: id, account: 'acme', mac: MAC_A, agent: null, at: startedAt + 5_000, owner: true });
    await h().log.finaliseCall(ev(), { callId: id, account: 'acme', status: answered ? 'answered' : 'no_answer', endedAt: startedAt + 45_000 });
  }

  const figures = (rows: Awaited<ReturnType<CallLog['stats']>>) =>
    rows.map((r) => [r.agent, { offered: r.offered, answered: r.answered, missed: r.missed, outgoing: r.outgoing, outgoingAnswered: r.outgoingAnswered }]);

  describe('statistics per local day', () => {
    it('calls at 23:30 and 00:30 local fall in two days: incoming, outgoing and missed each on their own day', async () => {
      // The 22nd (local): alice answers one, a ring group misses one, alice calls someone back (answered).
      await incomingAnswered('a-0001', NY_2330_22ND, 'alice', MAC_A);
      await incomingMissed('m-0002', NY_2330_22ND + 60_000, ['alice', 'bob']);
      await outgoing('o-0003', NY_2330_22ND + 120_000, 'alice', true);
      // The 23rd (local): bob answers one, alice calls out without an answer.
      await incomingAnswered('a-0004', NY_0030_23RD, 'bob', MAC_B);
      await outgoing('o-0005', NY_0030_23RD + 60_000, 'alice', false);

      expect(figures(await h().log.stats('acme', { fromDay: '2026-11-22', toDay: '2026-11-22' }))).toEqual([
        ['alice', { offered: 2, answered: 1, missed: 1, outgoing: 1, outgoingAnswered: 1 }],
        ['bob', { offered: 1, answered: 0, missed: 1, outgoing: 0, outgoingAnswered: 0 }],
      ]);
      expect(figures(await h().log.stats('acme', { fromDay: '2026-11-23', toDay: '2026-11-23' }))).toEqual([
        ['alice', { offered: 0, answered: 0, missed: 0, outgoing: 1, outgoingAnswered: 0 }],
        ['bob', { offered: 1, answered: 1, missed: 0, outgoing: 0, outgoingAnswered: 0 }],
      ]);
      // Both days, both ends included.
      expect(figures(await h().log.stats('acme', { fromDay: '2026-11-22', toDay: '2026-11-23', agent: 'alice' }))).toEqual([
        ['alice', { offered: 2, answered: 1, missed: 1, outgoing: 2, outgoingAnswered: 1 }],
      ]);
      // On the UTC day (the 23rd) all of them would have been one day; the day keys are local.
      const days = await h().query<{ day: string }>('SELECT DISTINCT day FROM cl_agent_daily_stats ORDER BY day');
      expect(days.map((r) => r.day)).toEqual(['2026-11-22', '2026-11-23']);
    });

    it('the hourly figures are the local hours of the day: the team, or one agent (answered by them, missed while ringing them)', async () => {
      await incomingAnswered('a-0001', NY_2330_22ND, 'alice', MAC_A);
      await incomingMissed('m-0002', NY_2330_22ND + 60_000, ['alice', 'bob']);
      await outgoing('o-0003', NY_2330_22ND + 120_000, 'alice', true);
      await incomingAnswered('a-0004', NY_0030_23RD, 'bob', MAC_B);

      const team22 = await h().log.hourlyStats('acme', { day: '2026-11-22' });
      expect(team22).toHaveLength(24);
      expect(team22.filter((b) => b.answered + b.missed > 0)).toEqual([{ hour: 23, answered: 1, missed: 1 }]);
      const team23 = await h().log.hourlyStats('acme', { day: '2026-11-23' });
      expect(team23.filter((b) => b.answered + b.missed > 0)).toEqual([{ hour: 0, answered: 1, missed: 0 }]);
      const bob22 = await h().log.hourlyStats('acme', { day: '2026-11-22', agent: 'bob' });
      expect(bob22.filter((b) => b.answered + b.missed > 0)).toEqual([{ hour: 23, answered: 0, missed: 1 }]);
      const bob23 = await h().log.hourlyStats('acme', { day: '2026-11-23', agent: 'bob' });
      expect(bob23.filter((b) => b.answered + b.missed > 0)).toEqual([{ hour: 0, answered: 1, missed: 0 }]);
    });

    it('a daylight-saving day has its own length: the calls of its last local hour are still on it', async () => {
      // 1 November 2026: New York falls back at 02:00 EDT to 01:00 EST, so the local day lasts 25 hours,
      // from 04:00Z on the 1st to 05:00Z on the 2nd. 23:45 local is 04:45Z on the 2nd.
      const lateOnTheFirst = Date.UTC(2026, 10, 2, 4, 45);
      await incomingAnswered('a-0001', lateOnTheFirst, 'alice', MAC_A);
      expect(figures(await h().log.stats('acme', { fromDay: '2026-11-01', toDay: '2026-11-01' }))).toEqual([
        ['alice', { offered: 1, answered: 1, missed: 0, outgoing: 0, outgoingAnswered: 0 }],
      ]);
      const hours = await h().log.hourlyStats('acme', { day: '2026-11-01' });
      expect(hours.filter((b) => b.answered > 0)).toEqual([{ hour: 23, answered: 1, missed: 0 }]);
    });
  });
}
