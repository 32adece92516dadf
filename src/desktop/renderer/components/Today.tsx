// Today's figures for the seat's local day: the agent's own, and for supervisors and the admin
// everyone's (per hour, per agent as bars with their names in full, and a table). The server gives
// any other agent only their own figures (GET /api/stats, GET /api/stats/hourly).
import { useEffect, useState } from 'react';
import { describeError, type RestClient } from '../api/rest';
import type { AgentStats, HourlyStats } from '../api/types';
import { formatDuration, formatShare } from '../format';
import { agentBars, emptyStats, hourlyChart, hourlySummary, msUntilNextDay, teamTotals, todayQuery, todayTitle } from '../today';

export interface TodayProps {
  rest: RestClient;
  me: string | null;
  /** Everyone's figures are shown: a supervisor's session or the admin token (GET /api/session). */
  teamView: boolean;
  nameOf: (agent: string) => string;
  /** Moves when a call finished or was missed: the figures are loaded again. */
  callsVersion: number;
}

function Figures({ stats, label }: { stats: AgentStats; label: string }) {
  const figures: Array<[string, string, string?]> = [
    ['Offered', String(stats.offered)],
    ['Answered', String(stats.answered)],
    ['Missed', String(stats.missed)],
    ['Answer rate', formatShare(stats.answered, stats.offered)],
    ['Average ring', formatDuration(stats.avgRingMs)],
    ['Average talk', formatDuration(stats.avgTalkMs)],
    ['Calls made', String(stats.outgoing), stats.outgoing > 0 ? `${stats.outgoingAnswered} answered` : undefined],
  ];
  return (
    <dl className="figures" aria-label={label}>
      {figures.map(([name, value, note]) => (
        <div className="figure" key={name}>
          <dt className="figure__label">{name}</dt>
          <dd className="figure__value" data-figure={name}>{value}</dd>
          {note ? <dd className="figure__note" data-figure-note={name}>{note}</dd> : null}
        </div>
      ))}
    </dl>
  );
}

function Legend() {
  return (
    <div className="legend">
      <span><span className="legend__swatch legend__swatch--answered" />Answered</span>
      <span><span className="legend__swatch legend__swatch--missed" />Missed</span>
    </div>
  );
}

/** Answered and missed incoming calls per hour of the day (24 columns, every third hour labelled). */
function HourlyChart({ hourly, label }: { hourly: HourlyStats; label: string }) {
  const chart = hourlyChart(hourly.hours);
  const labelHeight = 14;
  return (
    <figure className="today-chart" data-testid="hourly-chart">
      <figcaption className="today-chart__title">{label}</figcaption>
      <svg className="chart chart--hours" viewBox={`0 0 ${chart.width} ${chart.height + labelHeight}`} role="img" aria-label={`${label}. ${hourlySummary(hourly.hours)}`}>
        <line className="chart__axis" x1={0} x2={chart.width} y1={chart.height + 0.5} y2={chart.height + 0.5} />
        {chart.bars.map((bar) => (
          <g key={bar.hour} data-hour={bar.hour} data-total={bar.total}>
            {bar.total > 0 ? <title>{`${String(bar.hour).padStart(2, '0')}:00: ${hourly.hours[bar.hour]!.answered} answered, ${hourly.hours[bar.hour]!.missed} missed`}</title> : null}
            <rect className="chart__answered" {...bar.answered} rx={1} />
            <rect className="chart__missed" {...bar.missed} rx={1} />
            {bar.hour % 3 === 0 ? (
              <text className="chart__label" x={bar.answered.x + bar.answered.width / 2} y={chart.height + 11} textAnchor="middle">{String(bar.hour).padStart(2, '0')}</text>
            ) : null}
          </g>
        ))}
      </svg>
      <Legend />
    </figure>
  );
}

/** A row per agent: the name in full (it wraps rather than being cut), then answered and missed as a bar. */
function AgentBars({ rows, nameOf }: { rows: readonly AgentStats[]; nameOf: (agent: string) => string }) {
  const bars = agentBars(rows, nameOf);
  return (
    <figure className="today-chart">
      <figcaption className="today-chart__title">Per agent</figcaption>
      <ul className="agent-bars" aria-label="Answered and missed calls per agent today">
        {bars.map((bar) => (
          <li className="agent-bar" key={bar.key} data-agent={bar.key}>
            <span className="agent-bar__name" title={bar.label}>{bar.label}</span>
            <span className="agent-bar__track" aria-hidden="true">
              <span className="agent-bar__answered" style={{ width: `${bar.answeredPct}%` }} />
              <span className="agent-bar__missed" style={{ width: `${bar.missedPct}%` }} />
            </span>
            <span className="agent-bar__value">{`${bar.answered} answered, ${bar.missed} missed`}</span>
          </li>
        ))}
      </ul>
      <Legend />
    </figure>
  );
}

