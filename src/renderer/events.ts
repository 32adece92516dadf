// Session and connection helpers of the agent UI (token from the fragment, WebSocket URL, the
// reconnect ceiling), kept apart from React so they are tested without a DOM. toCallEntry and
// addEntry are the first placeholder page's event list, still covered by test/main/renderer-events.test.ts.

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected' | 'no session';

export interface CallEventEntry {
  /** Unique per received message, for React keys. */
  key: string;
  type: string;
  at: number;
  remote: string;
  remoteName: string | null;
  direction: string | null;
  status: string | null;
}

/** How many call events the page keeps. */
export const MAX_EVENTS = 20;

/** `#token=...` (the shell and `ringside serve` put the session token in the fragment). */
export function tokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token ? token : null;
}

export function websocketUrl(location: { protocol: string; host: string }, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A server message as a list entry, or null when it is not about a call. */
export function toCallEntry(raw: unknown, seq: number): CallEventEntry | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const message = raw as Record<string, unknown>;
  const type = text(message.type);
  if (!type || !(type.startsWith('call.') || type.startsWith('missed.'))) return null;
  const call = (typeof message.call === 'object' && message.call !== null ? message.call : message) as Record<string, unknown>;
  return {
    key: `${seq}`,
    type,
    at: typeof message.at === 'number' ? message.at : Date.now(),
    remote: text(call.remote) ?? 'unknown number',
    remoteName: text(call.remoteName),
    direction: text(call.direction),
    status: text(call.status),
  };
}

/** Newest first, at most MAX_EVENTS. */
export function addEntry(list: readonly CallEventEntry[], entry: CallEventEntry, max = MAX_EVENTS): CallEventEntry[] {
  return [entry, ...list].slice(0, max);
}

/** Reconnect delay: 1 s doubling to 30 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
}
