// The agent WebSocket's client, one for every agent client: the agent UI in the browser
// (src/desktop/renderer/api/socket.ts) and the Electron shell's main process
// (src/desktop/main/agentFeed.ts). It connects, keeps the session's presence alive with a
// heartbeat, reads the server's messages with the protocol's schemas (dropping what it cannot
// read), and after a drop reconnects with backoff: the endpoint is asked for again before every
// attempt (a fresh token), and a connection refused before it ever opened can be checked for a
// refused session, which stops it for good. The WebSocket constructor and the timers come in as
// parameters (the browser's WebSocket, or the `ws` package's in Node), so this file needs neither.
import { backoffDelay, type BackoffPolicy } from './backoff';
import { parseServerMessage, type ClientMessage, type ServerMessage } from './messages';

/** A handler the browser's and `ws`'s sockets both accept (their events are richer than this). */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a WebSocket this client uses: the browser's and `ws`'s both have it. */
export interface FeedSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drops a connection that is still being set up. */
  terminate?(): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<unknown> | null;
  onerror: Handler<unknown> | null;
}

/** window.WebSocket, or `ws`'s WebSocket (a subclass can add its options, e.g. a handshake timeout). */
export type FeedSocketClass = new (url: string, protocols?: string[]) => FeedSocket;

/** Where to connect: the URL, and the subprotocols (a client outside a browser puts its token there). */
export interface FeedEndpoint {
  url: string;
  protocols?: string[];
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** The global timers, looked up at each call (so test doubles installed later are used). */
const globalTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
  setInterval: (callback, ms) => globalThis.setInterval(callback, ms),
  clearInterval: (handle) => globalThis.clearInterval(handle as Parameters<typeof clearInterval>[0]),
};

/**
 * - `connecting`: an attempt starts (`attempt`: the failed attempts in a row before it);
 * - `open`: connected (messages flow, heartbeats go out);
 * - `retrying`: the connection failed or dropped; the next attempt starts at `retryAt`;
 * - `unauthorized`: the session was refused: no more attempts;
 * - `stopped`: stop() closed it.
 */
export type FeedStatus = 'connecting' | 'open' | 'retrying' | 'unauthorized' | 'stopped';

export interface FeedClientState {
  status: FeedStatus;
  /** Failed attempts in a row (0 once open). */
  attempt: number;
  /** retrying: when (the client's clock) the next attempt starts; null otherwise. */
  retryAt: number | null;
}

export interface AgentFeedClientOptions {
  WebSocket: FeedSocketClass;
  /** Asked before every attempt: a client whose token is renewed gives the current one each time. */
  endpoint(): FeedEndpoint | Promise<FeedEndpoint>;
  /** Every server message the protocol's schemas read; anything else is dropped. */
  onMessage(message: ServerMessage): void;
  onState?(state: FeedClientState): void;
  /** A socket error, or the endpoint could not be had (the attempt is retried). */
  onError?(error: unknown): void;
  /**
   * Asked when a connection closes before it ever opened: a browser does not say why a WebSocket
   * handshake failed, so a refused token looks like a network error. False stops reconnecting
   * (`unauthorized`); a failed check retries as usual.
   */
  stillAuthorized?(): Promise<boolean>;
  /** The waits between attempts (attempt 0: the first after a failure). */
  backoff: BackoffPolicy;
  /** The heartbeat period (default 60 s; the server drops a session's presence 90 s after the last one). */
  heartbeatMs?: number;
  /** The close reason sent when stopping. */
  closeReason?: string;
  timers?: Timers;
  random?: () => number;
  now?: () => number;
}

export const DEFAULT_HEARTBEAT_MS = 60_000;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

export class AgentFeedClient {
  private socket: FeedSocket | null = null;
  /** An endpoint being asked for (the attempt has not made its socket yet). */
  private pending = false;
  private attempt = 0;
  private stopped = true;
  /** Moves with every attempt and stop(): a late answer of an older one is ignored. */
  private generation = 0;
  private retryTimer: unknown = null;
  private heartbeatTimer: unknown = null;
  private readonly timers: Timers;

  constructor(private readonly options: AgentFeedClientOptions) {
    this.timers = options.timers ?? globalTimers;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** True when the message went out (the socket is open). */
  send(message: ClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Skips the rest of the backoff wait (the network came back, the window was shown again). */
  retryNow(): void {
    if (this.stopped || this.socket !== null || this.pending) return;
    this.clearRetry();
    this.connect();
  }

  /** Closes the connection for good; resolves once the socket is closed. */
  stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    this.pending = false;
    this.clearRetry();
    this.stopHeartbeat();
    const socket = this.socket;
    this.socket = null;
    const stopped = () => this.emit('stopped');
    if (!socket || socket.readyState === CLOSED) {
      stopped();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      // Nothing more is read from it; its error handler stays (`ws` throws on an unheard error).
      socket.onopen = null;
      socket.onmessage = null;
      socket.onclose = () => resolve();
      if (socket.readyState === CONNECTING && socket.terminate) socket.terminate();
      else socket.close(1000, this.options.closeReason ?? 'client stopping');
    }).then(stopped);
  }

  private connect(): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.emit('connecting');
    let endpoint: FeedEndpoint | Promise<FeedEndpoint>;
    try {
      endpoint = this.options.endpoint();
    } catch (error) {
      this.failedBeforeSocket(error);
      return;
    }
    if (!(endpoint instanceof Promise)) {
      this.open(endpoint);
      return;
    }
    this.pending = true;
    endpoint.then(
      (resolved) => {
        if (generation !== this.generation) return;
        this.pending = false;
        this.open(resolved);
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.pending = false;
        this.failedBeforeSocket(error);
      },
    );
  }

  private failedBeforeSocket(error: unknown): void {
    this.options.onError?.(error);
    this.scheduleRetry();
  }

  private open(endpoint: FeedEndpoint): void {
    if (this.stopped) return;
    const generation = this.generation;
    let opened = false;
    const socket = new this.options.WebSocket(endpoint.url, endpoint.protocols);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      this.attempt = 0;
      this.startHeartbeat();
      this.emit('open');
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      const message = parseServerMessage(String(event.data));
      if (message) this.options.onMessage(message);
    };
    socket.onerror = (event) => {
      // `ws` hands over the Error inside its event; a browser says nothing more than "error".
      const error = typeof event === 'object' && event !== null && 'error' in event ? (event as { error: unknown }).error : event;
      this.options.onError?.(error);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopHeartbeat();
      if (this.stopped) return;
      const check = this.options.stillAuthorized;
      if (opened || !check) {
        this.scheduleRetry();
        return;
      }
      check().then(
        (ok) => {
          if (generation === this.generation) {
            if (ok) this.scheduleRetry();
            else this.unauthorized();
          }
        },
        () => {
          if (generation === this.generation) this.scheduleRetry();
        },
      );
    };
  }

  private unauthorized(): void {
    this.stopped = true;
    this.emit('unauthorized');
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = Math.round(backoffDelay(this.attempt, this.options.backoff, this.options.random));
    const retryAt = (this.options.now ?? Date.now)() + delay;
    this.attempt += 1;
    this.clearRetry();
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
    // Told after the retry is scheduled: whoever hears it finds the attempt pending.
    this.emit('retrying', retryAt);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = this.timers.setInterval(() => this.send({ type: 'heartbeat' }), this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) this.timers.clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private emit(status: FeedStatus, retryAt: number | null = null): void {
    this.options.onState?.({ status, attempt: this.attempt, retryAt });
  }
}
