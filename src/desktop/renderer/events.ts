// Session and connection helpers of the agent UI (token from the fragment, WebSocket URL, the
// reconnect ceiling), kept apart from React so they are tested without a DOM.
import { backoffDelay, type BackoffPolicy } from '../../protocol/backoff';

/** `#token=...` (the shell and `ringside serve` put the session token in the fragment). */
export function tokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token ? token : null;
}

export function websocketUrl(location: { protocol: string; host: string }, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

/** The socket's reconnect waits: the ceiling doubles from 1 s to 30 s, the wait is half of it plus a random share of the other half. */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 30_000, jitter: 'equal' };

/** Reconnect delay ceiling: 1 s doubling to 30 s. */
export function reconnectDelayMs(attempt: number): number {
  return backoffDelay(attempt, { ...RECONNECT_BACKOFF, jitter: 'none' });
}
