/** Failed sign-ins allowed per agent, and per source address, within the window. */
export const SIGNIN_FAILURE_LIMIT = 5;
export const SIGNIN_FAILURE_WINDOW_MS = 60_000;
/** Agents and addresses remembered at most; the one not heard of for longest is forgotten first. */
const MAX_KEYS = 10_000;

/**
 * Password guessing, slowed down (docs/agent-api.md, Passwords and invite links): after 5 failed
 * sign-ins within a minute for one agent, or from one source address, further attempts for that
 * agent or from that address are refused (429, Retry-After) until the oldest of those failures is
 * a minute old, without the password even being checked. Kept in this process's memory: each
 * process of an office counts on its own, and a restart forgets. Per address means per client as
 * this process sees it (a reverse proxy in front makes every client one address).
 */
export class SigninThrottle {
  /** Failure times per key (`agent:<id>`, `address:<ip>`), oldest first; Map order is least recently failed first. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: () => number,
    private readonly limit = SIGNIN_FAILURE_LIMIT,
    private readonly windowMs = SIGNIN_FAILURE_WINDOW_MS,
  ) {}

  static keys(agent: string, address: string | undefined): string[] {
    return [`agent:${agent}`, `address:${address ?? 'unknown'}`];
  }

  /** How long until an attempt for these keys is allowed again: 0 when it is now. */
  blockedForMs(keys: readonly string[]): number {
    const now = this.clock();
    let wait = 0;
    for (const key of keys) {
      const times = this.recent(key, now);
      if (times.length >= this.limit) wait = Math.max(wait, times[times.length - this.limit]! + this.windowMs - now);
    }
    return wait;
  }

  fail(keys: readonly string[]): void {
    const now = this.clock();
    for (const key of keys) {
      const times = this.recent(key, now);
      times.push(now);
      // Only the last `limit` matter for the wait.
      if (times.length > this.limit) times.splice(0, times.length - this.limit);
      this.failures.delete(key);
      this.failures.set(key, times);
    }
    while (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }

  /** A correct password: the agent's count starts again (the address's does not). */
  succeeded(agentKey: string): void {
    this.failures.delete(agentKey);
  }

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((at) => at > now - this.windowMs);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}
