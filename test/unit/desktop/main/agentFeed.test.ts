// The shell's WebSocket to its core, against a real `ws` server: token in the subprotocol, no
// Origin, messages parsed, heartbeats, reconnect with a fresh token. Timers are driven by hand.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { AgentFeed, reconnectDelayMs, websocketUrl, type FeedState } from '../../../../src/desktop/main/agentFeed';
import type { ServerMessage } from '../../../../src/protocol/messages';
import { callView, ringing } from '../../protocol/fixtures';
import { ManualTimers } from '../../protocol/manualTimers';
import { FakeEmitter } from './fakes';

interface Connection {
  request: IncomingMessage;
  socket: WebSocket;
  received: string[];
}

/** A stand-in for the core's /ws endpoint that records what clients send. */
class CoreSocket extends FakeEmitter {
  readonly connections: Connection[] = [];
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => [...protocols][0] ?? false });

  private constructor() {
    super();
    this.server = createServer((_req, res) => res.end());
    this.server.on('upgrade', (request, socket, head) => {
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        const connection: Connection = { request, socket: ws, received: [] };
        this.connections.push(connection);
        ws.on('message', (data) => {
          connection.received.push(String(data));
          this.changed();
        });
        ws.on('close', () => this.changed());
        this.changed();
      });
    });
  }

  static async start(): Promise<CoreSocket> {
    const core = new CoreSocket();
    await new Promise<void>((resolve) => core.server.listen(0, '127.0.0.1', resolve));
    return core;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let core: CoreSocket | null = null;
let feed: AgentFeed | null = null;
afterEach(async () => {
  await feed?.stop();
  await core?.close();
  feed = null;
  core = null;
});

async function connectedFeed(tokens: string[] = ['tok-1', 'tok-2', 'tok-3']) {
  core = await CoreSocket.start();
  const timers = new ManualTimers();
  const messages: ServerMessage[] = [];
  const states: FeedState[] = [];
  const progress = new FakeEmitter();
  const issued: string[] = [];
  feed = new AgentFeed({
    origin: core.origin,
    token: async () => {
      const token = tokens.shift() ?? 'tok-last';
      issued.push(token);
      return token;
    },
    onMessage: (m) => {
      messages.push(m);
      progress.emit('change');
    },
    onState: (s) => {
      states.push(s);
      progress.emit('change');
    },
    timers,
  });
  feed.start();
  await progress.until(() => states.at(-1) === 'open');
  return { core, feed, timers, messages, states, progress, issued };
}

describe('agent feed', () => {
  it('connects to /ws with the token as subprotocol and no Origin header', async () => {
    const { core } = await connectedFeed();
    const { request } = core.connections[0]!;
    expect(request.url).toBe('/ws');
    expect(request.headers['sec-websocket-protocol']).toBe('ringside.token.tok-1');
    expect(request.headers.origin).toBeUndefined();
    expect(websocketUrl('https://ringside.example:8443')).toBe('wss://ringside.example:8443/ws');
  });

  it('delivers well-formed server messages and drops the rest', async () => {
    const { core, messages, progress } = await connectedFeed();
    const socket = core.connections[0]!.socket;
    socket.send('not json');
    socket.send(JSON.stringify({ no: 'type' }));
    socket.send(JSON.stringify({ type: 'call.ringing', at: 1, account: 'default', call: { id: 'c1' } }));
    socket.send(JSON.stringify({ type: 'presence.changed', at: 1, account: 'default', agent: 'me', status: 'away' }));
    socket.send(JSON.stringify(ringing(callView({ id: 'c2' }))));
    await progress.until(() => messages.length === 2);
    expect(messages).toEqual([{ type: 'presence.changed', at: 1, account: 'default', agent: 'me', status: 'away' }, ringing(callView({ id: 'c2' }))]);
  });

  it('sends heartbeats on its interval and presence.set when asked', async () => {
    const { core, feed, timers } = await connectedFeed();
    expect(timers.intervals.map((t) => t.ms)).toEqual([60_000]);
    timers.tickIntervals();
    expect(feed.send({ type: 'presence.set', status: 'away' })).toBe(true);
    await core.until(() => core.connections[0]!.received.length === 2);
    expect(core.connections[0]!.received.map((r) => JSON.parse(r))).toEqual([{ type: 'heartbeat' }, { type: 'presence.set', status: 'away' }]);
  });

  it('reconnects with a fresh token after the connection drops, backing off', async () => {
    const { core, timers, states, progress, issued } = await connectedFeed();
    core.connections[0]!.socket.terminate();
    await progress.until(() => states.at(-1) === 'closed' && timers.timeouts.length === 1);
    expect(timers.intervals[0]!.cleared).toBe(true);
    expect(timers.runTimeouts()).toEqual([reconnectDelayMs(0)]);
    await progress.until(() => states.at(-1) === 'open');
    expect(core.connections).toHaveLength(2);
    expect(core.connections[1]!.request.headers['sec-websocket-protocol']).toBe('ringside.token.tok-2');
    expect(issued).toEqual(['tok-1', 'tok-2']);
    expect(states).toEqual(['connecting', 'open', 'closed', 'connecting', 'open']);
  });

  it('cannot send while disconnected, and stops for good', async () => {
    const { core, feed, timers, states } = await connectedFeed();
    await feed.stop();
    expect(states.at(-1)).toBe('closed');
    expect(feed.send({ type: 'heartbeat' })).toBe(false);
    await core.until(() => core.connections[0]!.socket.readyState === core.connections[0]!.socket.CLOSED);
    expect(timers.timeouts).toEqual([]);
  });

  it('backs off up to 30 s', () => {
    expect([0, 1, 2, 6, 20].map(reconnectDelayMs)).toEqual([500, 1000, 2000, 30_000, 30_000]);
  });
});
