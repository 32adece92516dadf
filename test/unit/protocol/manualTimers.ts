import type { Timers } from '../../../src/protocol/AgentFeedClient';

/** Timers a test fires by hand: the feed clients' heartbeats and reconnect delays without waiting. */
export class ManualTimers implements Timers {
  timeouts: Array<{ callback: () => void; ms: number }> = [];
  intervals: Array<{ callback: () => void; ms: number; cleared: boolean }> = [];
  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { callback, ms };
    this.timeouts.push(timer);
    return timer;
  }
  clearTimeout(handle: unknown): void {
    this.timeouts = this.timeouts.filter((t) => t !== handle);
  }
  setInterval(callback: () => void, ms: number): unknown {
    const timer = { callback, ms, cleared: false };
    this.intervals.push(timer);
    return timer;
  }
  clearInterval(handle: unknown): void {
    (handle as { cleared: boolean }).cleared = true;
  }
  /** Runs the pending timeouts; returns their delays. */
  runTimeouts(): number[] {
    const due = this.timeouts.splice(0);
    for (const t of due) t.callback();
    return due.map((t) => t.ms);
  }
  /** Fires every live interval once. */
  tickIntervals(): void {
    for (const t of this.intervals) if (!t.cleared) t.callback();
  }
  live(): number[] {
    return this.intervals.filter((t) => !t.cleared).map((t) => t.ms);
  }
}
