// The agent UI's WebSocket: the protocol's AgentFeedClient with the browser's WebSocket. It
// connects, keeps the session's presence alive with a heartbeat, reads the server's messages
// (dropping what it cannot read), and reconnects after a drop with exponential backoff and
// jitter, so that a restarted server is not hit by every open UI in the same instant. A
// connection refused before it opened asks whether the session still holds (stillAuthorized).
import { AgentFeedClient, DEFAULT_HEARTBEAT_MS, type FeedClientState, type FeedSocket, type FeedSocketClass } from '../../../protocol/AgentFeedClient';
import { backoffDelay } from '../../../protocol/backoff';
import type { ClientMessage, ServerMessage } from '../../../protocol/messages';
import { RECONNECT_BACKOFF } from '../events';
import type { ConnectionState } from '../state/health';

/** The server drops a session's presence 90 s after its last heartbeat (RINGSIDE_HEARTBEAT_TTL_MS). */
export const HEARTBEAT_MS = DEFAULT_HEARTBEAT_MS;

/** The part of the browser's WebSocket this client uses. */
export type SocketLike = FeedSocket;

/** The wait before reconnect attempt `attempt` (0 = the first after a drop), in whole milliseconds. */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.round(backoffDelay(attempt, RECONNECT_BACKOFF, random));
}

export interface AgentSocketOptions {
  url: string;
  /** Every server message the UI can read; the rest is dropped. */
  onMessage: (message: ServerMessage) => void;
  onState: (state: ConnectionState) => void;
  /**
   * Asked when a connection closes before it ever opened: a browser does not say why a WebSocket
   * handshake failed, so a refused token looks like a network error. False stops reconnecting.
   */
  stillAuthorized?: () => Promise<boolean>;
  /** The browser's WebSocket unless given (the tests give a fake). */
  WebSocket?: FeedSocketClass;
  random?: () => number;
  now?: () => number;
}

/** The client's state as the health banner shows it: the first attempt connects, the later ones reconnect. */
export function connectionState(state: FeedClientState): ConnectionState | null {
  switch (state.status) {
    case 'connecting':
      return { status: state.attempt === 0 ? 'connecting' : 'reconnecting', retryAt: null, attempt: state.attempt };
    case 'open':
      return { status: 'open', retryAt: null, attempt: 0 };
    case 'retrying':
      return { status: 'reconnecting', retryAt: state.retryAt, attempt: state.attempt };
    case 'unauthorized':
      return { status: 'unauthorized', retryAt: null, attempt: state.attempt };
    case 'stopped':
      // The page closed it: nothing to show.
      return null;
  }
}

export class AgentSocket {
  private readonly client: AgentFeedClient;

  constructor(options: AgentSocketOptions) {
    this.client = new AgentFeedClient({
      WebSocket: options.WebSocket ?? globalThis.WebSocket,
      endpoint: () => ({ url: options.url }),
      onMessage: options.onMessage,
      onState: (state) => {
        const connection = connectionState(state);
        if (connection) options.onState(connection);
      },
      stillAuthorized: options.stillAuthorized,
      backoff: RECONNECT_BACKOFF,
      heartbeatMs: HEARTBEAT_MS,
      closeReason: 'page closing',
      random: options.random,
      now: options.now,
    });
  }

  start(): void {
    this.client.start();
  }

  stop(): void {
    void this.client.stop();
  }

  /** True when the message went out (the socket is open). */
  send(message: ClientMessage): boolean {
    return this.client.send(message);
  }

  /** Skips the rest of the backoff wait (the network came back, the window was shown again). */
  retryNow(): void {
    this.client.retryNow();
  }
}
