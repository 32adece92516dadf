// Today's figures (src/desktop/renderer/today.ts): the seat's local day, the team's totals, the charts' bars.
import { describe, expect, it } from 'vitest';
import type { AgentStats } from '../../../../src/desktop/renderer/api/types';
import { agentBars, emptyStats, hourlyChart, hourlySummary, msUntilNextDay, teamTotals, todayQuery, todayTitle } from '../../../../src/desktop/renderer/today';

/** One agent's figures as GET /api/stats sends them: ring and talk as [sum in ms, calls it covers]. */
const row = (agent: string, offered: number, answered: number, missed: number, ring: [number, number] = [0, 0], talk: [number, number] = [0, 0]): AgentStats => ({
  agent, offered, answered, missed,
  avgRingMs: ring[1] > 0 ? Math.round(ring[0] / ring[1]) : null,
  avgTalkMs: talk[1] > 0 ? Math.round(talk[0] / talk[1]) : null,
  ringMsTotal: ring[0], ringCount: ring[1], talkMsTotal: talk[0], talkCount: talk[1],
  outgoing: 0, outgoingAnswered: 0, outgoingTalkMsTotal: 0,
});

describe('today', () => {
  it("asks for the seat's day (the server's zone decides it, not the screen's) and names it", () => {
    expect(Object.fromEntries(new URLSearchParams(todayQuery()))).toEqual({ from: 'today', to: 'today' });
    expect(todayTitle('2026-12-07', 'Europe/Madrid', 'Europe/Madrid')).toEqual({ title: 'Today, Monday 7 December', zone: null });
    expect(todayTitle('2026-11-22', 'America/New_York', 'UTC')).toEqual({ title: 'Today, Sunday 22 November', zone: 'Eastern Time' });
    expect(todayTitle(null, null, 'UTC')).toEqual({ title: 'Today', zone: null });
  });

  it("turns the page a second after the seat's midnight, on daylight-saving days too", () => {
    // 23:30 in New York on 22 November (UTC−5) is 04:30Z on the 23rd; midnight comes 30 min later.
    expect(msUntilNextDay('2026-11-22', 'America/New_York', Date.UTC(2026, 10, 23, 4, 30))).toBe(30 * 60_000 + 1_000);
    // 1 November 2026 lasts 25 hours there: from 00:30 local (04:30Z) midnight is 24 h 30 min away.
    expect(msUntilNextDay('2026-11-01', 'America/New_York', Date.UTC(2026, 10, 1, 4, 30))).toBe(24 * 3_600_000);
    expect(msUntilNextDay('2026-11-01', 'America/New_York', Date.UTC(2026, 10, 1, 5, 30))).toBe(23 * 3_600_000 + 30 * 60_000 + 1_000);
    // Karachi (UTC+5, no daylight saving): 23:59:30 local on 22 November.
    expect(msUntilNextDay('2026-11-22', 'Asia/Karachi', Date.UTC(2026, 10, 22, 18, 59, 30))).toBe(31_000);
  });

  it("adds the team up; its averages are every agent's time over every agent's calls, exactly", () => {
    const team = teamTotals([row('alice', 4, 3, 1, [12_000, 3], [180_000, 3]), row('bob', 2, 1, 1, [10_000, 1], [120_000, 1]), row('carol', 1, 0, 1)]);
    expect(team).toEqual({
      agent: 'team', offered: 7, answered: 4, missed: 3, avgRingMs: 5_500, avgTalkMs: 75_000,
      ringMsTotal: 22_000, ringCount: 4, talkMsTotal: 300_000, talkCount: 4, outgoing: 0, outgoingAnswered: 0, outgoingTalkMsTotal: 0,
    });
    // The ring time covers the calls that rang, whatever was answered: 7 s over 2 calls and 2 s over 1 is 3 s, not a weighting by answers.
    expect(teamTotals([row('alice', 3, 1, 2, [7_000, 2], [60_000, 1]), row('bob', 1, 1, 0, [2_000, 1], [30_000, 1])])).toMatchObject({ avgRingMs: 3_000, avgTalkMs: 45_000 });
    expect(teamTotals([])).toEqual({ ...emptyStats('team') });
  });

  it('gives every agent a row with the name in full, answered and missed as shares of the busiest', () => {
    const long = 'Alice Wonderland-Smythe (simulated)';
    const bars = agentBars([row('alice', 4, 3, 1), row('bob', 2, 1, 1)], (a) => (a === 'alice' ? long : 'Bob'));
    expect(bars).toEqual([
      { key: 'alice', label: long, answered: 3, missed: 1, answeredPct: 75, missedPct: 25 },
      { key: 'bob', label: 'Bob', answered: 1, missed: 1, answeredPct: 25, missedPct: 25 },
    ]);
    expect(agentBars([], (a) => a)).toEqual([]);
  });

  it('draws 24 hours, stacked and scaled to the busiest hour, and says which hours had calls', () => {
    const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, answered: hour === 9 ? 3 : 0, missed: hour === 9 ? 1 : hour === 23 ? 2 : 0 }));
    const chart = hourlyChart(hours, { width: 240, height: 40 });
    expect(chart.bars).toHaveLength(24);
    expect(chart.max).toBe(4);
    expect(chart.bars[9]).toMatchObject({ hour: 9, total: 4, answered: { x: 91, y: 10, height: 30 }, missed: { y: 0, height: 10 } });
    expect(chart.bars[23]).toMatchObject({ total: 2, answered: { height: 0 }, missed: { height: 20 } });
    expect(hourlySummary(hours)).toBe('09:00–10:00: 3 answered, 1 missed; 23:00–00:00: 0 answered, 2 missed');
    expect(hourlySummary(hours.map((h) => ({ ...h, answered: 0, missed: 0 })))).toBe('No calls yet today.');
  });
});
