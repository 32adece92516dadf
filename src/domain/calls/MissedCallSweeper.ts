import type { CallStateStore, MissedCallEntry } from '../callstate/CallStateStore';
import type { CallLog, CallView, MissedCallView } from '../calllog/CallLog';
import type { PushHub } from '../push/PushHub';
import type { Logger } from '../../shared/logger';
import { logCallEnded } from './callEndLog';
import { TTL_MS } from '../callstate/ttl';

/** What a queue entry carries for the sweeper (MissedCallEntry.payload). */
interface MissedPayload {
  /** When the call ended (its last leg's event time): the missed call's time. */
  endedAt?: number;
  /** The call-state key of the call's remote (CallLifecycle remoteKey). */
  stateRemote?: string;
}

/** The remote as the call state keys it: a caller without a number is keyed by the device. */
function stateRemoteOf(call: CallView): string {
  return call.remote !== '' ? call.remote : `unknown@${call.legs[0]?.mac ?? ''}`;
}

/**
 * docs/call-lifecycle.md, Missed calls: an unanswered call is queued and becomes a missed call only after the grace delay,
 * because another device may still report that it answered. The queue lives in the call-state
 * store, so a pending missed call survives a restart and is raised by whichever process sweeps.
 *
 * The grace runs from when the end was handled, not only from the end's own time: the events of
 * one call reach the consumers through several seats' outboxes, so after an outage a seat's
 * backlog can end a call long after the fact while another seat's events of the same call (a
 * ring-group phone that answered) are still on their way. Each gets `delayMs` to arrive. A late
 * leg can make the call live again (legs.ts lateLegReopens); its entry then waits until it is
 * over again, and any answer by then means no missed call.
 */
export class MissedCallSweeper {
  private timer: NodeJS.Timeout | null = null;
  /** When `timer` fires (Infinity: none armed). */
  private timerAt = Infinity;
  /** The latest due time of an entry this process queued: until then it looks at `lookEveryMs`. */
  private pendingUntil = -Infinity;
  private interval: NodeJS.Timeout | null = null;
  private sweeping: Promise<boolean> | null = null;
  private stopped = false;

  constructor(
    private readonly deps: {
      state: CallStateStore; log: CallLog; push: PushHub; logger: Logger; clock: () => number; delayMs: number;
      /**
       * How often to look for entries this process did not queue and cannot know of: another
       * process's (a shared call state), or leases of a crashed process. Default the old 1 s
       * (the lesser of 1 s and the delay); a process alone with its call state sets a slow one
       * (docs/architecture.md, Idle).
       */
      safetyNetMs?: number;
      onRaised?: () => Promise<void>;
      /** Each missed call as recorded (also when raised again: idempotent), e.g. for the call-back queue. */
      onMissed?: (missed: MissedCallView) => Promise<void>;
    },
  ) {}

  /** The grace delay between a call's end and its missed call. */
  get delayMs(): number {
    return this.deps.delayMs;
  }

  /** The cadence of the looks while entries this process queued are pending: the lesser of 1 s and the delay. */
  private get lookEveryMs(): number {
    return Math.min(1000, this.deps.delayMs);
  }

  start(): void {
    // The interval is a safety net (entries queued by another process, leases coming back);
    // entries queued here arm a timer (arm). Entries queued before a restart are due within one
    // delay from now (their due time is at most a delay after their end was handled): one look then finds them.
    this.interval = setInterval(() => void this.sweep(), this.deps.safetyNetMs ?? this.lookEveryMs);
    this.interval.unref();
    void this.sweep();
    this.arm(this.deps.clock() + this.deps.delayMs);
  }

