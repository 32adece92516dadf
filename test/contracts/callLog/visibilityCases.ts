// Who sees which calls (CallAudience; docs/agent-api.md, Who sees what): the call log's queries
// with an agent's audience give exactly the calls and missed calls the rule says, page by page.
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CallAudience, CallQuery, CallView } from '../../../src/domain/calllog/CallLog';
import { isMissedCallFor } from '../../../src/protocol/rules';
import type { CallLogContext } from '../callLogContract';
import { callStart, ev, legStart, MAC_A, MAC_B, T0 } from '../../support/callLogFixtures';

const ALICE: CallAudience = { agent: 'alice', helplines: ['600'] };
const BOB: CallAudience = { agent: 'bob', helplines: [] };
const CAROL: CallAudience = { agent: 'carol', helplines: ['600', '700'] };
const DAVE: CallAudience = { agent: 'dave', helplines: [] };

/** The rule, from what the call log stores: owner, legs, popup targets, helpline. */
function sees(call: CallView, targets: readonly string[], audience: CallAudience): boolean {
  const { agent, helplines } = audience;
  if (call.agent === agent || call.legs.some((l) => l.agent === agent) || targets.includes(agent)) return true;
  if (call.line === 'helpline') return call.helpline !== null && helplines.includes(call.helpline);
  return targets.length === 0 && call.agent === null;
}

function matches(call: CallView, query: CallQuery): boolean {
  if (query.status !== undefined && call.status !== query.status) return false;
  if (query.direction !== undefined && call.direction !== query.direction) return false;
  if (query.agent !== undefined && call.agent !== query.agent && !call.legs.some((l) => l.agent === query.agent)) return false;
  return true;
}

