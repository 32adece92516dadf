// The Today screen's figures: the statistics are kept per agent and local day of the seat's zone
// (RINGSIDE_TIMEZONE; README, the agent API), so "today" is the server's `today`, and the answer
// says which day and zone that was. The team's line adds every agent up, its averages from the
// agents' sums and counts.
import { addDays, dayBounds, dayTitle } from '../../protocol/days';
import type { AgentStats, HourlyStats } from './api/types';

/** GET /api/stats query for the seat's local day now (`from` and `to` are days, both included). */
export function todayQuery(): string {
  return new URLSearchParams({ from: 'today', to: 'today' }).toString();
}

/** "Today, Monday 7 December" for the seat's day; with the zone when the screen's own differs. */
export function todayTitle(day: string | null, seatZone: string | null, screenZone: string | undefined): { title: string; zone: string | null } {
  const title = day === null ? 'Today' : `Today, ${dayTitle(day)}`;
  const zone = seatZone !== null && screenZone !== undefined && seatZone !== screenZone ? zoneName(seatZone) : null;
  return { title, zone };
}

/**
 * How long until the seat's next day starts (a second after its midnight, at least a second and at
 * most a day from now), for the Today screen to turn the page by itself.
 */
export function msUntilNextDay(day: string, timeZone: string, now: number): number {
  const next = dayBounds(addDays(day, 1), timeZone).start;
  return Math.min(Math.max(1_000, next - now + 1_000), 24 * 3_600_000);
}

/** "Eastern Time", "GMT-12:00": the zone as people name it, else its IANA name. */
function zoneName(timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'longGeneric' }).formatToParts(new Date());
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  } catch {
    return timeZone;
  }
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
    outgoing: sum((r) => r.outgoing),
    outgoingAnswered: sum((r) => r.outgoingAnswered),
    outgoingTalkMsTotal: sum((r) => r.outgoingTalkMsTotal),
  };
}

export function emptyStats(agent: string): AgentStats {
  return {
    agent, offered: 0, answered: 0, missed: 0, avgRingMs: null, avgTalkMs: null, ringMsTotal: 0, ringCount: 0, talkMsTotal: 0, talkCount: 0,
    outgoing: 0, outgoingAnswered: 0, outgoingTalkMsTotal: 0,
  };
}

/** One agent's row in the per-agent chart: the name in full, answered and missed as shares of the busiest agent's calls. */
export interface AgentBar {
  key: string;
  label: string;
  answered: number;
  missed: number;
  /** Percentages of the row's width (0–100). */
  answeredPct: number;
  missedPct: number;
}

/** A horizontal stacked bar per agent (answered, then missed), scaled to the busiest agent. */
export function agentBars(rows: readonly AgentStats[], label: (agent: string) => string): AgentBar[] {
  const max = Math.max(1, ...rows.map((r) => r.answered + r.missed));
  return rows.map((row) => ({
    key: row.agent,
    label: label(row.agent),
    answered: row.answered,
    missed: row.missed,
    answeredPct: (row.answered / max) * 100,
    missedPct: (row.missed / max) * 100,
  }));
}

export interface HourBar {
  hour: number;
  answered: { x: number; y: number; width: number; height: number };
  missed: { x: number; y: number; width: number; height: number };
  total: number;
}

/** 24 stacked columns (answered below missed), hour 0 to 23 of the seat's day, scaled to the busiest hour. */
export function hourlyChart(hours: HourlyStats['hours'], size = { width: 288, height: 80 }): { width: number; height: number; max: number; bars: HourBar[] } {
  const max = Math.max(1, ...hours.map((h) => h.answered + h.missed));
  const slot = size.width / 24;
  const width = Math.max(2, slot - 2);
  const scale = (n: number) => (n / max) * size.height;
  const bars = hours.map((h) => {
    const x = h.hour * slot + 1;
    const answeredHeight = scale(h.answered);
    const missedHeight = scale(h.missed);
    return {
      hour: h.hour,
      answered: { x, y: size.height - answeredHeight, width, height: answeredHeight },
      missed: { x, y: size.height - answeredHeight - missedHeight, width, height: missedHeight },
      total: h.answered + h.missed,
    };
  });
  return { width: size.width, height: size.height, max, bars };
}

/** "09:00–10:00: 3 answered, 1 missed; …" for the hours that had calls (the chart's text for screen readers). */
export function hourlySummary(hours: HourlyStats['hours']): string {
  const busy = hours.filter((h) => h.answered + h.missed > 0);
  if (busy.length === 0) return 'No calls yet today.';
  const hh = (n: number) => `${String(n).padStart(2, '0')}:00`;
  return busy.map((h) => `${hh(h.hour)}–${hh((h.hour + 1) % 24)}: ${h.answered} answered, ${h.missed} missed`).join('; ');
}
