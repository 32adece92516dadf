import type { LegOutcome } from '../../../domain/callstate/CallStateStore';
import { normaliseNumber, numberTail } from '../../../domain/directory/numbers';
import type { CallStart, CallView, LegStart } from '../../../domain/calllog/CallLog';
import { keepLeg, latestLegOf, type CallRow, type LegRow } from '../../../domain/calllog/rows';
import { getCallRow, INSERT_MARKER, legRows, viewOf, type Marker, type PgCallLogContext } from './rows';
import { execute, selectRow } from './sql';

/**
 * The per-event call mutations, as the SQLite call log's (src/adapters/sqlite/calllog/mutations.ts).
 * Each runs inside the transaction PostgresCallLog opens for it, on the call's row as that
 * transaction locked it (FOR UPDATE: another server may be writing the same call), and keeps the
 * call's legs as it reads and writes them (RETURNING *), so the view it returns costs no more
 * round trips: each statement is one, and round trips are most of what a call event costs a
 * central server (docs/architecture.md, PostgreSQL).
 */

const CLOSE_HOLD = `hold_ms = hold_ms + CASE WHEN hold_started_at IS NULL THEN 0 ELSE GREATEST(0, @at::bigint - hold_started_at) END, hold_started_at = NULL`;

async function insertLeg(ctx: PgCallLogContext, legs: LegRow[], account: string, callId: string, leg: LegStart, sequence: number, state: LegRow['state']): Promise<LegRow> {
  const row = await selectRow<LegRow>(
    ctx.db,
    `INSERT INTO cl_legs (account, call_id, mac, sequence, agent, state, transfer, transferred_from, ring_at)
     VALUES (@account, @callId, @mac, @sequence, @agent, @state, @transfer, @transferredFrom, @at) RETURNING *`,
    { account, callId, mac: leg.mac, sequence, agent: leg.agent, state, transfer: leg.transfer ? 1 : 0, transferredFrom: leg.transferredFrom, at: leg.at },
  );
  return keepLeg(legs, row!);
}

/** Updates one leg (`set` over @-parameters and the leg's @id) and keeps it as written. */
async function updateLeg(ctx: PgCallLogContext, legs: LegRow[], set: string, params: Record<string, unknown>): Promise<LegRow> {
  return keepLeg(legs, (await selectRow<LegRow>(ctx.db, `UPDATE cl_legs SET ${set} WHERE id = @id RETURNING *`, params))!);
}

/** Updates the call's row (`set` over @-parameters) and gives it as written. */
async function updateCall(ctx: PgCallLogContext, account: string, id: string, set: string, params: Record<string, unknown> = {}): Promise<CallRow> {
  return (await selectRow<CallRow>(ctx.db, `UPDATE cl_calls SET ${set} WHERE account = @account AND id = @id RETURNING *`, { ...params, account, id }))!;
}

/** The device's open leg, or a new one (the device had none, or only ended ones: a transfer back). */
async function openLeg(ctx: PgCallLogContext, legs: LegRow[], account: string, callId: string, leg: LegStart, state: LegRow['state']): Promise<LegRow> {
  const latest = latestLegOf(legs, leg.mac);
  if (latest && latest.ended_at === null) return latest;
  return insertLeg(ctx, legs, account, callId, leg, (latest?.sequence ?? 0) + 1, state);
}

/**
 * The event's marker and the call's row, new, in one statement: whether the marker is new, and
 * the row when this statement inserted it (null when the call was there already: its row is then
 * locked and read by the caller). Without a new marker nothing is inserted. Two servers inserting
 * the call at once: one inserts, the other waits for its commit and finds it.
 */
