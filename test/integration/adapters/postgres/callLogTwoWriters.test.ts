// Two servers writing one call log at once (issue 14: statistics exact under concurrent servers,
// first agent wins across servers). Each server is a PostgresCallLog on a pool of its own; the
// calls are played concurrently, every finalisation by both servers at once, and a transfer
// continuation finalised again. The figures expected are computed here from the scenario, not by
// the call log's own arithmetic.
import { ulid } from 'ulid';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresCallLog } from '../../../../src/adapters/postgres/calllog/PostgresCallLog';
import type { AgentStats, CallLog } from '../../../../src/domain/calllog/CallLog';
import { callStart, legStart, T0 } from '../../../support/callLogFixtures';
import { testDatabasePerFile, TestPools } from '../../../support/postgresPools';
import { eventually } from '../../../support/wait';

const database = testDatabasePerFile('calllog_writers');
let pools: TestPools | null = null;
afterEach(async () => {
  await pools?.end();
  pools = null;
});

async function twoServers(): Promise<[CallLog, CallLog]> {
  pools ??= new TestPools((await database()).url);
  const [a, b] = [pools.open(), pools.open()];
  // Both start together, as two servers would (the migration lock lets one migrate).
  return Promise.all([PostgresCallLog.open(a), PostgresCallLog.open(b)]);
}

const AGENTS = ['alice', 'bob', 'carol', 'dave'];
const macOf = (agent: string) => `000B8200${String(AGENTS.indexOf(agent) + 1).padStart(4, '0')}`;

type Kind = 'answered' | 'missed' | 'transferred';
interface Scenario { id: string; kind: Kind; targets: string[]; answerer: string; transferee: string; startedAt: number }

function scenarios(count: number): Scenario[] {
  return Array.from({ length: count }, (_, i) => {
    const targets = [AGENTS[i % 4]!, AGENTS[(i + 1) % 4]!];
    return { id: `call-${i}`, kind: (['answered', 'missed', 'transferred'] as const)[i % 3]!, targets, answerer: targets[i % 2]!, transferee: AGENTS[(i + 2) % 4]!, startedAt: T0 + i * 100 };
  });
}

/** What each agent's figures must be: answered calls ring 2 s and talk 10 s; a transfer splits at 7 s, the transferee rings 1 s and talks 10 s. */
function expectedFigures(calls: Scenario[]): Map<string, Pick<AgentStats, 'offered' | 'answered' | 'missed' | 'ringMsTotal' | 'ringCount' | 'talkMsTotal' | 'talkCount'>> {
  const figures = new Map(AGENTS.map((agent) => [agent, { offered: 0, answered: 0, missed: 0, ringMsTotal: 0, ringCount: 0, talkMsTotal: 0, talkCount: 0 }]));
  const answer = (agent: string, ringMs: number, talkMs: number) => {
    const f = figures.get(agent)!;
    Object.assign(f, { answered: f.answered + 1, ringMsTotal: f.ringMsTotal + ringMs, ringCount: f.ringCount + 1, talkMsTotal: f.talkMsTotal + talkMs, talkCount: f.talkCount + 1 });
  };
  for (const call of calls) {
    const offered = new Set(call.targets);
    if (call.kind === 'transferred') offered.add(call.transferee);
    for (const agent of offered) figures.get(agent)!.offered += 1;
    if (call.kind === 'missed') for (const agent of call.targets) figures.get(agent)!.missed += 1;
    if (call.kind === 'answered') answer(call.answerer, 2_000, 10_000);
    if (call.kind === 'transferred') {
      answer(call.answerer, 2_000, 5_000);
      answer(call.transferee, 1_000, 10_000);
    }
  }
  return figures;
}

/** One call, its steps shared between the servers; a leg's ringing and every finalisation done by both at once. */
async function play(account: string, [a, b]: [CallLog, CallLog], call: Scenario): Promise<void> {
  const start = callStart({ id: call.id, account, remote: `+9230000${call.id.slice(5).padStart(5, '0')}`, startedAt: call.startedAt });
  const ids = { callId: call.id, account };
  const both = <T>(step: (log: CallLog, server: string) => Promise<T>) => Promise.all([step(a, 'a'), step(b, 'b')]);
  const ringing = (agent: string) => ({ call: start, leg: legStart(macOf(agent), agent, call.startedAt), targets: call.targets });
  await a.recordRinging(ulid(), ringing(call.targets[0]!));
  // The ring group's second phone is told to both servers (two event ids): still one leg.
  await both((log) => log.recordRinging(ulid(), ringing(call.targets[1]!)));
  if (call.kind === 'missed') {
    await both((log) => log.finaliseCall(ulid(), { ...ids, status: 'missed', endedAt: call.startedAt + 30_000 }));
    await both((log) => log.recordMissedCall({ ...ids, at: call.startedAt + 30_000 }));
    return;
  }
  const at = (ms: number) => call.startedAt + ms;
  await b.recordAnswered(ulid(), { ...ids, mac: macOf(call.answerer), agent: call.answerer, at: at(2_000), owner: true });
  if (call.kind === 'answered') {
    await both((log) => log.finaliseCall(ulid(), { ...ids, status: 'answered', endedAt: at(12_000) }));
    return;
  }
  await a.recordTransfer(ulid(), { ...ids, mac: macOf(call.answerer), at: at(7_000) });
  await both((log) => log.finaliseCall(ulid(), { ...ids, status: 'answered', endedAt: at(7_000) }));
  const leg = legStart(macOf(call.transferee), call.transferee, at(8_000), { transfer: true, transferredFrom: call.answerer });
  // The continuation reaches both servers (its ringing told twice, under two event ids): one leg.
  await both((log) => log.recordRinging(ulid(), { call: start, leg, targets: [call.transferee] }));
  await a.recordAnswered(ulid(), { ...ids, mac: macOf(call.transferee), agent: call.transferee, at: at(9_000), owner: true });
  await both((log) => log.finaliseCall(ulid(), { ...ids, status: 'answered', endedAt: at(19_000) }));
}