  /**
   * Queues the call's missed call, due `delayMs` after the later of its end (`endedAt`, an event
   * time) and `handledAt`, when that end was handled: now for a handler; the stale-call reaper,
   * which finishes calls whose end was handled long ago, passes the end itself.
   */
  async schedule(call: CallView, endedAt: number, handledAt = this.deps.clock()): Promise<void> {
    const dueAt = Math.max(endedAt, handledAt) + this.deps.delayMs;
    const payload: MissedPayload = { endedAt, stateRemote: stateRemoteOf(call) };
    await this.deps.state.queueMissedCall(call.account, { callId: call.id, remote: call.remote, mac: call.device ?? '', dueAt, payload: { ...payload } });
    this.arm(dueAt);
  }

  /**
   * Wakes the sweeper by `dueAt`, and then every `lookEveryMs` until the latest entry this process
   * queued is due: the earliest armed timer is kept, so entries queued later never push an earlier
   * one back. With nothing pending the timer is not armed: an idle process does not wake for it.
   */
  private arm(dueAt: number): void {
    this.pendingUntil = Math.max(this.pendingUntil, dueAt);
    this.armAt(dueAt);
  }

  private armAt(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      void this.sweep().then((swept) => this.armNext(swept));
    }, Math.max(0, at - this.deps.clock()) + 1);
    this.timer.unref();
  }

  /** After a timed look: the next one while entries are pending, or when a failed pass's leases come back. */
  private armNext(swept: boolean): void {
    const now = this.deps.clock();
    if (!swept) this.armAt(now + TTL_MS.missedLease);
    if (now < this.pendingUntil) this.armAt(Math.min(this.pendingUntil, now + this.lookEveryMs));
  }

  /** Raises every due missed call once; concurrent calls share one pass. Resolves false when the pass failed (its leased entries come back later). */
  sweep(): Promise<boolean> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<boolean> {
    const { state } = this.deps;
    try {
      for (const account of await state.accountsWithMissedCalls()) {
        for (const entry of await state.getReadyMissedCalls(account, this.deps.clock())) {
          if (await this.liveAgain(account, entry)) {
            await this.postpone(account, entry);
            continue;
          }
          await this.raise(account, entry.callId, (entry.payload as MissedPayload).endedAt ?? entry.dueAt - this.deps.delayMs);
          await state.ackMissedCall(account, entry.callId);
        }
      }
    } catch (error) {
      // The leased entries come back after their lease; nothing is lost.
      this.deps.logger.error({ err: error }, 'missed-call sweep failed');
      return false;
    }
    return true;
  }

  /** A late leg made the call live again: it is not over, so it cannot be missed yet. */
  private async liveAgain(account: string, entry: MissedCallEntry): Promise<boolean> {
    const remote = (entry.payload as MissedPayload).stateRemote;
    if (remote === undefined) return false;
    return (await this.deps.state.getActiveCall(account, remote, this.deps.clock()))?.callId === entry.callId;
  }

  /**
   * Looks again one grace delay later. Taken off the queue first, then queued again: whatever
   * the call's own new end queues meanwhile (one entry per call, the first kept), an entry stays.
   */
  private async postpone(account: string, entry: MissedCallEntry): Promise<void> {
    const dueAt = this.deps.clock() + this.deps.delayMs;
    await this.deps.state.ackMissedCall(account, entry.callId);
    await this.deps.state.queueMissedCall(account, { ...entry, dueAt });
    this.arm(dueAt);
  }

  private async raise(account: string, callId: string, endedAt: number): Promise<void> {
    const { state, log, push } = this.deps;
    if (await state.wasAnswered(account, callId)) return;
    const { applied, value: missed } = await log.recordMissedCall({ callId, account, at: endedAt });
    if (!missed) return;
    if (applied) {
      const call = await log.getCall(account, callId);
      if (call) logCallEnded(this.deps.logger, call, { offeredTo: missed.targets });
      push.toAgents(account, missed.targets, { type: 'call.missed', at: this.deps.clock(), account, call, missed });
    }
    // Also when the record was there already: an entry raised again (its ack failed) was maybe not queued yet.
    await this.deps.onMissed?.(missed);
    if (applied) await this.deps.onRaised?.();
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.interval) clearInterval(this.interval);
    return (this.sweeping ?? Promise.resolve()).then(() => undefined);
  }
}
