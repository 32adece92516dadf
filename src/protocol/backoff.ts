// How long to wait before trying again: one exponential backoff with a cap and optional jitter for
// every retry loop of Ringside (the WebSocket clients of the shell and the UI, the Redis and
// RabbitMQ reconnects, the event consumers' retries). Each caller passes its own timing. Plain
// arithmetic: the browser uses it too.

export interface BackoffPolicy {
  /** The wait before the first retry (attempt 0); it doubles with every attempt after that. */
  baseMs: number;
  /** The longest wait. */
  capMs: number;
  /**
   * - `none` (the default): the capped wait itself;
   * - `equal`: half of the capped wait fixed and half random, so clients that lost the server
   *   together do not all come back in the same instant, and none spins.
   */
  jitter?: 'none' | 'equal';
}

/** Beyond this many doublings the wait is the cap for any base in use (and 2 ** n stays finite). */
const MAX_DOUBLINGS = 30;

/**
 * The wait before retry `attempt` (0: the first retry after a failure), in milliseconds, not
 * rounded. A negative attempt counts as 0; Infinity (retrying for ever) as the cap.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const doublings = Math.min(MAX_DOUBLINGS, Math.max(0, attempt));
  const capped = Math.min(policy.capMs, policy.baseMs * 2 ** doublings);
  if ((policy.jitter ?? 'none') === 'none') return capped;
  return capped / 2 + (random() * capped) / 2;
}
