// The agent UI's WebSocket: connects, keeps the session's presence alive with a heartbeat, and
// reconnects after a drop with exponential backoff and jitter, so that a restarted server is not
// hit by every open UI in the same instant. The socket and timers are injected for the tests.
import { reconnectDelayMs } from '../events';
import type { ConnectionState } from '../state/health';
import type { ManualPresence } from './types';

/** The server drops a session's presence 90 s after its last heartbeat (RINGSIDE_HEARTBEAT_TTL_MS). */
export const HEARTBEAT_MS = 60_000;

/** The part of the browser's WebSocket this class uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

const OPEN = 1;

/**
 * The wait before reconnect attempt `attempt` (0 = the first after a drop): half of the ceiling
 * (1 s doubling to 30 s) plus a random share of the other half.
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = reconnectDelayMs(attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface AgentSocketOptions {
  url: string;
  onMessage: (text: string) => void;
  onState: (state: ConnectionState) => void;
  /**
   * Asked when a connection closes before it ever opened: a browser does not say why a WebSocket
   * handshake failed, so a refused token looks like a network error. False stops reconnecting.
   */
  stillAuthorized?: () => Promise<boolean>;
  createSocket?: (url: string) => SocketLike;
  random?: () => number;
  now?: () => number;
}

export class AgentSocket {
  private socket: SocketLike | null = null;
  private attempt = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: AgentSocketOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeatTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
  }

  /** True when the message went out (the socket is open). */
  send(message: { type: 'heartbeat' } | { type: 'presence.set'; status: ManualPresence }): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Skips the rest of the backoff wait (the network came back, the window was shown again). */
  retryNow(): void {
    if (this.stopped || this.socket !== null) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  private connect(): void {
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    this.options.onState({ status: this.attempt === 0 ? 'connecting' : 'reconnecting', retryAt: null, attempt: this.attempt });
    let opened = false;
    const socket = create(this.options.url);
    this.socket = socket;
    socket.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.options.onState({ status: 'open', retryAt: null, attempt: 0 });
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = setInterval(() => this.send({ type: 'heartbeat' }), HEARTBEAT_MS);
    };
    socket.onmessage = (event) => this.options.onMessage(String(event.data));
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearInterval(this.heartbeatTimer);
      if (this.stopped) return;
      if (!opened && this.options.stillAuthorized) {
        void this.options.stillAuthorized().then((ok) => (ok ? this.scheduleRetry() : this.unauthorized()), () => this.scheduleRetry());
        return;
      }
      this.scheduleRetry();
    };
  }

  private unauthorized(): void {
    this.stopped = true;
    this.options.onState({ status: 'unauthorized', retryAt: null, attempt: this.attempt });
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = backoffDelayMs(this.attempt, this.options.random);
    const now = (this.options.now ?? Date.now)();
    this.attempt += 1;
    this.options.onState({ status: 'reconnecting', retryAt: now + delay, attempt: this.attempt });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
