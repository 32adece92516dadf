import type { LegOutcome } from '../../../domain/callstate/CallStateStore';
import { normaliseNumber, numberTail } from '../../../domain/directory/numbers';
import type { CallStart, CallView, LegStart } from '../../../domain/calllog/CallLog';
import { inViewOrder, keepLeg, latestLegOf } from '../../../domain/calllog/rows';
import { CALL_COLUMNS, LEG_COLUMNS, callRow, getCallRow, legRow, legRows, toCallView, type CallLogContext, type CallRow, type LegRow } from './rows';

/**
 * The per-event call mutations. Each runs inside the transaction SqliteCallLog opens for it
 * (together with the idempotency marker) and returns null when the call is unknown. Each reads
 * the call's legs once and keeps them as it writes them (src/domain/calllog/rows.ts, latestLegOf).
 */

/** The call's view: its row and legs as this mutation left them (nothing after that changed them). */
function viewOf(ctx: CallLogContext, row: CallRow, legs: LegRow[]): CallView {
  return toCallView(ctx, row, inViewOrder(legs));
}

const CLOSE_HOLD = `hold_ms = hold_ms + CASE WHEN hold_started_at IS NULL THEN 0 ELSE MAX(0, @at - hold_started_at) END, hold_started_at = NULL`;

function insertLeg(ctx: CallLogContext, legs: LegRow[], account: string, callId: string, leg: LegStart, sequence: number, state: LegRow['state']): LegRow {
  return keepLeg(legs, legRow(
    ctx,
    `INSERT INTO cl_legs (account, call_id, mac, sequence, agent, state, transfer, transferred_from, ring_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${LEG_COLUMNS}`,
    account, callId, leg.mac, sequence, leg.agent, state, leg.transfer ? 1 : 0, leg.transferredFrom, leg.at,
  )!);
}

/** The device's open leg, or a new one (the device had none, or only ended ones: a transfer back). */
function openLeg(ctx: CallLogContext, legs: LegRow[], account: string, callId: string, leg: LegStart, state: LegRow['state']): LegRow {
  const latest = latestLegOf(legs, leg.mac);
  if (latest && latest.ended_at === null) return latest;
  return insertLeg(ctx, legs, account, callId, leg, (latest?.sequence ?? 0) + 1, state);
}

export function applyRinging(ctx: CallLogContext, input: { call: CallStart; leg: LegStart; targets: string[] }): CallView {
  const { call, leg } = input;
  const existing = getCallRow(ctx, call.account, call.id);
  // A new call has no legs yet (they reference its row).
  const legs = existing ? legRows(ctx, call.account, call.id) : [];
  let row: CallRow;
  if (!existing) {
    row = callRow(
      ctx,
      `INSERT INTO cl_calls (account, id, direction, remote, remote_norm, remote_tail, remote_name, local, line, helpline,
         agent, device, status, started_at, parent_id, transferred_from, targeted)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ringing', ?, ?, ?, ?) RETURNING ${CALL_COLUMNS}`,
      call.account, call.id, call.direction, call.remote, normaliseNumber(call.remote), numberTail(call.remote), call.remoteName,
      call.local, call.line, call.helpline, call.agent, call.direction === 'out' ? leg.mac : null, call.startedAt, call.parentId,
      call.transferredFrom ?? (leg.transfer ? leg.transferredFrom : null),
      // Offered to someone from its first ring: marked so at once (visibility.ts), not by an update after.
      input.targets.length > 0 ? 1 : 0,
    )!;
  } else {
    row = existing;
    const transferredFrom = leg.transfer ? (leg.transferredFrom ?? call.transferredFrom) : null;
    if (existing.ended_at !== null && leg.transfer) {
      // A transfer continuation of a call that had already ended: it is live again. Any other leg
      // joining a finished call (a late ring-group leg, CallStateStore RingingResult.late) is
      // recorded on it and leaves it finished: only an answer can change how it ended (applyAnswered).
      row = callRow(
        ctx,
        `UPDATE cl_calls SET status = 'ringing', ended_at = NULL, transferred_from = COALESCE(?, transferred_from) WHERE account = ? AND id = ? RETURNING ${CALL_COLUMNS}`,
        transferredFrom ?? call.transferredFrom, call.account, call.id,
      )!;
    } else if (transferredFrom !== null) {
      row = callRow(ctx, `UPDATE cl_calls SET transferred_from = ? WHERE account = ? AND id = ? RETURNING ${CALL_COLUMNS}`, transferredFrom, call.account, call.id)!;
    }
    if (existing.remote_name === '' && call.remoteName !== '') {
      row = callRow(ctx, `UPDATE cl_calls SET remote_name = ? WHERE account = ? AND id = ? RETURNING ${CALL_COLUMNS}`, call.remoteName, call.account, call.id)!;
    }
  }
  const ringingLeg = openLeg(ctx, legs, call.account, call.id, leg, 'ringing');
  if (leg.agent !== null && ringingLeg.agent === null) keepLeg(legs, legRow(ctx, `UPDATE cl_legs SET agent = ? WHERE id = ? RETURNING ${LEG_COLUMNS}`, leg.agent, ringingLeg.id)!);
  const addTarget = ctx.sql('INSERT OR IGNORE INTO cl_targets (account, call_id, agent) VALUES (?, ?, ?)');
  for (const agent of input.targets) addTarget.run(call.account, call.id, agent);
  // Offered to someone: no longer a call that rang nobody in particular (visibility.ts). The row
  // held is the call as it is, so a call marked already (a new one is marked by its insert) needs no write.
  if (input.targets.length > 0 && row.targeted === 0) {
    row = callRow(ctx, `UPDATE cl_calls SET targeted = 1 WHERE account = ? AND id = ? RETURNING ${CALL_COLUMNS}`, call.account, call.id)!;
  }
  return viewOf(ctx, row, legs);
}

