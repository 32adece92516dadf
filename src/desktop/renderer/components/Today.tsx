// Today's figures: the agent's own, and for supervisors and the admin everyone's (a small stacked
// bar chart and a table). The server gives any other agent only their own figures (GET /api/stats).
import { useEffect, useState } from 'react';
import { describeError, type RestClient } from '../api/rest';
import type { AgentStats } from '../api/types';
import { formatDuration, formatShare } from '../format';
import { barChart, emptyStats, teamTotals, todayQuery } from '../today';

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
  const figures: Array<[string, string]> = [
    ['Offered', String(stats.offered)],
    ['Answered', String(stats.answered)],
    ['Missed', String(stats.missed)],
    ['Answer rate', formatShare(stats.answered, stats.offered)],
    ['Average ring', formatDuration(stats.avgRingMs)],
    ['Average talk', formatDuration(stats.avgTalkMs)],
  ];
  return (
    <dl className="figures" aria-label={label}>
      {figures.map(([name, value]) => (
        <div className="figure" key={name}>
          <dt className="figure__label">{name}</dt>
          <dd className="figure__value" data-figure={name}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function StatsChart({ rows, nameOf }: { rows: readonly AgentStats[]; nameOf: (agent: string) => string }) {
  const chart = barChart(rows, nameOf);
  const labelHeight = 16;
  const summary = rows.map((r) => `${nameOf(r.agent)}: ${r.answered} answered, ${r.missed} missed`).join('; ');
  return (
    <figure className="today-chart">
      <svg className="chart" viewBox={`0 0 ${chart.width} ${chart.height + labelHeight}`} role="img" aria-label={`Answered and missed calls per agent today. ${summary}`}>
        {chart.bars.map((bar) => (
          <g key={bar.key}>
            <rect className="chart__answered" {...bar.answered} rx={2} />
            <rect className="chart__missed" {...bar.missed} rx={2} />
            <text className="chart__label" x={bar.answered.x + bar.answered.width / 2} y={chart.height + 12} textAnchor="middle">
              {bar.label.length > 12 ? `${bar.label.slice(0, 11)}…` : bar.label}
            </text>
          </g>
        ))}
      </svg>
      <figcaption className="legend">
        <span><span className="legend__swatch legend__swatch--answered" />Answered</span>
        <span><span className="legend__swatch legend__swatch--missed" />Missed</span>
      </figcaption>
    </figure>
  );
}

function TeamFigures({ rows, me, nameOf }: { rows: readonly AgentStats[]; me: string | null; nameOf: (agent: string) => string }) {
  return (
    <>
      <h3>Everyone</h3>
      {rows.length === 0 ? <p className="empty">No calls yet today.</p> : (
        <>
          <Figures stats={teamTotals(rows)} label="Everyone's figures today" />
          <StatsChart rows={rows} nameOf={nameOf} />
          <table aria-label="Figures per agent">
            <thead>
              <tr>
                <th>Agent</th>
                <th className="num">Offered</th>
                <th className="num">Answered</th>
                <th className="num">Missed</th>
                <th className="num">Avg ring</th>
                <th className="num">Avg talk</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.agent}>
                  <td>{nameOf(row.agent)}{row.agent === me ? ' (you)' : ''}</td>
                  <td className="num">{row.offered}</td>
                  <td className="num">{row.answered}</td>
                  <td className="num">{row.missed}</td>
                  <td className="num">{formatDuration(row.avgRingMs)}</td>
                  <td className="num">{formatDuration(row.avgTalkMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

export function Today({ rest, me, teamView, nameOf, callsVersion }: TodayProps) {
  const [rows, setRows] = useState<AgentStats[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    rest.stats(todayQuery(Date.now())).then(
      (items) => {
        if (!current) return;
        setRows(items);
        setError(null);
      },
      (e: unknown) => current && setError(describeError(e)),
    );
    return () => {
      current = false;
    };
  }, [rest, callsVersion]);

  const mine = me === null ? null : (rows?.find((r) => r.agent === me) ?? emptyStats(me));
  // An agent who is not a supervisor: their own figures and chart only (the server sends no others).
  const ownOnly = !teamView && mine !== null;
  return (
    <section className="panel" aria-labelledby="today-title">
      <h2 id="today-title">Today <span className="muted">· UTC day</span></h2>
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
              {mine.offered > 0 ? <StatsChart rows={[mine]} nameOf={nameOf} /> : null}
              <p className="muted" data-testid="team-note">Everyone&apos;s figures are shown to supervisors.</p>
            </>
          ) : <TeamFigures rows={rows} me={me} nameOf={nameOf} />}
        </>
      )}
    </section>
  );
}
