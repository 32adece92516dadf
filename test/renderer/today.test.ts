// Today's figures (src/renderer/today.ts): the UTC day, the team's totals, the chart's bars.
import { describe, expect, it } from 'vitest';
import type { AgentStats } from '../../src/renderer/api/types';
import { barChart, emptyStats, teamTotals, todayQuery } from '../../src/renderer/today';

const row = (agent: string, offered: number, answered: number, missed: number, avgRingMs: number | null, avgTalkMs: number | null): AgentStats =>
  ({ agent, offered, answered, missed, avgRingMs, avgTalkMs });

describe('today', () => {
  it('asks for the UTC day (the statistics are kept per UTC day)', () => {
    const now = Date.UTC(2026, 10, 22, 23, 59);
    expect(Object.fromEntries(new URLSearchParams(todayQuery(now)))).toEqual({ from: String(Date.UTC(2026, 10, 22)), to: String(Date.UTC(2026, 10, 23)) });
  });

  it('adds the team up, averages weighted by the calls behind them', () => {
    expect(teamTotals([row('alice', 4, 3, 1, 4_000, 60_000), row('bob', 2, 1, 1, 10_000, 120_000), row('carol', 1, 0, 1, null, null)])).toEqual({
      agent: 'team', offered: 7, answered: 4, missed: 3, avgRingMs: 5_500, avgTalkMs: 75_000,
    });
    expect(teamTotals([])).toEqual({ ...emptyStats('team') });
  });

  it('draws stacked bars scaled to the busiest agent', () => {
    const chart = barChart([row('alice', 4, 3, 1, null, null), row('bob', 2, 1, 1, null, null)], (a) => a.toUpperCase(), { width: 100, height: 40 });
    expect(chart.max).toBe(4);
    const [alice, bob] = chart.bars;
    expect(alice).toMatchObject({ key: 'alice', label: 'ALICE', total: 4, answered: { y: 10, height: 30 }, missed: { y: 0, height: 10 } });
    expect(bob).toMatchObject({ answered: { y: 30, height: 10 }, missed: { y: 20, height: 10 } });
    expect(bob!.answered.x).toBeGreaterThan(alice!.answered.x + alice!.answered.width);
    expect(barChart([], (a) => a).bars).toEqual([]);
  });
});
