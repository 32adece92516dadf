import type { CallStateStore } from '../callstate/CallStateStore';
import type { CallLog, CallView } from '../calllog/CallLog';
import type { PushHub } from '../push/PushHub';
import type { Logger } from '../shared/logger';

/**
 * SPEC 4.4: an unanswered call is queued and becomes a missed call only after the grace delay,
 * because another device may still report that it answered. The queue lives in the call-state
 * store, so a pending missed call survives a restart and is raised by whichever process sweeps.
 */
export class MissedCallSweeper {
  private timer: NodeJS.Timeout | null = null;
  private interval: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly deps: { state: CallStateStore; log: CallLog; push: PushHub; logger: Logger; clock: () => number; delayMs: number; onRaised?: () => Promise<void> },
  ) {}

  /** The grace delay between a call's end and its missed call. */
  get delayMs(): number {
    return this.deps.delayMs;
  }

  start(): void {
    // The interval is a safety net (entries queued by another process, leases coming back);
    // entries queued here arm an exact timer.
    this.interval = setInterval(() => void this.sweep(), Math.min(1000, this.deps.delayMs));
    this.interval.unref();
    void this.sweep();
  }

  async schedule(call: CallView, endedAt: number): Promise<void> {
    const dueAt = endedAt + this.deps.delayMs;
    await this.deps.state.queueMissedCall(call.account, { callId: call.id, remote: call.remote, mac: call.device ?? '', dueAt, payload: {} });
    this.arm(dueAt);
  }

  private arm(dueAt: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sweep(), Math.max(0, dueAt - this.deps.clock()) + 1);
    this.timer.unref();
  }

  /** Raises every due missed call once; concurrent calls share one pass. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const { state } = this.deps;
    try {
      for (const account of await state.accountsWithMissedCalls()) {
        for (const entry of await state.getReadyMissedCalls(account, this.deps.clock())) {
          await this.raise(account, entry.callId, entry.dueAt - this.deps.delayMs);
          await state.ackMissedCall(account, entry.callId);
        }
      }
    } catch (error) {
      // The leased entries come back after their lease; nothing is lost.
      this.deps.logger.error({ err: error }, 'missed-call sweep failed');
    }
  }

  private async raise(account: string, callId: string, endedAt: number): Promise<void> {
    const { state, log, push } = this.deps;
    if (await state.wasAnswered(account, callId)) return;
    const { applied, value: missed } = await log.recordMissedCall({ callId, account, at: endedAt });
    if (!applied || !missed) return;
    const call = await log.getCall(account, callId);
    push.toAgents(account, missed.targets, { type: 'call.missed', at: this.deps.clock(), account, call, missed });
    await this.deps.onRaised?.();
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.interval) clearInterval(this.interval);
    return this.sweeping ?? Promise.resolve();
  }
}
