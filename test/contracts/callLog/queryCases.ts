import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { CallLogError } from '../../../src/domain/calllog/errors';
import type { CallView } from '../../../src/domain/calllog/CallLog';
import { HANDLED_EVENT_WINDOW_MS } from '../../../src/domain/bus/HandledEventLedger';
import { callStart, DAY, ev, legStart, MAC_A, MAC_B, T0 } from '../../support/callLogFixtures';
import type { CallLogContext, CallLogHarness } from '../callLogContract';

export function queryCases(ctx: CallLogContext): void {
  const { h } = ctx;

  async function answeredCall(id: string, opts: { remote: string; remoteName?: string; startedAt: number; agent: string; mac: string; direction?: 'in' | 'out'; account?: string }): Promise<void> {
    const account = opts.account ?? 'acme';
    const call = callStart({ id, account, remote: opts.remote, remoteName: opts.remoteName ?? '', startedAt: opts.startedAt, direction: opts.direction ?? 'in', agent: opts.direction === 'out' ? opts.agent : null });
    await h().log.recordRinging(ev(), { call, leg: legStart(opts.mac, opts.agent, opts.startedAt), targets: [opts.agent] });
    await h().log.recordAnswered(ev(), { callId: id, account, mac: opts.mac, agent: opts.agent, at: opts.startedAt + 2_000, owner: true });
    await h().log.finaliseCall(ev(), { callId: id, account, status: 'answered', endedAt: opts.startedAt + 12_000 });
  }

  async function missedCall(id: string, opts: { remote: string; startedAt: number; targets: string[]; account?: string }): Promise<void> {
    const account = opts.account ?? 'acme';
    const call = callStart({ id, account, remote: opts.remote, startedAt: opts.startedAt });
    await h().log.recordRinging(ev(), { call, leg: legStart(MAC_A, null, opts.startedAt), targets: opts.targets });
    await h().log.recordMissedCall({ callId: id, account, at: opts.startedAt + 30_000 });
  }

  const ids = (page: { items: CallView[] }): string[] => page.items.map((c) => c.id);

  describe('listCalls', () => {
    beforeEach(async () => {
      await answeredCall('c1', { remote: '+923001234567', remoteName: 'Zara Khan', startedAt: T0, agent: 'alice', mac: MAC_A });
      await missedCall('c2', { remote: '03001234567', startedAt: T0 + 60_000, targets: ['alice', 'bob'] });
      await answeredCall('c3', { remote: '+441234567890', startedAt: T0 + 120_000, agent: 'bob', mac: MAC_B, direction: 'out' });
      // c4: rang alice, answered by bob (alice only has a leg)
      const c4 = callStart({ id: 'c4', remote: '+15550001111', startedAt: T0 + 180_000 });
      await h().log.recordRinging(ev(), { call: c4, leg: legStart(MAC_A, 'alice', T0 + 180_000), targets: ['alice', 'bob'] });
      await h().log.recordRinging(ev(), { call: c4, leg: legStart(MAC_B, 'bob', T0 + 180_000), targets: ['alice', 'bob'] });
      await h().log.recordAnswered(ev(), { callId: 'c4', account: 'acme', mac: MAC_B, agent: 'bob', at: T0 + 185_000, owner: true });
    });

    it('lists newest first with legs, and filters by each field', async () => {
      const all = await h().log.listCalls('acme', {});
      expect(ids(all)).toEqual(['c4', 'c3', 'c2', 'c1']);
      expect(all.next).toBeNull();
      expect(all.items[0]!.legs).toHaveLength(2);
      expect(ids(await h().log.listCalls('acme', { remote: '+923001234567' }))).toEqual(['c1']);
      expect(ids(await h().log.listCalls('acme', { remote: '0300 123 4567' }))).toEqual(['c2']);
      expect(ids(await h().log.listCalls('acme', { agent: 'alice' }))).toEqual(['c4', 'c1']);
      expect(ids(await h().log.listCalls('acme', { agent: 'bob' }))).toEqual(['c4', 'c3']);
      expect(ids(await h().log.listCalls('acme', { status: 'missed' }))).toEqual(['c2']);
      expect(ids(await h().log.listCalls('acme', { status: 'in_progress' }))).toEqual(['c4']);
      expect(ids(await h().log.listCalls('acme', { direction: 'out' }))).toEqual(['c3']);
      expect(ids(await h().log.listCalls('acme', { from: T0 + 60_000, to: T0 + 180_000 }))).toEqual(['c3', 'c2']);
      expect(ids(await h().log.listCalls('acme', { q: 'zara' }))).toEqual(['c1']);
      expect(ids(await h().log.listCalls('acme', { q: '4412345' }))).toEqual(['c3']);
      expect(ids(await h().log.listCalls('acme', { q: '+1 555' }))).toEqual(['c4']);
      expect(ids(await h().log.listCalls('acme', { q: '%' }))).toEqual([]);
      expect(ids(await h().log.listCalls('acme', { agent: 'bob', direction: 'in' }))).toEqual(['c4']);
    });

    it('pages with an opaque cursor; limit defaults to 50 and is capped at 200', async () => {
      const first = await h().log.listCalls('acme', { limit: 3 });
      expect(ids(first)).toEqual(['c4', 'c3', 'c2']);
      const second = await h().log.listCalls('acme', { limit: 3, cursor: first.next! });
      expect(ids(second)).toEqual(['c1']);
      expect(second.next).toBeNull();
      await expect(h().log.listCalls('acme', { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(CallLogError);
      for (let i = 0; i < 250; i++) {
        await h().log.recordRinging(ev(), { call: callStart({ id: `bulk-${i}`, startedAt: T0 - DAY + i }), leg: legStart(MAC_A, null, T0 - DAY + i), targets: [] });
      }
      expect((await h().log.listCalls('acme', {})).items).toHaveLength(50);
      expect((await h().log.listCalls('acme', { limit: 1_000 })).items).toHaveLength(200);
    });

    it('finds calls by the name of a matching contact through contactSearch, and fills contact', async () => {
      const contacts = [{ number: '+923001234567', tail: '001234567', name: 'Acme Traders', company: null, notes: null, crmUrl: null }];
      await ctx.reopen({
        contactLookup: (account, number) => (account === 'acme' && number.endsWith('1234567') ? contacts[0]! : null),
        contactSearch: (account, q) => (account === 'acme' && 'acme traders'.includes(q.toLowerCase()) ? contacts : []),
      });
      await missedCall('m1', { remote: '03001234567', startedAt: T0, targets: ['alice'] });
      await missedCall('m2', { remote: '+15550001111', startedAt: T0 + 1, targets: ['alice'] });
      const page = await h().log.listCalls('acme', { q: 'traders' });
      expect(ids(page)).toEqual(['m1']);
      expect(page.items[0]!.contact).toMatchObject({ name: 'Acme Traders' });
      expect((await h().log.getCall('acme', 'm2'))!.contact).toBeNull();
    });
  });

  describe('cursor paging (property)', () => {
    it('visits every matching call exactly once, in order, for random calls and page sizes', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ at: fc.integer({ min: 0, max: 20 }), agent: fc.constantFrom('alice', 'bob') }), { minLength: 0, maxLength: 40 }),
          fc.integer({ min: 1, max: 7 }),
          fc.option(fc.constantFrom('alice', 'bob'), { nil: undefined }),
          async (calls, limit, agent) => {
            const run = await ctx.fresh();
            try {
              for (const [i, c] of calls.entries()) {
                const id = `p${String(i).padStart(3, '0')}`;
                // many calls share a start time: the id breaks the tie
                await run.log.recordRinging(`${id}-ring`, { call: callStart({ id, startedAt: T0 + c.at * 1_000 }), leg: legStart(MAC_A, c.agent, T0 + c.at * 1_000), targets: [c.agent] });
              }
              const seen: CallView[] = [];
              let cursor: string | undefined;
              for (let pages = 0; pages <= calls.length + 1; pages++) {
                const page = await run.log.listCalls('acme', { limit, cursor, agent });
                seen.push(...page.items);
                if (!page.next) break;
                cursor = page.next;
              }
              const expected = calls
                .map((c, i) => ({ id: `p${String(i).padStart(3, '0')}`, at: T0 + c.at * 1_000, agent: c.agent }))
                .filter((c) => agent === undefined || c.agent === agent)
                .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
                .map((c) => c.id);
              expect(seen.map((c) => c.id)).toEqual(expected);
            } finally {
              await run.cleanup();
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  const NO_OUTGOING = { outgoing: 0, outgoingAnswered: 0, outgoingTalkMsTotal: 0 };

  describe('stats', () => {
    it('aggregates the days from `fromDay` to `toDay` (both included), per agent, with averages', async () => {
      await answeredCall('d1a', { remote: '+923001234501', startedAt: T0, agent: 'alice', mac: MAC_A });
      // alice again the same day: ring 2 000 + 5 000 over two calls, talk 10 000 + 25 000
      const call = callStart({ id: 'd1b', remote: '+923001234502', startedAt: T0 + 3_600_000 });
      await h().log.recordRinging(ev(), { call, leg: legStart(MAC_A, 'alice', T0 + 3_600_000), targets: ['alice', 'bob'] });
      await h().log.recordAnswered(ev(), { callId: 'd1b', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 3_605_000, owner: true });
      await h().log.finaliseCall(ev(), { callId: 'd1b', account: 'acme', status: 'answered', endedAt: T0 + 3_630_000 });
      await missedCall('d2', { remote: '+923001234503', startedAt: T0 + DAY, targets: ['alice', 'bob'] });
      await answeredCall('d3', { remote: '+923001234504', startedAt: T0 + 2 * DAY, agent: 'bob', mac: MAC_B });

      expect(await h().log.stats('acme', {})).toEqual([
        { agent: 'alice', offered: 3, answered: 2, missed: 1, avgRingMs: 3_500, avgTalkMs: 17_500, ringMsTotal: 7_000, ringCount: 2, talkMsTotal: 35_000, talkCount: 2, ...NO_OUTGOING },
        { agent: 'bob', offered: 3, answered: 1, missed: 1, avgRingMs: 2_000, avgTalkMs: 10_000, ringMsTotal: 2_000, ringCount: 1, talkMsTotal: 10_000, talkCount: 1, ...NO_OUTGOING },
      ]);
      expect(await h().log.stats('acme', { fromDay: '2024-03-10', toDay: '2024-03-10' })).toEqual([
        { agent: 'alice', offered: 2, answered: 2, missed: 0, avgRingMs: 3_500, avgTalkMs: 17_500, ringMsTotal: 7_000, ringCount: 2, talkMsTotal: 35_000, talkCount: 2, ...NO_OUTGOING },
        { agent: 'bob', offered: 1, answered: 0, missed: 0, avgRingMs: null, avgTalkMs: null, ringMsTotal: 0, ringCount: 0, talkMsTotal: 0, talkCount: 0, ...NO_OUTGOING },
      ]);
      expect(await h().log.stats('acme', { fromDay: '2024-03-11', agent: 'bob' })).toEqual([
        { agent: 'bob', offered: 2, answered: 1, missed: 1, avgRingMs: 2_000, avgTalkMs: 10_000, ringMsTotal: 2_000, ringCount: 1, talkMsTotal: 10_000, talkCount: 1, ...NO_OUTGOING },
      ]);
      expect(await h().log.stats('other', {})).toEqual([]);
    });
  });

  describe('prune', () => {
    it('deletes old calls with their rows, keeps the daily statistics (and the handled markers: they have their own window)', async () => {
      await missedCall('old', { remote: '+923001234567', startedAt: T0 - 40 * DAY, targets: ['alice'] });
      await h().log.markProcessed('old-event');
      await answeredCall('new', { remote: '+923001234568', startedAt: T0, agent: 'alice', mac: MAC_A });
      const statsBefore = await h().log.stats('acme', {});
      expect(await h().log.prune(T0 - 30 * DAY)).toBe(1);
      expect(await h().log.getCall('acme', 'old')).toBeNull();
      expect(await h().log.getMissed('acme', 'old')).toBeNull();
      expect(await h().log.targetsOf('acme', 'old')).toEqual([]);
      expect(await h().log.hasProcessed('old-event')).toBe(true);
      expect(await h().query(`SELECT call_id FROM cl_legs WHERE call_id = 'old'`)).toEqual([]);
      expect(await h().query(`SELECT call_id FROM cl_stat_contrib WHERE call_id = 'old'`)).toEqual([]);
      expect(await h().log.getCall('acme', 'new')).not.toBeNull();
      expect(await h().log.stats('acme', {})).toEqual(statsBefore);
      expect(await h().log.prune(T0 - 30 * DAY)).toBe(0);
    });
    it('a redelivered ringing event whose call was pruned still reports not applied, describing the call from the event', async () => {
      const cut = T0;
      const call = callStart({ id: 'edge', startedAt: cut - 1 });
      await h().log.recordRinging('edge-ring', { call, leg: legStart(MAC_A, 'alice', cut + 1), targets: ['alice'] });
      expect(await h().log.prune(cut)).toBe(1);
      expect(await h().log.hasProcessed('edge-ring')).toBe(true);
      const again = await h().log.recordRinging('edge-ring', { call, leg: legStart(MAC_A, 'alice', cut + 1), targets: ['alice'] });
      expect(again).toMatchObject({ applied: false, value: { id: 'edge', status: 'ringing', legs: [], startedAt: cut - 1 } });
      expect(await h().count('cl_calls')).toBe(0);
    });
  });

  describe('tenants', () => {
    it('account A never sees account B: calls, missed calls, targets, stats, agents on call', async () => {
      await answeredCall('shared-id', { remote: '+923001234567', startedAt: T0, agent: 'alice', mac: MAC_A, account: 'a' });
      await missedCall('b-missed', { remote: '+923001234567', startedAt: T0, targets: ['mallory'], account: 'b' });
      const b = callStart({ id: 'shared-id', account: 'b', remote: '+15550001111', startedAt: T0 + 1 });
      await h().log.recordRinging(ev(), { call: b, leg: legStart(MAC_B, 'mallory', T0 + 1), targets: ['mallory'] });
      await h().log.recordAnswered(ev(), { callId: 'shared-id', account: 'b', mac: MAC_B, agent: 'mallory', at: T0 + 2, owner: true });

      expect((await h().log.getCall('a', 'shared-id'))!.remote).toBe('+923001234567');
      expect((await h().log.getCall('b', 'shared-id'))!.remote).toBe('+15550001111');
      expect(ids(await h().log.listCalls('a', {}))).toEqual(['shared-id']);
      expect(await h().log.getMissed('a', 'b-missed')).toBeNull();
      expect(await h().log.listMissed('a', {})).toEqual([]);
      expect(await h().log.claimMissedCall('a', 'b-missed', 'alice', T0)).toBeNull();
      expect(await h().log.closeMissedCalls('a', '+923001234567', 'alice', T0)).toEqual([]);
      expect((await h().log.getMissed('b', 'b-missed'))!.status).toBe('open');
      expect(await h().log.targetsOf('a', 'b-missed')).toEqual([]);
      expect((await h().log.stats('a', {})).map((s) => s.agent)).toEqual(['alice']);
      expect(await h().log.agentsOnCall('a')).toEqual([]);
      expect(await h().log.agentsOnCall('b')).toEqual(['mallory']);
      expect(await h().log.recordAnswered(ev(), { callId: 'b-missed', account: 'a', mac: MAC_A, agent: 'alice', at: T0, owner: true })).toEqual({ applied: false, value: null });
    });
  });

  describe('pruneHandledMarkers', () => {
    /** A call log whose markers are stamped by a clock the test moves: the test's harness, made again (the contract cleans it up). */
    async function clocked(): Promise<{ m: CallLogHarness; at: (ms: number) => void }> {
      let now = T0;
      return { m: await ctx.reopen({ clock: () => now }), at: (ms) => void (now = ms) };
    }

    it('deletes the markers written before the redelivery window; an event redelivered within it is still recognised and not applied again', async () => {
      const { m, at } = await clocked();
      const call = callStart({ id: 'c-window' });
      await m.log.recordRinging('ring-old', { call, leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
      await m.log.markProcessed('ring-old:handled');
      at(T0 + HANDLED_EVENT_WINDOW_MS - DAY);
      await m.log.recordAnswered('answer-recent', { callId: 'c-window', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 5_000, owner: true });
      const now = T0 + HANDLED_EVENT_WINDOW_MS + DAY;
      at(now);

      expect(await m.log.pruneHandledMarkers(now - HANDLED_EVENT_WINDOW_MS)).toBe(2);
      expect(await m.log.hasProcessed('ring-old')).toBe(false);
      expect(await m.log.hasProcessed('ring-old:handled')).toBe(false);
      // Handled six days ago (two days before "now" minus the window): its redelivery changes nothing.
      expect(await m.log.hasProcessed('answer-recent')).toBe(true);
      const again = await m.log.recordAnswered('answer-recent', { callId: 'c-window', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 5_000, owner: true });
      expect(again.applied).toBe(false);
      expect(await m.count('cl_processed_events')).toBe(1);
      // The call itself is the retention's (365 days), not the markers' window.
      expect(await m.log.getCall('acme', 'c-window')).not.toBeNull();
    });

    it("counts the window from when the event was handled, not from the event's own time (an event handled days late)", async () => {
      const { m, at } = await clocked();
      at(T0 + 10 * DAY);
      // An event of T0 (spooled while RabbitMQ was away) handled ten days later.
      await m.log.recordRinging('late-ring', { call: callStart({ id: 'c-late', startedAt: T0 }), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
      expect(await m.log.pruneHandledMarkers(T0 + 10 * DAY - HANDLED_EVENT_WINDOW_MS)).toBe(0);
      expect(await m.log.hasProcessed('late-ring')).toBe(true);
    });
  });
}