export function visibilityCases(ctx: CallLogContext): void {
  const { h } = ctx;

  describe('an agent reads their own calls, their helplines\' and those that rang nobody in particular', () => {
    beforeEach(async () => {
      // d1: alice's direct call, answered by her.
      await h().log.recordRinging(ev(), { call: callStart({ id: 'd1', line: 'direct', helpline: null, startedAt: T0 }), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
      await h().log.recordAnswered(ev(), { callId: 'd1', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 1_000, owner: true });
      // d2: bob's direct call, missed.
      await h().log.recordRinging(ev(), { call: callStart({ id: 'd2', line: 'direct', helpline: null, remote: '+923009990002', startedAt: T0 + 1_000 }), leg: legStart(MAC_B, 'bob', T0 + 1_000), targets: ['bob'] });
      await h().log.recordMissedCall({ callId: 'd2', account: 'acme', at: T0 + 40_000 });
      // h6: a call of helpline 600 offered to bob only (alice was busy), missed.
      await h().log.recordRinging(ev(), { call: callStart({ id: 'h6', helpline: '600', startedAt: T0 + 2_000 }), leg: legStart(MAC_B, 'bob', T0 + 2_000), targets: ['bob'] });
      await h().log.recordMissedCall({ callId: 'h6', account: 'acme', at: T0 + 40_000 });
      // h7: a call of helpline 700, offered to bob, missed.
      await h().log.recordRinging(ev(), { call: callStart({ id: 'h7', helpline: '700', local: '700', startedAt: T0 + 3_000 }), leg: legStart(MAC_B, 'bob', T0 + 3_000), targets: ['bob'] });
      await h().log.recordMissedCall({ callId: 'h7', account: 'acme', at: T0 + 40_000 });
      // n1: a direct call on a phone bound to nobody, offered to nobody, missed.
      await h().log.recordRinging(ev(), { call: callStart({ id: 'n1', line: 'direct', helpline: null, startedAt: T0 + 4_000 }), leg: legStart('000B82000009', null, T0 + 4_000), targets: [] });
      await h().log.recordMissedCall({ callId: 'n1', account: 'acme', at: T0 + 40_000 });
      // o1: bob's outgoing call.
      await h().log.recordRinging(ev(), { call: callStart({ id: 'o1', direction: 'out', line: 'direct', helpline: null, agent: 'bob', startedAt: T0 + 5_000 }), leg: legStart(MAC_B, 'bob', T0 + 5_000), targets: ['bob'] });
    });

    const ids = async (query: CallQuery) => (await h().log.listCalls('acme', query)).items.map((c) => c.id);

    it('lists, searches and pages only those', async () => {
      expect(await ids({})).toEqual(['o1', 'n1', 'h7', 'h6', 'd2', 'd1']);
      expect(await ids({ audience: ALICE })).toEqual(['n1', 'h6', 'd1']);
      expect(await ids({ audience: BOB })).toEqual(['o1', 'n1', 'h7', 'h6', 'd2']);
      expect(await ids({ audience: CAROL })).toEqual(['n1', 'h7', 'h6']);
      expect(await ids({ audience: DAVE })).toEqual(['n1']);
      // Searching for bob's caller finds nothing for alice; filters narrow within what she sees.
      expect(await ids({ audience: ALICE, remote: '+923009990002' })).toEqual([]);
      expect(await ids({ audience: ALICE, q: '9990002' })).toEqual([]);
      expect(await ids({ audience: BOB, remote: '+923009990002' })).toEqual(['d2']);
      expect(await ids({ audience: ALICE, agent: 'bob' })).toEqual(['h6']);
      expect(await ids({ audience: ALICE, status: 'missed' })).toEqual(['n1', 'h6']);
      const first = await h().log.listCalls('acme', { audience: ALICE, limit: 2 });
      expect(first.items.map((c) => c.id)).toEqual(['n1', 'h6']);
      expect((await h().log.listCalls('acme', { audience: ALICE, limit: 2, cursor: first.next! })).items.map((c) => c.id)).toEqual(['d1']);
    });

    it('reads one call only when it is theirs', async () => {
      expect((await h().log.getCall('acme', 'd1', ALICE))?.id).toBe('d1');
      expect(await h().log.getCall('acme', 'd2', ALICE)).toBeNull();
      expect(await h().log.getCall('acme', 'h7', ALICE)).toBeNull();
      expect((await h().log.getCall('acme', 'h7', CAROL))?.id).toBe('h7');
      expect(await h().log.getCall('acme', 'nope', ALICE)).toBeNull();
      expect(await h().log.getCall('other', 'd1', ALICE)).toBeNull();
      expect((await h().log.getCall('acme', 'd2'))?.id).toBe('d2');
    });

    it('lists the missed calls they deal with', async () => {
      const missed = async (audience: CallAudience) => (await h().log.listMissed('acme', { audience })).map((m) => m.callId).sort();
      expect(await missed(ALICE)).toEqual(['h6', 'n1']);
      expect(await missed(BOB)).toEqual(['d2', 'h6', 'h7', 'n1']);
      expect(await missed(CAROL)).toEqual(['h6', 'h7', 'n1']);
      expect(await missed(DAVE)).toEqual(['n1']);
      expect((await h().log.listMissed('acme', { audience: ALICE, status: 'claimed' }))).toEqual([]);
    });
  });

  describe('the rule, for random calls, filters and page sizes (property)', () => {
    it('the pages an agent reads are exactly the calls the rule gives them; the missed list is isMissedCallFor with their helplines', async () => {
      const agentOrNone = fc.constantFrom<string | null>('alice', 'bob', 'carol', null);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({
            at: fc.integer({ min: 0, max: 8 }),
            direction: fc.constantFrom<'in' | 'out'>('in', 'in', 'out'),
            helpline: fc.constantFrom<string | null>(null, '600', '700'),
            legs: fc.array(agentOrNone, { minLength: 1, maxLength: 2 }),
            targets: fc.subarray(['alice', 'bob', 'carol']),
            answeredBy: fc.option(fc.integer({ min: 0, max: 1 }), { nil: null }),
            missed: fc.boolean(),
          }), { maxLength: 25 }),
          fc.constantFrom(ALICE, BOB, CAROL, DAVE),
          fc.constantFrom<CallQuery>({}, { status: 'missed' }, { direction: 'in' }, { agent: 'bob' }),
          fc.integer({ min: 1, max: 4 }),
          async (calls, audience, filter, limit) => {
            const run = await ctx.fresh();
            try {
              for (const [i, c] of calls.entries()) {
                const id = `c${String(i).padStart(2, '0')}`;
                const at = T0 + c.at * 1_000;
                const line = c.direction === 'in' && c.helpline !== null ? 'helpline' : 'direct';
                const call = callStart({ id, direction: c.direction, line, helpline: line === 'helpline' ? c.helpline : null, startedAt: at, agent: c.direction === 'out' ? c.legs[0]! : null });
                for (const [n, agent] of c.legs.entries()) {
                  // The targets come with the last leg: the call is offered to someone only then.
                  await run.log.recordRinging(ev(), { call, leg: legStart(`000B8200010${n}`, agent, at), targets: n === c.legs.length - 1 ? c.targets : [] });
                }
                const answering = c.answeredBy !== null ? c.legs[c.answeredBy] : undefined;
                if (answering !== undefined) {
                  await run.log.recordAnswered(ev(), { callId: id, account: 'acme', mac: `000B8200010${c.answeredBy}`, agent: answering, at: at + 500, owner: true });
                } else if (c.missed && c.direction === 'in') {
                  await run.log.recordMissedCall({ callId: id, account: 'acme', at: at + 30_000 });
                }
              }
              const all = (await run.log.listCalls('acme', { limit: 200 })).items;
              const visible = new Set<string>();
              for (const call of all) if (sees(call, await run.log.targetsOf('acme', call.id), audience)) visible.add(call.id);
              const expected = all.filter((call) => visible.has(call.id) && matches(call, filter)).map((call) => call.id);
              const seen: string[] = [];
              let cursor: string | undefined;
              for (let pages = 0; pages <= all.length + 1; pages++) {
                const page = await run.log.listCalls('acme', { ...filter, audience, limit, ...(cursor ? { cursor } : {}) });
                seen.push(...page.items.map((c) => c.id));
                if (!page.next) break;
                cursor = page.next;
              }
              expect(seen).toEqual(expected);
              for (const call of all) expect((await run.log.getCall('acme', call.id, audience)) !== null, call.id).toBe(visible.has(call.id));

              const missed = await run.log.listMissed('acme', { limit: 500 });
              const mine = (await run.log.listMissed('acme', { limit: 500, audience })).map((m) => m.callId);
              expect(mine).toEqual(missed.filter((m) => isMissedCallFor(m, audience.agent, audience.helplines)).map((m) => m.callId));
              // Every missed call an agent deals with is one of their calls.
              for (const id of mine) expect(await run.log.getCall('acme', id, audience), id).not.toBeNull();
            } finally {
              await run.cleanup();
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  });
}
