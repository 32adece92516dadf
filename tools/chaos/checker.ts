import type { FaultRecord } from './faults';
import type { CallRecord } from './load';
import { httpGet } from './net';

/** A call-log row as GET /api/calls returns it (the fields the checker reads). */
export interface CallRow {
  id: string;
  remote: string;
  status: string;
  direction: string;
}

/** Every call-log row, newest first, through the cursor of GET /api/calls. */
export async function fetchCallLog(apiUrl: string, token: string): Promise<CallRow[]> {
  const rows: CallRow[] = [];
  let cursor: string | null = '';
  while (cursor !== null) {
    const query = new URLSearchParams({ limit: '200', ...(cursor ? { cursor } : {}) });
    const answer = await httpGet(`${apiUrl}/api/calls?${query}`, { token, timeoutMs: 30_000 });
    if (answer.status !== 200) throw new Error(`GET /api/calls answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    const page = answer.body as { items: CallRow[]; next: string | null };
    rows.push(...page.items);
    cursor = page.next;
  }
  return rows;
}

export type Verdict = 'ok' | 'lost' | 'duplicated' | 'lost+duplicated' | 'indeterminate' | 'indeterminate+duplicated';

export interface CallVerdict {
  call: CallRecord;
  verdict: Verdict;
  rows: CallRow[];
}

export interface FaultCounters {
  fault: FaultRecord;
  inFlight: number;
  recovered: number;
  lost: number;
  duplicated: number;
  indeterminate: number;
}

export interface Counters {
  /** Calls whose every event was acknowledged: their effect is owed. */
  acknowledged: number;
  ok: number;
  lost: number;
  duplicated: number;
  unexpected: number;
  recovered: number;
  /** Calls with an unacknowledged event (the process was down): nothing owed, never counted lost. */
  indeterminate: number;
  /** Of those, calls whose first event was already unacknowledged (nothing reached Ringside, as far as the phone knows). */
  neverAcknowledged: number;
  callsSent: number;
  eventsAcknowledged: number;
  callLogRows: number;
  missedCalls: number;
  perFault: FaultCounters[];
  verdicts: CallVerdict[];
  unexpectedRows: CallRow[];
}

/**
 * Jepsen-style accounting of effects (the RabbitMQ team's queue checker: lost, duplicated,
 * unexpected, recovered), per logical call. Each call has a caller number of its own, so its
 * effects are the call-log rows with that number:
 *
 * - lost: an acknowledged call with no row of the owed status and direction (no row, a row still
 *   ringing or in progress, answered shown as missed, a missed call not raised...);
 * - duplicated: more than one row for the call, or more than one missed call (any call,
 *   acknowledged or not: one customer call is never two);
 * - unexpected: rows for numbers the generator never called;
 * - recovered: acknowledged calls in flight during a fault (their events straddle it) that ended
 *   exactly as owed;
 * - indeterminate: calls with an event that got no 200; a phone does not retry, so nothing is owed.
 */
export function check(calls: CallRecord[], rows: CallRow[], faults: FaultRecord[]): Counters {
  const byRemote = groupByRemote(rows);
  const sent = new Set(calls.map((call) => call.plan.remote));
  const verdicts = calls.map((call) => judge(call, byRemote.get(call.plan.remote) ?? []));
  const count = (...wanted: Verdict[]) => verdicts.filter((v) => wanted.includes(v.verdict)).length;
  const ok = verdicts.filter((v) => v.verdict === 'ok');
  const unexpectedRows = rows.filter((row) => !sent.has(row.remote));
  return {
    acknowledged: calls.filter((call) => call.acknowledged).length,
    ok: ok.length,
    lost: count('lost', 'lost+duplicated'),
    duplicated: count('duplicated', 'lost+duplicated', 'indeterminate+duplicated'),
    unexpected: unexpectedRows.length,
    recovered: ok.filter((v) => faults.some((fault) => inFlightDuring(v.call, fault))).length,
    indeterminate: count('indeterminate', 'indeterminate+duplicated'),
    neverAcknowledged: calls.filter((call) => call.steps[0]?.status !== 200).length,
    callsSent: calls.length,
    eventsAcknowledged: calls.reduce((sum, call) => sum + call.steps.filter((step) => step.status === 200).length, 0),
    callLogRows: rows.length,
    missedCalls: rows.filter((row) => row.status === 'missed').length,
    perFault: faults.map((fault) => perFault(fault, verdicts)),
    verdicts,
    unexpectedRows,
  };
}

function judge(call: CallRecord, rows: CallRow[]): CallVerdict {
  const { owed } = call.plan;
  const duplicated = rows.length > 1 || rows.filter((row) => row.status === 'missed').length > 1;
  if (!call.acknowledged) return { call, rows, verdict: duplicated ? 'indeterminate+duplicated' : 'indeterminate' };
  const delivered = rows.some((row) => row.status === owed.status && row.direction === owed.direction);
  const verdict: Verdict = !delivered ? (duplicated ? 'lost+duplicated' : 'lost') : duplicated ? 'duplicated' : 'ok';
  return { call, rows, verdict };
}

/** The call's events straddle the fault: its first was sent before the service was back, its last answered after the fault began. */
export function inFlightDuring(call: CallRecord, fault: FaultRecord): boolean {
  return call.startedAt <= fault.healedAt && call.endedAt >= fault.startedAt;
}

function perFault(fault: FaultRecord, verdicts: CallVerdict[]): FaultCounters {
  const during = verdicts.filter((v) => inFlightDuring(v.call, fault));
  const count = (...wanted: Verdict[]) => during.filter((v) => wanted.includes(v.verdict)).length;
  return {
    fault,
    inFlight: during.length,
    recovered: count('ok'),
    lost: count('lost', 'lost+duplicated'),
    duplicated: count('duplicated', 'lost+duplicated', 'indeterminate+duplicated'),
    indeterminate: count('indeterminate', 'indeterminate+duplicated'),
  };
}

function groupByRemote(rows: CallRow[]): Map<string, CallRow[]> {
  const byRemote = new Map<string, CallRow[]>();
  for (const row of rows) {
    const list = byRemote.get(row.remote) ?? [];
    list.push(row);
    byRemote.set(row.remote, list);
  }
  return byRemote;
}
