// The Today screen's figures: the statistics are kept per agent and UTC day (README, the agent
// API), so "today" is the UTC day; the team's line adds every agent up, with averages weighted by
// how many calls each average covers.
import type { AgentStats } from './api/types';

const DAY_MS = 24 * 60 * 60_000;

/** GET /api/stats query for the UTC day that `now` falls in. */
export function todayQuery(now: number): string {
  const start = Math.floor(now / DAY_MS) * DAY_MS;
  return new URLSearchParams({ from: String(start), to: String(start + DAY_MS) }).toString();
}

function weightedAverage(rows: readonly AgentStats[], value: (r: AgentStats) => number | null, weight: (r: AgentStats) => number): number | null {
  let sum = 0;
  let count = 0;
  for (const row of rows) {
    const v = value(row);
    const w = weight(row);
    if (v === null || w <= 0) continue;
    sum += v * w;
    count += w;
  }
  return count > 0 ? Math.round(sum / count) : null;
}

/**
 * Everyone's figures as one row. Ring time is averaged over answered calls and talk time too (the
 * server averages each agent's over the calls that had one), so answered calls weigh them.
 */
export function teamTotals(rows: readonly AgentStats[]): AgentStats {
  return {
    agent: 'team',
    offered: rows.reduce((n, r) => n + r.offered, 0),
    answered: rows.reduce((n, r) => n + r.answered, 0),
    missed: rows.reduce((n, r) => n + r.missed, 0),
    avgRingMs: weightedAverage(rows, (r) => r.avgRingMs, (r) => r.answered || r.offered),
    avgTalkMs: weightedAverage(rows, (r) => r.avgTalkMs, (r) => r.answered),
  };
}

export function emptyStats(agent: string): AgentStats {
  return { agent, offered: 0, answered: 0, missed: 0, avgRingMs: null, avgTalkMs: null };
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