describe('PostgresCallLog: two servers writing at once', () => {
  it('the per-agent daily statistics are exactly the sum of the calls, every call finalised by both servers at once', async () => {
    const servers = await twoServers();
    const account = `acme-${ulid()}`;
    const calls = scenarios(48);
    await Promise.all(calls.map((call) => play(account, servers, call)));
    // A leg told to both servers is one leg.
    for (const call of calls) expect((await servers[0].getCall(account, call.id))!.legs.map((l) => l.agent).slice(0, 2), call.id).toEqual(call.targets);

    const expected = expectedFigures(calls);
    for (const log of servers) {
      const stats = await log.stats(account, {});
      expect(stats.map((s) => s.agent)).toEqual(AGENTS);
      for (const s of stats) {
        const { offered, answered, missed, ringMsTotal, ringCount, talkMsTotal, talkCount } = s;
        expect({ offered, answered, missed, ringMsTotal, ringCount, talkMsTotal, talkCount }, s.agent).toEqual(expected.get(s.agent));
      }
    }
  });

  it('two agents on two servers claiming each missed call: exactly one wins it, and both servers name the same owner', async () => {
    const [a, b] = await twoServers();
    const account = `acme-${ulid()}`;
    const ids = Array.from({ length: 24 }, (_, i) => `missed-${i}`);
    for (const id of ids) {
      await a.recordRinging(ulid(), { call: callStart({ id, account, remote: `+92300111${id.slice(7).padStart(4, '0')}` }), leg: legStart(macOf('alice'), null, T0), targets: ['alice', 'bob'] });
      await b.recordMissedCall({ callId: id, account, at: T0 + 30_000 });
    }
    const claims = await Promise.all(ids.map((id) => Promise.all([a.claimMissedCall(account, id, 'alice', T0 + 40_000), b.claimMissedCall(account, id, 'bob', T0 + 40_000)])));
    for (const [n, [byAlice, byBob]] of claims.entries()) {
      expect([byAlice!.won, byBob!.won].filter(Boolean), ids[n]).toHaveLength(1);
      const winner = byAlice!.won ? 'alice' : 'bob';
      expect([byAlice!.missed.owner, byBob!.missed.owner]).toEqual([winner, winner]);
      expect((await b.getMissed(account, ids[n]!))!.owner).toBe(winner);
      expect((await a.getMissed(account, ids[n]!))!.owner).toBe(winner);
    }
  });

  it("the call's row lock: one phone's ringing told to both servers while the first is still writing it is one leg", async () => {
    const [a, b] = await twoServers();
    const account = `acme-${ulid()}`;
    const start = callStart({ id: 'held', account });
    await a.recordRinging(ulid(), { call: start, leg: legStart(macOf('alice'), 'alice', T0), targets: ['alice'] });
    // A third connection holds bob's target row, uncommitted: the first server's ringing, which
    // offers the call to bob, stops there, in its transaction, after writing bob's leg.
    const blocker = await pools!.open().connect();
    await blocker.query('BEGIN');
    await blocker.query('INSERT INTO cl_targets (account, call_id, agent) VALUES ($1, $2, $3)', [account, 'held', 'bob']);
    const lockWaits = async () => Number((await blocker.query(
      "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )).rows[0].n);
    const ringing = { call: start, leg: legStart(macOf('bob'), 'bob', T0 + 100), targets: ['bob'] };
    const first = a.recordRinging(ulid(), ringing);
    await eventually('the first server to wait on the held target row', lockWaits, (n) => n >= 1);
    // The second reads the call while the first has not committed: without the lock it would
    // find no leg of bob's phone and write a second one.
    const second = b.recordRinging(ulid(), ringing);
    await eventually('the second server to wait as well', lockWaits, (n) => n >= 2);
    await blocker.query('ROLLBACK');
    blocker.release();
    const results = await Promise.all([first, second]);
    expect(results.map((r) => r.applied)).toEqual([true, true]);
    const call = await a.getCall(account, 'held');
    expect(call!.legs.map((l) => [l.agent, l.state])).toEqual([['alice', 'ringing'], ['bob', 'ringing']]);
    expect(await b.targetsOf(account, 'held')).toEqual(['alice', 'bob']);
  });
});
