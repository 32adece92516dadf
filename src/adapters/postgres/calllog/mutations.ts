import type { LegOutcome } from '../../../domain/callstate/CallStateStore';
import { normaliseNumber, numberTail } from '../../../domain/directory/numbers';
import type { CallStart, CallView, LegStart } from '../../../domain/calllog/CallLog';
import type { CallRow, LegRow } from '../../../domain/calllog/rows';
import { callView, getCallRow, latestLeg, type PgCallLogContext } from './rows';
import { execute, selectRow } from './sql';

/**
 * The per-event call mutations, as the SQLite call log's (src/adapters/sqlite/calllog/mutations.ts).
 * Each runs inside the transaction PostgresCallLog opens for it (with the idempotency marker),
 * locks the call's row first (another server may be writing the same call) and returns null when
 * the call is unknown.
 */

const CLOSE_HOLD = `hold_ms = hold_ms + CASE WHEN hold_started_at IS NULL THEN 0 ELSE GREATEST(0, @at::bigint - hold_started_at) END, hold_started_at = NULL`;

async function insertLeg(ctx: PgCallLogContext, account: string, callId: string, leg: LegStart, sequence: number, state: LegRow['state']): Promise<LegRow> {
  const row = await selectRow<LegRow>(
    ctx.db,
    `INSERT INTO cl_legs (account, call_id, mac, sequence, agent, state, transfer, transferred_from, ring_at)
     VALUES (@account, @callId, @mac, @sequence, @agent, @state, @transfer, @transferredFrom, @at) RETURNING *`,
    { account, callId, mac: leg.mac, sequence, agent: leg.agent, state, transfer: leg.transfer ? 1 : 0, transferredFrom: leg.transferredFrom, at: leg.at },
  );
  return row!;
}

/** The device's open leg, or a new one (the device had none, or only ended ones: a transfer back). */
async function openLeg(ctx: PgCallLogContext, account: string, callId: string, leg: LegStart, state: LegRow['state']): Promise<LegRow> {
  const latest = await latestLeg(ctx, account, callId, leg.mac);
  if (latest && latest.ended_at === null) return latest;
  return insertLeg(ctx, account, callId, leg, (latest?.sequence ?? 0) + 1, state);
}

/** Inserts the call; false when it was there already (then nothing was written). Two servers inserting it at once: one inserts, the other waits and finds it. */
async function insertCall(ctx: PgCallLogContext, call: CallStart, leg: LegStart): Promise<boolean> {
  const inserted = await execute(
    ctx.db,
    `INSERT INTO cl_calls (account, id, direction, remote, remote_norm, remote_tail, remote_name, local, line, helpline,
       agent, device, status, started_at, parent_id, transferred_from)
     VALUES (@account, @id, @direction, @remote, @remoteNorm, @remoteTail, @remoteName, @local, @line, @helpline,
       @agent, @device, 'ringing', @startedAt, @parentId, @transferredFrom)
     ON CONFLICT (account, id) DO NOTHING`,
    {
      account: call.account, id: call.id, direction: call.direction, remote: call.remote,
      remoteNorm: normaliseNumber(call.remote), remoteTail: numberTail(call.remote), remoteName: call.remoteName,
      local: call.local, line: call.line, helpline: call.helpline, agent: call.agent,
      device: call.direction === 'out' ? leg.mac : null, startedAt: call.startedAt, parentId: call.parentId,
      transferredFrom: call.transferredFrom ?? (leg.transfer ? leg.transferredFrom : null),
    },
  );
  return inserted === 1;
}

/** A call the log already had: a transfer continuation reopens it, a late name fills in. */
async function mergeRinging(ctx: PgCallLogContext, existing: CallRow, call: CallStart, leg: LegStart): Promise<void> {
  const key = { account: call.account, id: call.id };
  const transferredFrom = leg.transfer ? (leg.transferredFrom ?? call.transferredFrom) : null;
  if (existing.ended_at !== null && leg.transfer) {
    // A transfer continuation of a call that had already ended: it is live again. Any other leg
    // joining a finished call (a late ring-group leg) is recorded on it and leaves it finished.
    await execute(
      ctx.db,
      `UPDATE cl_calls SET status = 'ringing', ended_at = NULL, transferred_from = COALESCE(@transferredFrom, transferred_from) WHERE account = @account AND id = @id`,
      { ...key, transferredFrom: transferredFrom ?? call.transferredFrom },
    );
  } else if (transferredFrom !== null) {
    await execute(ctx.db, 'UPDATE cl_calls SET transferred_from = @transferredFrom WHERE account = @account AND id = @id', { ...key, transferredFrom });
  }
  if (existing.remote_name === '' && call.remoteName !== '') {
    await execute(ctx.db, 'UPDATE cl_calls SET remote_name = @remoteName WHERE account = @account AND id = @id', { ...key, remoteName: call.remoteName });
  }
}

