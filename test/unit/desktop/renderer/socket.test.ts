// The WebSocket client (src/desktop/renderer/api/socket.ts, the protocol's AgentFeedClient with the
// browser's WebSocket): heartbeat, backoff with jitter, reconnect, giving up on a refused session, and
// the states the health banner shows. A fake socket and vitest's fake timers stand in for the browser.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentSocket, backoffDelayMs, HEARTBEAT_MS, type SocketLike } from '../../../../src/desktop/renderer/api/socket';
import type { ServerMessage } from '../../../../src/desktop/renderer/api/types';
import type { ConnectionState } from '../../../../src/desktop/renderer/state/health';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  closed = false;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {
    sockets.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
    this.drop();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
}

let sockets: FakeSocket[];
let states: ConnectionState[];
let messages: ServerMessage[];

function client(stillAuthorized?: () => Promise<boolean>): AgentSocket {
  return new AgentSocket({
    url: 'ws://127.0.0.1:7790/ws?token=t',
    onMessage: (message) => messages.push(message),
    onState: (state) => states.push(state),
    stillAuthorized,
    WebSocket: FakeSocket,
    random: () => 0.5,
    now: () => Date.now(),
  });
}

const last = <T>(items: T[]): T => items[items.length - 1]!;

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  states = [];
  messages = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the agent socket', () => {
  it('waits half the ceiling plus a random share of the other half, the ceiling doubling from 1 s to 30 s', () => {
    expect(backoffDelayMs(0, () => 0)).toBe(500);
    expect(backoffDelayMs(0, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, () => 0.5)).toBe(6000);
    expect(backoffDelayMs(20, () => 1)).toBe(30_000);
  });

  it('passes the messages it can read on and sends a heartbeat every 60 s while open', () => {
    const socket = client();
    socket.start();
    expect(states).toEqual([{ status: 'connecting', retryAt: null, attempt: 0 }]);
    sockets[0]!.open();
    expect(last(states).status).toBe('open');
    sockets[0]!.onmessage?.({ data: '{"type":"health"}' });
    sockets[0]!.onmessage?.({ data: '{"type":"presence.changed","at":1,"account":"a","agent":"bob","status":"away"}' });
    expect(messages).toEqual([{ type: 'presence.changed', at: 1, account: 'a', agent: 'bob', status: 'away' }]);
    vi.advanceTimersByTime(HEARTBEAT_MS * 2);
    expect(sockets[0]!.sent).toEqual(['{"type":"heartbeat"}', '{"type":"heartbeat"}']);
    expect(socket.send({ type: 'presence.set', status: 'away' })).toBe(true);
    expect(last(sockets[0]!.sent)).toBe('{"type":"presence.set","status":"away"}');
    socket.stop();
  });

  it('reconnects after a drop with growing waits, and starts over once connected again', async () => {
    const socket = client(async () => true);
    socket.start();
    sockets[0]!.open();
    sockets[0]!.drop();
    expect(last(states)).toMatchObject({ status: 'reconnecting', attempt: 1, retryAt: Date.now() + 750 });
    expect(socket.send({ type: 'heartbeat' })).toBe(false);
    vi.advanceTimersByTime(749);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    // This attempt fails before opening: the session is checked, then the wait doubles.
    sockets[1]!.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(last(states)).toMatchObject({ status: 'reconnecting', attempt: 2, retryAt: Date.now() + 1500 });
    await vi.advanceTimersByTimeAsync(1500);
    sockets[2]!.open();
    expect(last(states)).toEqual({ status: 'open', retryAt: null, attempt: 0 });
    socket.stop();
  });

  it('stops for good when the session was refused', async () => {
    const socket = client(async () => false);
    socket.start();
    sockets[0]!.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(last(states).status).toBe('unauthorized');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    socket.retryNow();
    expect(sockets).toHaveLength(1);
  });

  it('keeps trying when the check itself fails (Ringside is away), and retries at once when asked', async () => {
    const socket = client(() => Promise.reject(new Error('network')));
    socket.start();
    sockets[0]!.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(last(states).status).toBe('reconnecting');
    socket.retryNow();
    expect(sockets).toHaveLength(2);
    socket.stop();
    expect(sockets[1]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(2);
  });
});
