import type { Logger } from '../../shared/logger';
import { errorMessage } from './EventBusError';

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Resolves drained() waiters once `isQuiet` says nothing is left. Checks are event driven: on
 * every drained() call and whenever the consumer settles its last held delivery (nudge()). A slow
 * poll covers what this process cannot see happen: events handled by another process's consumer,
 * or a connection coming back. A check only resolves the waiters that were already waiting when
 * it started, so an event published just before drained() is never missed.
 */
export class DrainWatcher {
  private waiters: Waiter[] = [];
  private checking = false;
  private checkAgain = false;
  private poll: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly isQuiet: () => Promise<boolean>,
    private readonly pollMs: number,
    private readonly logger?: Logger,
  ) {}

  wait(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('consumer stopped'));
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      void this.check();
    });
  }

  /** Something changed (a delivery settled, the consumer subscribed): check if anyone waits. */
  nudge(): void {
    if (this.waiters.length > 0) void this.check();
  }

  /** Rejects every waiter and stops polling. */
  close(reason: Error): void {
    this.closed = true;
    if (this.poll) clearTimeout(this.poll);
    this.poll = null;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(reason);
  }

  private async check(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.checkAgain = false;
        const covered = this.waiters.slice();
        if (covered.length === 0 || this.closed) break;
        if (!(await this.quietNow())) continue;
        if (this.closed) break;
        this.waiters = this.waiters.filter((waiter) => !covered.includes(waiter));
        for (const waiter of covered) waiter.resolve();
      } while (this.checkAgain);
    } finally {
      this.checking = false;
      this.armPoll();
    }
  }

  private async quietNow(): Promise<boolean> {
    try {
      return await this.isQuiet();
    } catch (err) {
      // Typically the connection is down; the poll tries again.
      this.logger?.debug({ err: errorMessage(err) }, 'bus drain check failed');
      return false;
    }
  }

  private armPoll(): void {
    if (this.poll || this.closed || this.waiters.length === 0) return;
    this.poll = setTimeout(() => {
      this.poll = null;
      void this.check();
    }, this.pollMs);
  }
}
