// The agent WebSocket client the agent UI and the Electron shell share (src/protocol/AgentFeedClient.ts),
// with a fake WebSocket class and timers driven by hand.
import { beforeEach, describe, expect, it } from 'vitest';
import { AgentFeedClient, type AgentFeedClientOptions, type FeedClientState, type FeedEndpoint, type FeedSocket } from '../../../src/protocol/AgentFeedClient';
import type { ServerMessage } from '../../../src/protocol/messages';
import { callView, ringing } from './fixtures';
import { ManualTimers } from './manualTimers';

class FakeSocket implements FeedSocket {
  static made: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closedWith: [number | undefined, string | undefined] | null = null;
  terminated = false;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string, readonly protocols?: string[]) {
    FakeSocket.made.push(this);
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
    this.drop();
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(data: unknown): void {
    this.onmessage?.({ data });
  }

  drop(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
}

/** A socket that only closes when asked to drop later (a `ws` socket still connecting). */
class TerminableSocket extends FakeSocket {
  terminate(): void {
    this.terminated = true;
    this.onerror?.({ error: new Error('closed before the connection was established') });
    this.drop();
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

let timers: ManualTimers;
let states: FeedClientState[];
let messages: ServerMessage[];
let errors: unknown[];

beforeEach(() => {
  FakeSocket.made = [];
  timers = new ManualTimers();
  states = [];
  messages = [];
  errors = [];
});

function client(options: Partial<AgentFeedClientOptions> = {}): AgentFeedClient {
  return new AgentFeedClient({
    WebSocket: FakeSocket,
    endpoint: () => ({ url: 'ws://core/ws' }),
    onMessage: (m) => messages.push(m),
    onState: (s) => states.push(s),
    onError: (e) => errors.push(e),
    backoff: { baseMs: 1_000, capMs: 8_000 },
    timers,
    now: () => 100_000,
    ...options,
  });
}

const socket = (n: number) => FakeSocket.made[n]!;
const statuses = () => states.map((s) => s.status);

describe('AgentFeedClient', () => {
  it('connects to the endpoint, reads messages with the protocol (dropping the rest), and sends heartbeats while open', () => {
    const feed = client({ endpoint: () => ({ url: 'ws://core/ws', protocols: ['ringside.token.t1'] }), heartbeatMs: 30_000 });
    feed.start();
    expect(states).toEqual([{ status: 'connecting', attempt: 0, retryAt: null }]);
    expect([socket(0).url, socket(0).protocols]).toEqual(['ws://core/ws', ['ringside.token.t1']]);
    expect(feed.send({ type: 'heartbeat' })).toBe(false);
    socket(0).open();
    expect(states.at(-1)).toEqual({ status: 'open', attempt: 0, retryAt: null });

    const good = ringing(callView({ id: 'c1' }));
    for (const data of ['not json', '{"type":"health"}', JSON.stringify({ type: 'call.ringing', call: { id: 'c1' } }), JSON.stringify(good)]) socket(0).receive(data);
    socket(0).receive(Buffer.from(JSON.stringify({ type: 'presence.changed', at: 1, account: 'a', agent: 'bob', status: 'dnd' })));
    expect(messages).toEqual([good, { type: 'presence.changed', at: 1, account: 'a', agent: 'bob', status: 'dnd' }]);

    expect(timers.live()).toEqual([30_000]);
    timers.intervals[0]!.callback();
    expect(feed.send({ type: 'presence.set', status: 'away' })).toBe(true);
    expect(socket(0).sent).toEqual(['{"type":"heartbeat"}', '{"type":"presence.set","status":"away"}']);
  });

  it('reconnects after a drop with backoff, asking for the endpoint again each time, and starts over once open', async () => {
    const tokens = ['t1', 't2', 't3'];
    const feed = client({ endpoint: async () => ({ url: 'ws://core/ws', protocols: [`ringside.token.${tokens.shift()}`] }) });
    feed.start();
    await flush();
    socket(0).open();
    socket(0).drop();
    expect(timers.live()).toEqual([]);
    expect(states.at(-1)).toEqual({ status: 'retrying', attempt: 1, retryAt: 101_000 });
    expect(timers.runTimeouts()).toEqual([1_000]);
    expect(states.at(-1)).toEqual({ status: 'connecting', attempt: 1, retryAt: null });
    await flush();
    expect(socket(1).protocols).toEqual(['ringside.token.t2']);
    socket(1).drop();
    expect(states.at(-1)).toEqual({ status: 'retrying', attempt: 2, retryAt: 102_000 });
    expect(timers.runTimeouts()).toEqual([2_000]);
    await flush();
    socket(2).open();
    expect(states.at(-1)).toEqual({ status: 'open', attempt: 0, retryAt: null });
    expect(socket(2).protocols).toEqual(['ringside.token.t3']);
    expect(statuses()).toEqual(['connecting', 'open', 'retrying', 'connecting', 'retrying', 'connecting', 'open']);
  });

  it('waits with the policy\'s jitter', () => {
    const feed = client({ backoff: { baseMs: 1_000, capMs: 30_000, jitter: 'equal' }, random: () => 0.5 });
    feed.start();
    socket(0).drop();
    expect(timers.timeouts.map((t) => t.ms)).toEqual([750]);
    expect(states.at(-1)).toMatchObject({ status: 'retrying', retryAt: 100_750 });
  });

  it('retries when the endpoint cannot be had (the token could not be issued), telling onError', async () => {
    let fail = true;
    const feed = client({ endpoint: async () => {
      if (fail) throw new Error('no session');
      return { url: 'ws://core/ws' };
    } });
    feed.start();
    await flush();
    expect(errors).toEqual([new Error('no session')]);
    expect(FakeSocket.made).toHaveLength(0);
    expect(states.at(-1)).toMatchObject({ status: 'retrying', attempt: 1 });
    fail = false;
    timers.runTimeouts();
    await flush();
    expect(FakeSocket.made).toHaveLength(1);
  });

  it('stops for good when a connection refused before opening turns out to be a refused session', async () => {
    const feed = client({ stillAuthorized: async () => false });
    feed.start();
    socket(0).drop();
    await flush();
    expect(states.at(-1)).toEqual({ status: 'unauthorized', attempt: 0, retryAt: null });
    expect(timers.timeouts).toEqual([]);
    feed.retryNow();
    expect(FakeSocket.made).toHaveLength(1);
  });

  it('asks only about connections that never opened, and keeps trying when the check itself fails', async () => {
    let asked = 0;
    const feed = client({ stillAuthorized: () => {
      asked++;
      return Promise.reject(new Error('network'));
    } });
    feed.start();
    socket(0).open();
    socket(0).drop();
    expect(asked).toBe(0);
    expect(states.at(-1)).toMatchObject({ status: 'retrying' });
    timers.runTimeouts();
    socket(1).drop();
    await flush();
    expect(asked).toBe(1);
    expect(states.at(-1)).toMatchObject({ status: 'retrying', attempt: 2 });
  });

  it('retries at once when asked, but not while connected or connecting', () => {
    const feed = client();
    feed.start();
    feed.retryNow();
    expect(FakeSocket.made).toHaveLength(1);
    socket(0).drop();
    feed.retryNow();
    expect(FakeSocket.made).toHaveLength(2);
    expect(timers.timeouts).toEqual([]);
    socket(1).open();
    feed.retryNow();
    expect(FakeSocket.made).toHaveLength(2);
  });

  it('stops: closes the socket, waits until it is closed, and leaves no timer behind', async () => {
    const feed = client({ closeReason: 'shell stopping' });
    feed.start();
    socket(0).open();
    await feed.stop();
    expect(socket(0).closedWith).toEqual([1000, 'shell stopping']);
    expect(states.at(-1)).toEqual({ status: 'stopped', attempt: 0, retryAt: null });
    expect(timers.live()).toEqual([]);
    expect(timers.timeouts).toEqual([]);
    expect(feed.send({ type: 'heartbeat' })).toBe(false);
  });

  it('drops a connection still being set up with terminate() where the socket has it, its error still heard', async () => {
    const feed = client({ WebSocket: TerminableSocket });
    feed.start();
    await feed.stop();
    expect(socket(0).terminated).toBe(true);
    expect(errors).toEqual([new Error('closed before the connection was established')]);
    expect(statuses()).toEqual(['connecting', 'stopped']);
  });

  it('ignores an endpoint that arrives after it was stopped, and a pending retry', async () => {
    let resolve!: (endpoint: FeedEndpoint) => void;
    const feed = client({ endpoint: () => new Promise<FeedEndpoint>((r) => (resolve = r)) });
    feed.start();
    await feed.stop();
    resolve({ url: 'ws://core/ws' });
    await flush();
    expect(FakeSocket.made).toHaveLength(0);

    const again = client();
    again.start();
    socket(0).drop();
    await again.stop();
    expect(timers.timeouts).toEqual([]);
  });
});