export async function applyRinging(ctx: PgCallLogContext, input: { call: CallStart; leg: LegStart; targets: string[] }): Promise<CallView> {
  const { call, leg } = input;
  if (!(await insertCall(ctx, call, leg))) {
    const existing = await getCallRow(ctx, call.account, call.id, true);
    if (!existing) throw new Error(`call ${call.id} was deleted while it rang`);
    await mergeRinging(ctx, existing, call, leg);
  }
  const row = await openLeg(ctx, call.account, call.id, leg, 'ringing');
  if (leg.agent !== null && row.agent === null) await execute(ctx.db, 'UPDATE cl_legs SET agent = @agent WHERE id = @id', { agent: leg.agent, id: row.id });
  for (const agent of input.targets) {
    await execute(ctx.db, 'INSERT INTO cl_targets (account, call_id, agent) VALUES (@account, @callId, @agent) ON CONFLICT DO NOTHING', { account: call.account, callId: call.id, agent });
  }
  // Offered to someone: no longer a call that rang nobody in particular (visibility.ts).
  if (input.targets.length > 0) await execute(ctx.db, 'UPDATE cl_calls SET targeted = 1 WHERE account = @account AND id = @id AND targeted = 0', { account: call.account, id: call.id });
  return (await callView(ctx, call.account, call.id))!;
}

export async function applyAnswered(
  ctx: PgCallLogContext,
  input: { callId: string; account: string; mac: string; agent: string | null; at: number; owner: boolean },
): Promise<CallView | null> {
  const call = await getCallRow(ctx, input.account, input.callId, true);
  if (!call) return null;
  const leg = await openLeg(ctx, input.account, input.callId, { mac: input.mac, agent: input.agent, at: input.at, transfer: false, transferredFrom: null }, 'answered');
  await execute(
    ctx.db,
    `UPDATE cl_legs SET state = 'answered', answered_at = COALESCE(answered_at, @at), agent = COALESCE(@agent, agent) WHERE id = @id`,
    { at: input.at, agent: input.agent, id: leg.id },
  );
  if (input.owner) {
    const agent = input.agent ?? leg.agent ?? (call.direction === 'out' ? call.agent : null);
    // A call that had finished unanswered and is now answered by a leg that reached us late was
    // not missed: it is going on again (src/adapters/sqlite/calllog/mutations.ts, applyAnswered).
    await execute(
      ctx.db,
      `UPDATE cl_calls SET agent = @agent, device = @mac, answered_at = COALESCE(answered_at, @at),
         status = CASE WHEN ended_at IS NULL OR answered_at IS NULL THEN 'in_progress' ELSE status END,
         ended_at = CASE WHEN answered_at IS NULL THEN NULL ELSE ended_at END
       WHERE account = @account AND id = @callId`,
      { agent, mac: input.mac, at: input.at, account: input.account, callId: input.callId },
    );
  }
  return callView(ctx, input.account, input.callId);
}

export async function applyLegEnded(
  ctx: PgCallLogContext,
  input: { callId: string; account: string; mac: string; agent: string | null; outcome: LegOutcome; at: number },
): Promise<CallView | null> {
  if (!(await getCallRow(ctx, input.account, input.callId, true))) return null;
  // A device that ends a leg it never reported ringing still took part: give it a leg.
  const leg = (await latestLeg(ctx, input.account, input.callId, input.mac))
    ?? (await insertLeg(ctx, input.account, input.callId, { mac: input.mac, agent: input.agent, at: input.at, transfer: false, transferredFrom: null }, 1, 'ringing'));
  if (leg.ended_at === null) {
    const state = input.outcome === 'rejected' ? 'rejected' : input.outcome === 'missed' && leg.answered_at === null ? 'missed' : 'ended';
    await execute(
      ctx.db,
      `UPDATE cl_legs SET ${CLOSE_HOLD}, state = @state, ended_at = @at, agent = COALESCE(agent, @agent) WHERE id = @id`,
      { at: input.at, state, agent: input.agent, id: leg.id },
    );
  }
  if (input.outcome === 'rejected') {
    await execute(ctx.db, 'UPDATE cl_calls SET rejected_by = @by WHERE account = @account AND id = @callId', {
      by: input.agent ?? leg.agent ?? input.mac, account: input.account, callId: input.callId,
    });
  }
  return callView(ctx, input.account, input.callId);
}

/** Hold time accumulates on the device's open leg between on and off; a second on, or an off without on, changes nothing. */
export async function applyHold(ctx: PgCallLogContext, input: { callId: string; account: string; mac: string; on: boolean; at: number }): Promise<CallView | null> {
  if (!(await getCallRow(ctx, input.account, input.callId, true))) return null;
  const leg = await latestLeg(ctx, input.account, input.callId, input.mac);
  if (leg && leg.ended_at === null) {
    const set = input.on ? 'hold_started_at = COALESCE(hold_started_at, @at)' : CLOSE_HOLD;
    await execute(ctx.db, `UPDATE cl_legs SET ${set} WHERE id = @id`, { at: input.at, id: leg.id });
  }
  return callView(ctx, input.account, input.callId);
}

/** The device's leg was transferred away: state 'transferred', and its talk time ends here. */
export async function applyTransfer(ctx: PgCallLogContext, input: { callId: string; account: string; mac: string; at: number }): Promise<CallView | null> {
  if (!(await getCallRow(ctx, input.account, input.callId, true))) return null;
  const leg = await latestLeg(ctx, input.account, input.callId, input.mac);
  if (leg) {
    await execute(ctx.db, `UPDATE cl_legs SET ${CLOSE_HOLD}, state = 'transferred', ended_at = COALESCE(ended_at, @at) WHERE id = @id`, { at: input.at, id: leg.id });
  }
  return callView(ctx, input.account, input.callId);
}