function TeamFigures({ rows, me, nameOf, hourly }: { rows: readonly AgentStats[]; me: string | null; nameOf: (agent: string) => string; hourly: HourlyStats | null }) {
  return (
    <>
      <h3>Everyone</h3>
      {rows.length === 0 ? <p className="empty">No calls yet today.</p> : (
        <>
          <Figures stats={teamTotals(rows)} label="Everyone's figures today" />
          {hourly ? <HourlyChart hourly={hourly} label="Everyone's calls per hour" /> : null}
          <AgentBars rows={rows} nameOf={nameOf} />
          <div className="table-scroll">
            <table aria-label="Figures per agent">
              <thead>
                <tr>
                  <th>Agent</th>
                  <th className="num">Offered</th>
                  <th className="num">Answered</th>
                  <th className="num">Missed</th>
                  <th className="num wide-only">Avg ring</th>
                  <th className="num wide-only">Avg talk</th>
                  <th className="num">Calls made</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.agent}>
                    <td>{nameOf(row.agent)}{row.agent === me ? ' (you)' : ''}</td>
                    <td className="num">{row.offered}</td>
                    <td className="num">{row.answered}</td>
                    <td className="num">{row.missed}</td>
                    <td className="num wide-only">{formatDuration(row.avgRingMs)}</td>
                    <td className="num wide-only">{formatDuration(row.avgTalkMs)}</td>
                    <td className="num">{row.outgoing}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

export function Today({ rest, me, teamView, nameOf, callsVersion }: TodayProps) {
  const [rows, setRows] = useState<AgentStats[] | null>(null);
  const [day, setDay] = useState<{ day: string | null; zone: string | null }>({ day: null, zone: null });
  const [hourly, setHourly] = useState<HourlyStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Moves at the seat's midnight, so a screen left open turns to the new day by itself.
  const [dayTurn, setDayTurn] = useState(0);

  useEffect(() => {
    if (day.day === null || day.zone === null) return undefined;
    const timer = setTimeout(() => setDayTurn((n) => n + 1), msUntilNextDay(day.day, day.zone, Date.now()));
    return () => clearTimeout(timer);
  }, [day.day, day.zone]);

  useEffect(() => {
    let current = true;
    rest.statsReport(todayQuery()).then(
      (report) => {
        if (!current) return;
        setRows(report.items);
        setDay({ day: report.from, zone: report.timeZone });
        setError(null);
      },
      (e: unknown) => current && setError(describeError(e)),
    );
    // The hours are an extra: without them (an older server) the figures still show.
    rest.hourlyStats().then(
      (h) => current && setHourly(h),
      () => current && setHourly(null),
    );
    return () => {
      current = false;
    };
  }, [rest, callsVersion, dayTurn]);

  const mine = me === null ? null : (rows?.find((r) => r.agent === me) ?? emptyStats(me));
  // An agent who is not a supervisor: their own figures and hours only (the server sends no others).
  const ownOnly = !teamView && mine !== null;
  const { title, zone } = todayTitle(day.day, day.zone, Intl.DateTimeFormat().resolvedOptions().timeZone);
  return (
    <section className="panel" aria-labelledby="today-title">
      <h2 id="today-title">{title}{zone ? <span className="muted"> · {zone}</span> : null}</h2>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {rows === null ? <p className="empty">Loading…</p> : (
        <>
          {mine ? (
            <>
              <h3>You</h3>
              <Figures stats={mine} label="Your figures today" />
            </>
          ) : null}
          {ownOnly ? (
            <>
              {hourly && mine.offered > 0 ? <HourlyChart hourly={hourly} label="Your calls per hour" /> : null}
              <p className="muted" data-testid="team-note">Everyone&apos;s figures are shown to supervisors.</p>
            </>
          ) : <TeamFigures rows={rows} me={me} nameOf={nameOf} hourly={hourly} />}
        </>
      )}
    </section>
  );
}