export function applyAnswered(
  ctx: CallLogContext,
  input: { callId: string; account: string; mac: string; agent: string | null; at: number; owner: boolean },
): CallView | null {
  const call = getCallRow(ctx, input.account, input.callId);
  if (!call) return null;
  const legs = legRows(ctx, input.account, input.callId);
  const leg = openLeg(ctx, legs, input.account, input.callId, { mac: input.mac, agent: input.agent, at: input.at, transfer: false, transferredFrom: null }, 'answered');
  keepLeg(legs, legRow(
    ctx,
    `UPDATE cl_legs SET state = 'answered', answered_at = COALESCE(answered_at, ?), agent = COALESCE(?, agent) WHERE id = ? RETURNING ${LEG_COLUMNS}`,
    input.at, input.agent, leg.id,
  )!);
  if (input.owner) {
    const agent = input.agent ?? leg.agent ?? (call.direction === 'out' ? call.agent : null);
    // A call that had finished unanswered (its missed call maybe raised already) and is now
    // answered by a leg that reached us late was not missed: it is going on again, and its end
    // finalises it as answered (the missed call itself is closed by the handler).
    const answered = callRow(
      ctx,
      `UPDATE cl_calls SET agent = ?, device = ?, answered_at = COALESCE(answered_at, ?),
         status = CASE WHEN ended_at IS NULL OR answered_at IS NULL THEN 'in_progress' ELSE status END,
         ended_at = CASE WHEN answered_at IS NULL THEN NULL ELSE ended_at END
       WHERE account = ? AND id = ? RETURNING ${CALL_COLUMNS}`,
      agent, input.mac, input.at, input.account, input.callId,
    )!;
    return viewOf(ctx, answered, legs);
  }
  return viewOf(ctx, call, legs);
}

export function applyLegEnded(
  ctx: CallLogContext,
  input: { callId: string; account: string; mac: string; agent: string | null; outcome: LegOutcome; at: number },
): CallView | null {
  const call = getCallRow(ctx, input.account, input.callId);
  if (!call) return null;
  const legs = legRows(ctx, input.account, input.callId);
  let leg = latestLegOf(legs, input.mac);
  // A device that ends a leg it never reported ringing still took part: give it a leg.
  leg ??= insertLeg(ctx, legs, input.account, input.callId, { mac: input.mac, agent: input.agent, at: input.at, transfer: false, transferredFrom: null }, 1, 'ringing');
  if (leg.ended_at === null) {
    const state = input.outcome === 'rejected' ? 'rejected' : input.outcome === 'missed' && leg.answered_at === null ? 'missed' : 'ended';
    leg = keepLeg(legs, legRow(
      ctx,
      `UPDATE cl_legs SET ${CLOSE_HOLD}, state = @state, ended_at = @at, agent = COALESCE(agent, @agent) WHERE id = @id RETURNING ${LEG_COLUMNS}`,
      { at: input.at, state, agent: input.agent, id: leg.id },
    )!);
  }
  if (input.outcome === 'rejected') {
    const rejectedBy = input.agent ?? leg.agent ?? input.mac;
    return viewOf(ctx, callRow(ctx, `UPDATE cl_calls SET rejected_by = ? WHERE account = ? AND id = ? RETURNING ${CALL_COLUMNS}`, rejectedBy, input.account, input.callId)!, legs);
  }
  return viewOf(ctx, call, legs);
}

/** Hold time accumulates on the device's open leg between on and off; a second on, or an off without on, changes nothing. */
export function applyHold(ctx: CallLogContext, input: { callId: string; account: string; mac: string; on: boolean; at: number }): CallView | null {
  const call = getCallRow(ctx, input.account, input.callId);
  if (!call) return null;
  const legs = legRows(ctx, input.account, input.callId);
  const leg = latestLegOf(legs, input.mac);
  if (leg && leg.ended_at === null) {
    const held = input.on
      ? legRow(ctx, `UPDATE cl_legs SET hold_started_at = COALESCE(hold_started_at, ?) WHERE id = ? RETURNING ${LEG_COLUMNS}`, input.at, leg.id)
      : legRow(ctx, `UPDATE cl_legs SET ${CLOSE_HOLD} WHERE id = @id RETURNING ${LEG_COLUMNS}`, { at: input.at, id: leg.id });
    keepLeg(legs, held!);
  }
  return viewOf(ctx, call, legs);
}

/**
 * The device's leg was transferred away: state 'transferred', and its talk time ends here (a
 * later hangup of the same leg changes nothing; ringing on this device again is a new leg).
 */
export function applyTransfer(ctx: CallLogContext, input: { callId: string; account: string; mac: string; at: number }): CallView | null {
  const call = getCallRow(ctx, input.account, input.callId);
  if (!call) return null;
  const legs = legRows(ctx, input.account, input.callId);
  const leg = latestLegOf(legs, input.mac);
  if (leg) {
    keepLeg(legs, legRow(
      ctx,
      `UPDATE cl_legs SET ${CLOSE_HOLD}, state = 'transferred', ended_at = COALESCE(ended_at, @at)
       WHERE id = @id RETURNING ${LEG_COLUMNS}`,
      { at: input.at, id: leg.id },
    )!);
  }
  return viewOf(ctx, call, legs);
}
