// Today's figures (src/desktop/renderer/today.ts): the UTC day, the team's totals, the chart's bars.
import { describe, expect, it } from 'vitest';
import type { AgentStats } from '../../../../src/desktop/renderer/api/types';
import { barChart, emptyStats, teamTotals, todayQuery } from '../../../../src/desktop/renderer/today';

/** One agent's figures as GET /api/stats sends them: ring and talk as [sum in ms, calls it covers]. */
const row = (agent: string, offered: number, answered: number, missed: number, ring: [number, number] = [0, 0], talk: [number, number] = [0, 0]): AgentStats => ({
  agent, offered, answered, missed,
  avgRingMs: ring[1] > 0 ? Math.round(ring[0] / ring[1]) : null,
  avgTalkMs: talk[1] > 0 ? Math.round(talk[0] / talk[1]) : null,
  ringMsTotal: ring[0], ringCount: ring[1], talkMsTotal: talk[0], talkCount: talk[1],
});

describe('today', () => {
  it('asks for the UTC day (the statistics are kept per UTC day)', () => {
    const now = Date.UTC(2026, 10, 22, 23, 59);
    expect(Object.fromEntries(new URLSearchParams(todayQuery(now)))).toEqual({ from: String(Date.UTC(2026, 10, 22)), to: String(Date.UTC(2026, 10, 23)) });
  });

  it("adds the team up; its averages are every agent's time over every agent's calls, exactly", () => {
    const team = teamTotals([row('alice', 4, 3, 1, [12_000, 3], [180_000, 3]), row('bob', 2, 1, 1, [10_000, 1], [120_000, 1]), row('carol', 1, 0, 1)]);
    expect(team).toEqual({
      agent: 'team', offered: 7, answered: 4, missed: 3, avgRingMs: 5_500, avgTalkMs: 75_000,
      ringMsTotal: 22_000, ringCount: 4, talkMsTotal: 300_000, talkCount: 4,
    });
    // The ring time covers the calls that rang, whatever was answered: 7 s over 2 calls and 2 s over 1 is 3 s, not a weighting by answers.
    expect(teamTotals([row('alice', 3, 1, 2, [7_000, 2], [60_000, 1]), row('bob', 1, 1, 0, [2_000, 1], [30_000, 1])])).toMatchObject({ avgRingMs: 3_000, avgTalkMs: 45_000 });
    expect(teamTotals([])).toEqual({ ...emptyStats('team') });
  });

  it('draws stacked bars scaled to the busiest agent', () => {
    const chart = barChart([row('alice', 4, 3, 1), row('bob', 2, 1, 1)], (a) => a.toUpperCase(), { width: 100, height: 40 });
    expect(chart.max).toBe(4);
    const [alice, bob] = chart.bars;
    expect(alice).toMatchObject({ key: 'alice', label: 'ALICE', total: 4, answered: { y: 10, height: 30 }, missed: { y: 0, height: 10 } });
    expect(bob).toMatchObject({ answered: { y: 30, height: 10 }, missed: { y: 20, height: 10 } });
    expect(bob!.answered.x).toBeGreaterThan(alice!.answered.x + alice!.answered.width);
    expect(barChart([], (a) => a).bars).toEqual([]);
  });
});
