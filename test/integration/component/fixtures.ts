import Database from 'better-sqlite3';
import { afterEach, beforeEach } from 'vitest';
import type { Office } from '../../support/office';
import { startTestRingside, type AgentClient, type TestRingside } from '../../support/ringside';

export const MAC_A = '00:0B:82:00:00:0A';
export const MAC_B = '00:0B:82:00:00:0B';
export const MAC_C = '00:0B:82:00:00:0C';
export const HELPLINE = '5000';

let counter = 0;
/** A caller number no other test uses, so assertions can filter by it. */
export function newCaller(): string {
  counter += 1;
  return `+92300${String(Date.now() % 1_000_000).padStart(6, '0')}${String(counter).padStart(3, '0')}`;
}

/** Params as a GXP phone sends them: no call id, MAC, remote, local. */
export function params(mac: string, remote: string, local = HELPLINE, extra: Record<string, string> = {}): Record<string, string> {
  return { mac, remote, local, display_remote: 'Customer', ...extra };
}

/** A real in-process Ringside per test, stopped afterwards. */
export function useRingside(overrides: Record<string, unknown> = {}): () => TestRingside {
  let ringside: TestRingside | null = null;
  beforeEach(async () => {
    ringside = await startTestRingside(overrides);
  });
  afterEach(async () => {
    await ringside?.stop();
    ringside = null;
  });
  return () => ringside!;
}

export interface CallBody {
  id: string;
  status: string;
  direction: string;
  agent: string | null;
  remote: string;
  line: string;
  helpline: string | null;
  ringMs: number | null;
  talkMs: number | null;
  holdMs: number;
  answeredAt: number | null;
  endedAt: number | null;
  transferredFrom: string | null;
  rejectedBy: string | null;
  legs: Array<{ mac: string; agent: string | null; state: string; transfer: boolean; transferredFrom: string | null }>;
}

export async function callsFrom(ringside: TestRingside, remote: string): Promise<CallBody[]> {
  const res = await ringside.api<{ items: CallBody[] }>('GET', `/api/calls?remote=${encodeURIComponent(remote)}`);
  if (res.status !== 200) throw new Error(`GET /api/calls: ${res.status}`);
  return res.body.items;
}

export async function onlyCallFrom(ringside: TestRingside, remote: string): Promise<CallBody> {
  const calls = await callsFrom(ringside, remote);
  if (calls.length !== 1) throw new Error(`expected one call from ${remote}, found ${calls.length}`);
  return calls[0]!;
}

/** Sends a sequence of phone events, each acknowledged with 200, then waits until handled. */
export async function phoneSays(ringside: TestRingside, steps: Array<[event: string, params: Record<string, string>]>): Promise<void> {
  for (const [event, p] of steps) {
    const res = await ringside.phone(event, p);
    if (res.status !== 200) throw new Error(`${event}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await ringside.settle();
}

/** An office's first two seats: Alice's phone and UI on seat X, Bob's on seat Y, one helpline ringing both phones. */
export async function helplineOnTwoSeats(office: Office): Promise<{ x: TestRingside; y: TestRingside; alice: AgentClient; bob: AgentClient }> {
  const [x, y] = office.seats as [TestRingside, TestRingside];
  await x.api('POST', '/api/helplines', { body: { number: HELPLINE, name: 'Support' } });
  const alice = await x.agent('alice', { devices: [MAC_A], name: 'Alice', helplines: [HELPLINE] });
  // The directory is shared: Bob, created through seat Y, is seen by seat X.
  const bob = await y.agent('bob', { devices: [MAC_B], name: 'Bob', helplines: [HELPLINE] });
  return { x, y, alice, bob };
}

export interface MissedBody {
  callId: string;
  remote: string;
  status: string;
  targets: string[];
  closedBy: string | null;
}

/** The missed calls of one caller, as a seat's API lists them. */
export async function missedCallsFrom(seat: TestRingside, remote: string): Promise<MissedBody[]> {
  const res = await seat.api<{ items: MissedBody[] }>('GET', '/api/missed');
  return res.body.items.filter((m) => m.remote === remote);
}

/** The acknowledged events whose handling did not finish: the office's call log has no handled marker for them. */
export function unappliedEvents(office: Office, acknowledged: readonly string[]): string[] {
  return unhandledIn(office.shared.database as string, acknowledged);
}

/** Acknowledged events without the call log's handled marker in the SQLite file `database`. */
export function unhandledIn(database: string, acknowledged: readonly string[]): string[] {
  const db = new Database(database, { readonly: true });
  try {
    const has = db.prepare("SELECT 1 FROM cl_processed_events WHERE event_id = ? AND op = 'mark'").pluck();
    return acknowledged.filter((id) => has.get(`${id}:handled`) === undefined);
  } finally {
    db.close();
  }
}
