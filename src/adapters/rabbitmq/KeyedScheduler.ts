/** What became of a run: the item is finished, or its key waits until `retryAt` (epoch ms) to run it again. */
export type RunOutcome = 'done' | { retryAt: number };

export interface KeyedSchedulerOptions<T> {
  /** Keys running at the same time. */
  concurrency: number;
  /** Runs the head item of a key. Should not throw; if it does, the item is retried after a second. */
  run: (item: T) => Promise<RunOutcome>;
  /** An item finished (outcome 'done'). */
  onDone: () => void;
  onRunError: (err: unknown) => void;
}

const RETRY_AFTER_THROW_MS = 1_000;

/**
 * Per-key FIFO queues: only the head of a key's queue runs, one at a time, so a key's items run
 * in arrival order; a head that must be retried later parks its key, and only its key. Each
 * key with items is in exactly one of: ready, parked, running.
 */
export class KeyedScheduler<T> {
  private readonly queues = new Map<string, T[]>();
  /** Insertion-ordered: keys start in the order they became ready. */
  private readonly ready = new Set<string>();
  private readonly parked = new Map<string, number>();
  private readonly running = new Map<string, Promise<void>>();
  private count = 0;
  private paused = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;

  constructor(private readonly options: KeyedSchedulerOptions<T>) {}

  /** Items held: waiting, parked or running. */
  get size(): number {
    return this.count;
  }

  add(key: string, item: T): void {
    this.count++;
    const queue = this.queues.get(key);
    if (queue) {
      queue.push(item);
      return;
    }
    this.queues.set(key, [item]);
    this.ready.add(key);
    this.pump();
  }

  /** Drops the items that match and are not running (their key moves on); returns how many. */
  discard(matches: (item: T) => boolean): number {
    let dropped = 0;
    for (const [key, queue] of this.queues) {
      const headRuns = this.running.has(key);
      const kept = queue.filter((item, index) => (headRuns && index === 0) || !matches(item));
      if (kept.length === queue.length) continue;
      dropped += queue.length - kept.length;
      if (kept.length === 0) {
        this.queues.delete(key);
        this.ready.delete(key);
        this.parked.delete(key);
        continue;
      }
      this.queues.set(key, kept);
      if (this.parked.has(key) && kept[0] !== queue[0]) {
        this.parked.delete(key);
        this.ready.add(key);
      }
    }
    this.count -= dropped;
    this.pump();
    return dropped;
  }

  /** Starts nothing more and resolves once the running items finished. */
  async pause(): Promise<void> {
    this.paused = true;
    this.clearTimer();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Forgets every item; only after pause() resolved (nothing runs), when their messages go back to the broker. */
  clear(): void {
    this.queues.clear();
    this.ready.clear();
    this.parked.clear();
    this.count = 0;
  }

  private pump(): void {
    if (this.paused) return;
    const now = Date.now();
    for (const [key, at] of this.parked) {
      if (at > now) continue;
      this.parked.delete(key);
      this.ready.add(key);
    }
    for (const key of this.ready) {
      if (this.running.size >= this.options.concurrency) break;
      this.ready.delete(key);
      this.start(key);
    }
    this.armTimer();
  }

  private start(key: string): void {
    const item = this.queues.get(key)![0]!;
    this.running.set(key, this.runSafely(item).then((outcome) => this.finish(key, item, outcome)));
  }

  private async runSafely(item: T): Promise<RunOutcome> {
    try {
      return await this.options.run(item);
    } catch (err) {
      this.options.onRunError(err);
      return { retryAt: Date.now() + RETRY_AFTER_THROW_MS };
    }
  }

  private finish(key: string, item: T, outcome: RunOutcome): void {
    this.running.delete(key);
    const queue = this.queues.get(key);
    if (!queue || queue[0] !== item) return; // cleared meanwhile
    if (outcome === 'done') {
      queue.shift();
      this.count--;
      if (queue.length === 0) this.queues.delete(key);
      else this.ready.add(key);
      this.options.onDone();
    } else {
      this.parked.set(key, outcome.retryAt);
    }
    this.pump();
  }

  private armTimer(): void {
    let next = Infinity;
    for (const at of this.parked.values()) next = Math.min(next, at);
    if (next === this.timerAt) return;
    this.clearTimer();
    if (next === Infinity) return;
    this.timerAt = next;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, next - Date.now()));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }
}
