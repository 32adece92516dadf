import WebSocket from 'ws';
import { AgentFeedClient, DEFAULT_HEARTBEAT_MS, type FeedClientState, type Timers } from '../../protocol/AgentFeedClient';
import { backoffDelay, type BackoffPolicy } from '../../protocol/backoff';
import type { ClientMessage, ServerMessage } from '../../protocol/messages';

/**
 * The shell's WebSocket to its own core (`/ws`, docs/agent-api.md, WebSocket): the same pushes the agent UI
 * gets (call.ringing, call.dismissed, call.missed, missed.claimed, presence.changed, ...), which
 * drive the popup, the notifications and the tray. The token goes in Sec-WebSocket-Protocol (not
 * the URL, which servers log). No Origin header: the core's exact Origin allow-list is for browsers;
 * a client without one is authenticated by its token alone (AgentWebSocket). Heartbeats keep the
 * agent's presence session alive while the app runs; a lost connection is retried with back-off.
 * The protocol's AgentFeedClient does the work, with `ws`'s WebSocket.
 */

export type FeedState = 'connecting' | 'open' | 'closed';

export type { Timers };

export interface AgentFeedOptions {
  /** The agent API's origin, e.g. http://127.0.0.1:7790. */
  origin: string;
  /** A valid agent session token (asked for again at every connect). */
  token(): Promise<string>;
  onMessage(message: ServerMessage): void;
  /** Told about every change: 'open' is the moment to re-read what may have been missed. */
  onState?(state: FeedState): void;
  onError?(error: unknown): void;
  /** Client heartbeat period (the UI's is 60 s; the core's session lifetime is 90 s). */
  heartbeatMs?: number;
  timers?: Timers;
}

/** 500 ms doubling to 30 s, no jitter: one shell talks to its own core. */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000 };

export function reconnectDelayMs(attempt: number): number {
  return backoffDelay(attempt, RECONNECT_BACKOFF);
}

export function websocketUrl(origin: string): string {
  const url = new URL('/ws', origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** `ws`'s WebSocket with a handshake timeout: a core that accepts the connection and says nothing is retried. */
class ShellSocket extends WebSocket {
  constructor(url: string, protocols?: string[]) {
    super(url, protocols, { handshakeTimeout: 10_000 });
  }
}

function feedState(state: FeedClientState): FeedState {
  switch (state.status) {
    case 'connecting':
    case 'open':
      return state.status;
    default:
      return 'closed';
  }
}

export class AgentFeed {
  private state: FeedState = 'closed';
  private readonly client: AgentFeedClient;

  constructor(private readonly options: AgentFeedOptions) {
    this.client = new AgentFeedClient({
      WebSocket: ShellSocket,
      endpoint: async () => ({ url: websocketUrl(options.origin), protocols: [`ringside.token.${await options.token()}`] }),
      onMessage: (message) => options.onMessage(message),
      onState: (state) => this.setState(feedState(state)),
      onError: (error) => options.onError?.(error),
      backoff: RECONNECT_BACKOFF,
      heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      closeReason: 'shell stopping',
      timers: options.timers,
    });
  }

  get current(): FeedState {
    return this.state;
  }

  start(): void {
    this.client.start();
  }

  /** Sends a client message; false when the connection is not open (the caller may tell the agent). */
  send(message: ClientMessage): boolean {
    return this.client.send(message);
  }

  /** Closes the connection for good; resolves once it is closed. */
  async stop(): Promise<void> {
    await this.client.stop();
    this.setState('closed');
  }

  private setState(state: FeedState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onState?.(state);
  }
}
