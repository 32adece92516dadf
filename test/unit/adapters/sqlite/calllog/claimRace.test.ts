// Claims of one missed call racing from worker threads, each with its own SQLite connection: the
// behaviour itself (first agent wins, across processes and servers) is the contract's
// (test/contracts/callLog/missedCases.ts); this is SQLite's own multi-process proof.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { raceWorkers, startLine } from '../../../../support/workers';
import { callStart, ev, legStart, makeHarness, MAC_A, MAC_B, T0, type Harness } from './helpers';

let h: Harness;
beforeEach(() => {
  h = makeHarness();
});
afterEach(() => h.cleanup());

async function ringingCall(id: string, remote = '+923001234567', startedAt = T0): Promise<void> {
  const call = callStart({ id, remote, startedAt });
  await h.log.recordRinging(ev(), { call, leg: legStart(MAC_A, 'alice', startedAt), targets: ['alice', 'bob'] });
  await h.log.recordRinging(ev(), { call, leg: legStart(MAC_B, 'bob', startedAt), targets: ['alice', 'bob'] });
}

describe('claimMissedCall across threads', () => {
  it('agents racing from separate threads and connections: exactly one winner', async () => {
    await ringingCall('call-1');
    await h.log.recordMissedCall({ callId: 'call-1', account: 'acme', at: T0 + 30_000 });
    const { start, release } = startLine();
    const agents = ['alice', 'bob', 'carol', 'dave'];
    const results = await raceWorkers<{ agent: string; won: boolean; owner: string }>(
      new URL('./claim-worker.mjs', import.meta.url),
      agents.map((agent) => ({ file: h.file, agent, callId: 'call-1', at: T0 + 40_000, start })),
      'claim',
      release,
    );
    const winners = results.filter((r) => r.won);
    expect(winners).toHaveLength(1);
    expect(new Set(results.map((r) => r.owner))).toEqual(new Set([winners[0]!.agent]));
    expect((await h.log.getMissed('acme', 'call-1'))!.owner).toBe(winners[0]!.agent);
  });
});
