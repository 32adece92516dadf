import type { CallView } from '../calllog/CallLog';
import type { Logger } from '../../shared/logger';

/**
 * The one info line of a call that ended (docs/architecture.md, Logs): how it went, whose it was
 * and how long it rang and talked. No number or name of the caller: the call id finds the call
 * in History, and IT reading the log needs no personal data.
 *
 * `outcome`: `answered`, `no_answer` (an outgoing call nobody took) or `missed` (an incoming one,
 * after its grace delay). `offeredTo`: the agents a missed call rang. `by`: `reaper` when no
 * hang-up ever came and the stale-call reaper finished the call.
 */
export function logCallEnded(logger: Logger, call: CallView, extra: { offeredTo?: string[]; by?: 'reaper' } = {}): void {
  const ringMs = call.ringMs ?? (call.answeredAt !== null ? call.answeredAt - call.startedAt : call.endedAt !== null ? call.endedAt - call.startedAt : null);
  logger.info({
    callId: call.id, account: call.account, direction: call.direction, outcome: call.status, agent: call.agent,
    ...(extra.offeredTo !== undefined ? { offeredTo: extra.offeredTo } : {}),
    line: call.line, helpline: call.helpline, ringMs, talkMs: call.talkMs, holdMs: call.holdMs,
    ...(call.transferredFrom !== null ? { transferredFrom: call.transferredFrom } : {}),
    ...(extra.by !== undefined ? { by: extra.by } : {}),
  }, `call ended: ${call.direction === 'in' ? 'incoming' : 'outgoing'}, ${call.status.replace('_', ' ')}`);
}