async function markAndInsertCall(ctx: PgCallLogContext, marker: Marker, call: CallStart, leg: LegStart, targeted: boolean): Promise<{ marked: boolean; inserted: CallRow | null }> {
  const found = await selectRow<CallRow & { marked_now: number }>(
    ctx.db,
    `WITH marker AS (${INSERT_MARKER}),
     inserted AS (
       INSERT INTO cl_calls (account, id, direction, remote, remote_norm, remote_tail, remote_name, local, line, helpline,
         agent, device, status, started_at, parent_id, transferred_from, targeted)
       SELECT @account, @id, @direction, @remote, @remoteNorm, @remoteTail, @remoteName, @local, @line, @helpline,
         @agent, @device, 'ringing', @startedAt::bigint, @parentId, @transferredFrom, @targeted::int
       WHERE EXISTS (SELECT 1 FROM marker)
       ON CONFLICT (account, id) DO NOTHING RETURNING *)
     SELECT (SELECT count(*) FROM marker)::int AS marked_now, inserted.* FROM (SELECT 1) AS one LEFT JOIN inserted ON true`,
    {
      ...marker, account: call.account, id: call.id, direction: call.direction, remote: call.remote,
      remoteNorm: normaliseNumber(call.remote), remoteTail: numberTail(call.remote), remoteName: call.remoteName,
      local: call.local, line: call.line, helpline: call.helpline, agent: call.agent,
      device: call.direction === 'out' ? leg.mac : null, startedAt: call.startedAt, parentId: call.parentId,
      transferredFrom: call.transferredFrom ?? (leg.transfer ? leg.transferredFrom : null), targeted: targeted ? 1 : 0,
    },
  );
  const { marked_now: marked, ...row } = found!;
  return { marked: marked === 1, inserted: row.id === null ? null : row };
}

/** A call the log already had: a transfer continuation reopens it, a late name fills in. */
async function mergeRinging(ctx: PgCallLogContext, existing: CallRow, call: CallStart, leg: LegStart): Promise<CallRow> {
  let row = existing;
  const transferredFrom = leg.transfer ? (leg.transferredFrom ?? call.transferredFrom) : null;
  if (existing.ended_at !== null && leg.transfer) {
    // A transfer continuation of a call that had already ended: it is live again. Any other leg
    // joining a finished call (a late ring-group leg) is recorded on it and leaves it finished.
    row = await updateCall(ctx, call.account, call.id, `status = 'ringing', ended_at = NULL, transferred_from = COALESCE(@transferredFrom, transferred_from)`, {
      transferredFrom: transferredFrom ?? call.transferredFrom,
    });
  } else if (transferredFrom !== null) {
    row = await updateCall(ctx, call.account, call.id, 'transferred_from = @transferredFrom', { transferredFrom });
  }
  if (existing.remote_name === '' && call.remoteName !== '') {
    row = await updateCall(ctx, call.account, call.id, 'remote_name = @remoteName', { remoteName: call.remoteName });
  }
  return row;
}

/** Offers the call to these agents, in this order (cl_targets.seq), in one statement. */
async function addTargets(ctx: PgCallLogContext, account: string, callId: string, agents: string[]): Promise<void> {
  if (agents.length === 0) return;
  await execute(
    ctx.db,
    `INSERT INTO cl_targets (account, call_id, agent)
     SELECT @account, @callId, agent FROM unnest(@agents::text[]) WITH ORDINALITY AS offered (agent, n) ORDER BY n
     ON CONFLICT DO NOTHING`,
    { account, callId, agents },
  );
}

/**
 * The ringing step: the marker and a new call in the first statement; a call the log already had
 * is locked, merged and then given the leg. Null when the marker was there already (a repeat).
 */
export async function applyRinging(ctx: PgCallLogContext, marker: Marker, input: { call: CallStart; leg: LegStart; targets: string[] }): Promise<CallView | null> {
  const { call, leg, targets } = input;
  const { marked, inserted } = await markAndInsertCall(ctx, marker, call, leg, targets.length > 0);
  if (!marked) return null;
  if (inserted) {
    // A new call has no legs yet (they reference its row), and it was inserted already offered to its targets.
    const legs: LegRow[] = [];
    await insertLeg(ctx, legs, call.account, call.id, leg, 1, 'ringing');
    await addTargets(ctx, call.account, call.id, targets);
    return viewOf(ctx, inserted, legs);
  }
  const existing = await getCallRow(ctx, call.account, call.id, true);
  if (!existing) throw new Error(`call ${call.id} was deleted while it rang`);
  let row = await mergeRinging(ctx, existing, call, leg);
  const legs = await legRows(ctx, call.account, call.id);
  const legRow = await openLeg(ctx, legs, call.account, call.id, leg, 'ringing');
  if (leg.agent !== null && legRow.agent === null) await updateLeg(ctx, legs, 'agent = @agent', { agent: leg.agent, id: legRow.id });
  await addTargets(ctx, call.account, call.id, targets);
  // Offered to someone: no longer a call that rang nobody in particular (visibility.ts).
  if (targets.length > 0 && row.targeted === 0) row = await updateCall(ctx, call.account, call.id, 'targeted = 1');
  return viewOf(ctx, row, legs);
}

