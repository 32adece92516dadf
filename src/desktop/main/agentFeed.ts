import WebSocket from 'ws';
import { serverMessage, type ClientMessage, type ServerMessage } from './feedMessages';

/**
 * The shell's WebSocket to its own core (`/ws`, SPEC section 7): the same pushes the agent UI
 * gets (call.ringing, call.dismissed, call.missed, missed.claimed, presence.changed, ...), which
 * drive the popup, the notifications and the tray. The token goes in Sec-WebSocket-Protocol (not
 * the URL, which servers log). No Origin header: the core's exact Origin allow-list is for browsers;
 * a client without one is authenticated by its token alone (AgentWebSocket). Heartbeats keep the
 * agent's presence session alive while the app runs; a lost connection is retried with back-off.
 */

export type FeedState = 'connecting' | 'open' | 'closed';

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

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
  /** Delay before reconnect attempt n (0-based). */
  reconnectDelayMs?(attempt: number): number;
  timers?: Timers;
}

export function reconnectDelayMs(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
}

export function websocketUrl(origin: string): string {
  const url = new URL('/ws', origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export class AgentFeed {
  private socket: WebSocket | null = null;
  private heartbeat: unknown = null;
  private retry: unknown = null;
  private attempt = 0;
  private stopped = false;
  private state: FeedState = 'closed';
  private readonly timers: Timers;

  constructor(private readonly options: AgentFeedOptions) {
    this.timers = options.timers ?? realTimers;
  }

  get current(): FeedState {
    return this.state;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** Sends a client message; false when the connection is not open (the caller may tell the agent). */
  send(message: ClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Closes the connection for good; resolves once it is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry !== null) this.timers.clearTimeout(this.retry);
    this.retry = null;
    this.stopHeartbeat();
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(1000, 'shell stopping');
      });
    }
    this.setState('closed');
  }

  private setState(state: FeedState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onState?.(state);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState('connecting');
    let token: string;
    try {
      token = await this.options.token();
    } catch (error) {
      this.options.onError?.(error);
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) return;
    const socket = new WebSocket(websocketUrl(this.options.origin), [`ringside.token.${token}`], { handshakeTimeout: 10_000 });
    this.socket = socket;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.startHeartbeat();
      this.setState('open');
    });
    socket.on('message', (data) => {
      if (this.socket !== socket) return;
      let raw: unknown;
      try {
        raw = JSON.parse(String(data));
      } catch {
        return;
      }
      const parsed = serverMessage.safeParse(raw);
      if (parsed.success) this.options.onMessage(parsed.data);
    });
    socket.on('error', (error) => this.options.onError?.(error));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopHeartbeat();
      if (this.stopped) return;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry !== null) return;
    const delay = (this.options.reconnectDelayMs ?? reconnectDelayMs)(this.attempt++);
    this.retry = this.timers.setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, delay);
    // Told after the retry is scheduled: whoever hears 'closed' finds it pending.
    this.setState('closed');
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeat = this.timers.setInterval(() => this.send({ type: 'heartbeat' }), this.options.heartbeatMs ?? 60_000);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) this.timers.clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
