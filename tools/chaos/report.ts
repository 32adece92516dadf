import type { CallVerdict, Counters } from './checker';
import type { QuiesceResult } from './quiesce';

/** Progress lines, with the time since the run began. */
export function makeSay(startedAt: number): (line: string) => void {
  return (line) => process.stdout.write(`[${seconds(Date.now() - startedAt).padStart(6)}] ${line}\n`);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

const EXAMPLES = 10;

/** The counters, the per-fault timings and a few examples of anything wrong. */
export function printReport(counters: Counters, quiet: QuiesceResult, runStartedAt: number, header: string[]): void {
  const out: string[] = ['', '=== chaos result ===', ...header, ''];
  out.push('faults (times from the start of the run; "in flight" = calls whose events straddle the fault):');
  for (const f of counters.perFault) {
    out.push(`  ${f.fault.name}: at ${seconds(f.fault.startedAt - runStartedAt)}, back after ${seconds(f.fault.healedAt - f.fault.startedAt)}`);
    for (const note of f.fault.notes) out.push(`      ${note}`);
    out.push(`      in flight ${f.inFlight}: recovered ${f.recovered}, lost ${f.lost}, duplicated ${f.duplicated}, indeterminate ${f.indeterminate}`);
  }
  out.push(`quiesce: ${quiet.quiet ? `quiet after ${seconds(quiet.waitedMs)}` : `NOT quiet after ${seconds(quiet.waitedMs)}: ${quiet.busy.join('; ')}`}`);
  out.push(`calls: ${counters.callsSent} sent, ${counters.acknowledged} acknowledged (${counters.eventsAcknowledged} events acknowledged), ${counters.indeterminate} indeterminate (${counters.neverAcknowledged} with no event acknowledged)`);
  out.push(`call log: ${counters.callLogRows} rows, ${counters.missedCalls} missed calls`);
  out.push(`by scenario: ${scenarioLine(counters.verdicts)}`);
  out.push('');
  for (const name of ['lost', 'duplicated', 'unexpected', 'recovered', 'indeterminate', 'ok'] as const) out.push(`${name.padEnd(14)} ${counters[name]}`);
  out.push('');
  out.push(...examples('lost', counters.verdicts.filter((v) => v.verdict.startsWith('lost'))));
  out.push(...examples('duplicated', counters.verdicts.filter((v) => v.verdict.endsWith('duplicated'))));
  for (const row of counters.unexpectedRows.slice(0, EXAMPLES)) out.push(`unexpected row: ${JSON.stringify(row)}`);
  const { lost, duplicated, unexpected, recovered, indeterminate, ok } = counters;
  const valid = lost === 0 && duplicated === 0 && unexpected === 0;
  out.push(JSON.stringify({ valid, lost, duplicated, unexpected, recovered, indeterminate, ok, acknowledged: counters.acknowledged, quiesced: quiet.quiet }));
  process.stdout.write(`${out.join('\n')}\n`);
}

function scenarioLine(verdicts: CallVerdict[]): string {
  const byScenario = new Map<string, { ok: number; acknowledged: number }>();
  for (const v of verdicts) {
    const entry = byScenario.get(v.call.plan.scenario) ?? { ok: 0, acknowledged: 0 };
    if (v.call.acknowledged) entry.acknowledged += 1;
    if (v.verdict === 'ok') entry.ok += 1;
    byScenario.set(v.call.plan.scenario, entry);
  }
  return [...byScenario].map(([name, e]) => `${name} ${e.ok}/${e.acknowledged} ok`).join(', ');
}

function examples(label: string, verdicts: CallVerdict[]): string[] {
  return verdicts.slice(0, EXAMPLES).map((v) => {
    const steps = v.call.steps.map((s) => `${s.event}@${s.node}:${s.status}`).join(' ');
    const rows = v.rows.map((r) => `${r.id} ${r.direction} ${r.status}`).join(', ') || 'no row';
    return `${label}: ${v.call.plan.remote} ${v.call.plan.scenario} owed ${v.call.plan.owed.direction} ${v.call.plan.owed.status}; events ${steps}; found ${rows}`;
  });
}
