import type { CallStateStore } from '../callstate/CallStateStore';
import { TTL_MS } from '../callstate/ttl';
import type { CallLog, CallView } from '../calllog/CallLog';
import { liveInLog } from './CallRecovery';
import type { MissedCallSweeper } from './MissedCallSweeper';
import type { Logger } from '../../shared/logger';
import { logCallEnded } from './callEndLog';

/**
 * Phones do not retry a request, so a lost hangup would leave a call ringing or in progress
 * forever, and its agent "on a call" and out of helpline routing. Once the call's live claim
 * has expired in the call-state store (TTL_MS.ring unanswered, TTL_MS.answered answered),
 * nothing will end it any more; the reaper does, at the call's last known activity: an
 * unanswered incoming call goes through the missed-call queue, an unanswered outgoing one is
 * "no answer", an answered one is answered.
 *
 * A call the call state has forgotten (Redis restarted without persistence) is not stale while
 * the log shows it going on within those same lifetimes: its end event will still come, and the
 * handlers continue it (CallRecovery); finishing it here would cut its talk time short.
 *
 * An unanswered incoming call that is over by its legs (every device's leg ended) but not
 * finished is only waiting for its grace delay, in the call state's missed-call queue. When the
 * call state was lost meanwhile, that entry went with it and nothing raises the missed call any
 * more: such a call is finished here once its grace delay (and a margin for the sweeper) has
 * passed, rather than only once a claim would have expired, which left it "ringing" in the log
 * and its missed call unraised for minutes (found by `npm run chaos`). Finishing is idempotent:
 * for a call whose entry did survive it changes nothing.
 */
export class StaleCallReaper {
  constructor(private readonly deps: { state: CallStateStore; log: CallLog; missed: MissedCallSweeper; clock: () => number; logger?: Logger }) {}

  async reap(account: string): Promise<number> {
    const now = this.deps.clock();
    const staleBefore = now - TTL_MS.ring;
    const overdueBefore = now - this.deps.missed.delayMs - SWEEP_MARGIN_MS;
    let reaped = 0;
    for (const call of await this.deps.log.unfinishedCalls(account, Math.max(staleBefore, overdueBefore))) {
      const remote = call.remote !== '' ? call.remote : `unknown@${call.legs[0]?.mac ?? ''}`;
      const live = await this.deps.state.getActiveCall(account, remote, now);
      if (live?.callId === call.id || liveInLog(call, now)) continue;
      // Younger than a claim and not live in the log: over by its legs. Only an unanswered
      // incoming call waits in the queue (the others were finished by their last event), and
      // only once its grace delay is over has the queue failed it.
      const overdue = call.answeredAt === null && call.direction === 'in' && lastActivity(call) < overdueBefore;
      if (call.startedAt >= staleBefore && !overdue) continue;
      await this.finish(call);
      reaped += 1;
    }
    return reaped;
  }

  private async finish(call: CallView): Promise<void> {
    const endedAt = lastActivity(call);
    if (call.answeredAt === null && call.direction === 'in') {
      // Its end was handled long ago (its grace counted from then is over): due at once.
      await this.deps.missed.schedule(call, endedAt, endedAt);
      return;
    }
    const status = call.answeredAt === null ? 'no_answer' : 'answered';
    const { applied, value } = await this.deps.log.finaliseCall(null, { callId: call.id, account: call.account, status, endedAt });
    if (applied && value && this.deps.logger) logCallEnded(this.deps.logger, value, { by: 'reaper' });
  }
}

/** How long after a missed call's due time the sweeper has had to raise it (it sweeps every second at most). */
const SWEEP_MARGIN_MS = 5_000;

function lastActivity(call: CallView): number {
  const times = call.legs.flatMap((leg) => [leg.ringAt, leg.answeredAt ?? 0, leg.endedAt ?? 0]);
  return Math.max(call.startedAt, call.answeredAt ?? 0, ...times);
}