/** The answered step on the locked call's row. */
export async function applyAnswered(
  ctx: PgCallLogContext,
  call: CallRow,
  input: { callId: string; account: string; mac: string; agent: string | null; at: number; owner: boolean },
): Promise<CallView> {
  const legs = await legRows(ctx, input.account, input.callId);
  const leg = await openLeg(ctx, legs, input.account, input.callId, { mac: input.mac, agent: input.agent, at: input.at, transfer: false, transferredFrom: null }, 'answered');
  await updateLeg(ctx, legs, `state = 'answered', answered_at = COALESCE(answered_at, @at), agent = COALESCE(@agent, agent)`, { at: input.at, agent: input.agent, id: leg.id });
  if (!input.owner) return viewOf(ctx, call, legs);
  const agent = input.agent ?? leg.agent ?? (call.direction === 'out' ? call.agent : null);
  // A call that had finished unanswered and is now answered by a leg that reached us late was
  // not missed: it is going on again (src/adapters/sqlite/calllog/mutations.ts, applyAnswered).
  const row = await updateCall(
    ctx, input.account, input.callId,
    `agent = @agent, device = @mac, answered_at = COALESCE(answered_at, @at),
     status = CASE WHEN ended_at IS NULL OR answered_at IS NULL THEN 'in_progress' ELSE status END,
     ended_at = CASE WHEN answered_at IS NULL THEN NULL ELSE ended_at END`,
    { agent, mac: input.mac, at: input.at },
  );
  return viewOf(ctx, row, legs);
}

/** The leg-ended step on the locked call's row. */
export async function applyLegEnded(
  ctx: PgCallLogContext,
  call: CallRow,
  input: { callId: string; account: string; mac: string; agent: string | null; outcome: LegOutcome; at: number },
): Promise<CallView> {
  const legs = await legRows(ctx, input.account, input.callId);
  // A device that ends a leg it never reported ringing still took part: give it a leg.
  let leg = latestLegOf(legs, input.mac)
    ?? (await insertLeg(ctx, legs, input.account, input.callId, { mac: input.mac, agent: input.agent, at: input.at, transfer: false, transferredFrom: null }, 1, 'ringing'));
  if (leg.ended_at === null) {
    const state = input.outcome === 'rejected' ? 'rejected' : input.outcome === 'missed' && leg.answered_at === null ? 'missed' : 'ended';
    leg = await updateLeg(ctx, legs, `${CLOSE_HOLD}, state = @state, ended_at = @at, agent = COALESCE(agent, @agent)`, { at: input.at, state, agent: input.agent, id: leg.id });
  }
  if (input.outcome !== 'rejected') return viewOf(ctx, call, legs);
  const row = await updateCall(ctx, input.account, input.callId, 'rejected_by = @by', { by: input.agent ?? leg.agent ?? input.mac });
  return viewOf(ctx, row, legs);
}

/** Hold time accumulates on the device's open leg between on and off; a second on, or an off without on, changes nothing. */
export async function applyHold(ctx: PgCallLogContext, call: CallRow, input: { callId: string; account: string; mac: string; on: boolean; at: number }): Promise<CallView> {
  const legs = await legRows(ctx, input.account, input.callId);
  const leg = latestLegOf(legs, input.mac);
  if (leg && leg.ended_at === null) {
    await updateLeg(ctx, legs, input.on ? 'hold_started_at = COALESCE(hold_started_at, @at)' : CLOSE_HOLD, { at: input.at, id: leg.id });
  }
  return viewOf(ctx, call, legs);
}

/** The device's leg was transferred away: state 'transferred', and its talk time ends here. */
export async function applyTransfer(ctx: PgCallLogContext, call: CallRow, input: { callId: string; account: string; mac: string; at: number }): Promise<CallView> {
  const legs = await legRows(ctx, input.account, input.callId);
  const leg = latestLegOf(legs, input.mac);
  if (leg) await updateLeg(ctx, legs, `${CLOSE_HOLD}, state = 'transferred', ended_at = COALESCE(ended_at, @at)`, { at: input.at, id: leg.id });
  return viewOf(ctx, call, legs);
}
