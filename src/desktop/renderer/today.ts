// The Today screen's figures: the statistics are kept per agent and UTC day (README, the agent
// API), so "today" is the UTC day; the team's line adds every agent up, its averages from the
// agents' sums and counts.
import type { AgentStats } from './api/types';

const DAY_MS = 24 * 60 * 60_000;

/** GET /api/stats query for the UTC day that `now` falls in. */
export function todayQuery(now: number): string {
  const start = Math.floor(now / DAY_MS) * DAY_MS;
  return new URLSearchParams({ from: String(start), to: String(start + DAY_MS) }).toString();
}

const average = (total: number, count: number): number | null => (count > 0 ? Math.round(total / count) : null);

/**
 * Everyone's figures as one row. The server sends each agent's ring and talk sums with how many
 * calls they cover, so the team's averages are exact: all the time over all the calls.
 */
export function teamTotals(rows: readonly AgentStats[]): AgentStats {
  const sum = (value: (r: AgentStats) => number) => rows.reduce((n, r) => n + value(r), 0);
  const ringMsTotal = sum((r) => r.ringMsTotal);
  const ringCount = sum((r) => r.ringCount);
  const talkMsTotal = sum((r) => r.talkMsTotal);
  const talkCount = sum((r) => r.talkCount);
  return {
    agent: 'team',
    offered: sum((r) => r.offered),
    answered: sum((r) => r.answered),
    missed: sum((r) => r.missed),
    avgRingMs: average(ringMsTotal, ringCount),
    avgTalkMs: average(talkMsTotal, talkCount),
    ringMsTotal, ringCount, talkMsTotal, talkCount,
  };
}

export function emptyStats(agent: string): AgentStats {
  return { agent, offered: 0, answered: 0, missed: 0, avgRingMs: null, avgTalkMs: null, ringMsTotal: 0, ringCount: 0, talkMsTotal: 0, talkCount: 0 };
}

export interface Bar {
  key: string;
  label: string;
  /** Answered and missed, stacked; y/height in the chart's own units. */
  answered: { x: number; y: number; width: number; height: number };
  missed: { x: number; y: number; width: number; height: number };
  total: number;
}

export interface ChartGeometry {
  width: number;
  height: number;
  bars: Bar[];
  /** The value the top of the chart stands for. */
  max: number;
}

const MAX_BAR_WIDTH = 40;

/** A stacked bar per agent (answered below missed), scaled to the busiest agent. */
export function barChart(rows: readonly AgentStats[], label: (agent: string) => string, size = { width: 320, height: 120 }): ChartGeometry {
  const gap = 8;
  const max = Math.max(1, ...rows.map((r) => r.answered + r.missed));
  // Bars stay slim with few agents (a calm chart), and share the width with many.
  const width = rows.length === 0 ? 0 : Math.min(MAX_BAR_WIDTH, Math.max(4, (size.width - gap * (rows.length + 1)) / rows.length));
  const scale = (n: number) => (n / max) * size.height;
  const bars = rows.map((row, i) => {
    const x = gap + i * (width + gap);
    const answeredHeight = scale(row.answered);
    const missedHeight = scale(row.missed);
    return {
      key: row.agent,
      label: label(row.agent),
      answered: { x, y: size.height - answeredHeight, width, height: answeredHeight },
      missed: { x, y: size.height - answeredHeight - missedHeight, width, height: missedHeight },
      total: row.answered + row.missed,
    };
  });
  return { width: size.width, height: size.height, bars, max };
}
