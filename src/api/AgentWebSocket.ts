import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createIdGenerator } from '../shared/ids';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CallStateStore } from '../domain/callstate/CallStateStore';
import type { PresenceService } from '../domain/presence/PresenceService';
import type { PushHub } from '../domain/push/PushHub';
import type { Logger } from '../shared/logger';
import type { Metrics } from '../shared/metrics';
import { settlesWithin } from '../shared/settlesWithin';
import type { Authenticator, Principal } from './auth';
import { clientMessage, type ServerMessageOf } from '../protocol/messages';
import type { HealthReport } from '../protocol/views';
import { sendInTurn } from './turnCorkedSend';

export interface AgentWebSocketDeps {
  auth: Authenticator;
  push: PushHub;
  presence: PresenceService;
  state: CallStateStore;
  logger: Logger;
  metrics: Metrics;
  clock: () => number;
  heartbeatTtlMs: number;
  allowedOrigins: () => Set<string>;
  health: () => Promise<Omit<HealthReport, 'phones'>>;
  /**
   * What one connection's health message adds about phones (DeviceHealth): an agent's session gets
   * its own phones, an admin connection the account's. Without it the message is `health()` alone.
   */
  phoneHealth?: (viewer: HealthViewer) => Promise<Pick<HealthReport, 'phone' | 'phones'>>;
  /** A connection opened or closed (`connections` changed): the server's paced passes speed up or slow down (docs/architecture.md, Idle). */
  onConnectionsChanged?: () => void;
}

export interface HealthViewer {
  account: string;
  /** null: an admin connection. */
  agent: string | null;
}

interface HealthConnection extends HealthViewer {
  ws: WebSocket;
  /** The last health message sent, without its time and spool depth: a new one goes out only when this changes. */
  lastKey: string | null;
}

const nextSocketId = createIdGenerator();
const TOKEN_PROTOCOL = /^(?:bearer\.|ringside\.token\.)?(.+)$/;

/** `/ws`: token in `?token=` or `Sec-WebSocket-Protocol`, exact Origin check, then push + heartbeats. */
const FIRST_HEARTBEAT_WAIT_MS = 1_000;

export class AgentWebSocket {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024, handleProtocols: (protocols) => [...protocols][0] ?? false });

  private readonly healthConnections = new Set<HealthConnection>();
  /** Every open connection and its agent (null: opened with the admin token). */
  private readonly principals = new Map<WebSocket, string | null>();

  constructor(private readonly deps: AgentWebSocketDeps) {}

  /** Open connections on this process (agents' and admins'). */
  get connections(): number {
    return this.principals.size;
  }

  /**
   * Sends a `health` message to this process's connections (of one account, or only one agent's
   * and the account's admin connections) whose health changed since the last one they got.
   * Health is what this process knows (its view of the services, its phone polls), so it goes to
   * local connections only.
   */
  async refreshHealth(filter: { account: string; agent?: string | null } | null = null, read = this.deps.health): Promise<void> {
    const targets = [...this.healthConnections].filter((c) => filter === null
      || (c.account === filter.account && (filter.agent === undefined || c.agent === null || c.agent === filter.agent)));
    if (targets.length === 0) return;
    const services = await read();
    await Promise.all(targets.map((c) => this.sendHealth(c, services, false)));
  }

  private async sendHealth(connection: HealthConnection, services: Omit<HealthReport, 'phones'>, always: boolean): Promise<void> {
    const phones = this.deps.phoneHealth ? await this.deps.phoneHealth(connection) : {};
    const body = { ...services, ...phones };
    const { spoolDepth: _depth, ...compared } = body;
    const key = JSON.stringify(compared);
    if (!always && key === connection.lastKey) return;
    connection.lastKey = key;
    if (connection.ws.readyState !== connection.ws.OPEN) return;
    // Counted like the pushes through the push hub; the greeting on connect never was.
    if (!always) this.deps.metrics.pushMessages.inc({ type: 'health' });
    connection.ws.send(JSON.stringify({ type: 'health', at: this.deps.clock(), account: connection.account, ...body } satisfies ServerMessageOf<'health'>));
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const reject = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ error: reason })}`);
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') return reject(404, 'Not Found');
    const origin = req.headers.origin;
    // Browsers always send Origin; a missing one is a non-browser client, which the token alone authenticates.
    if (origin !== undefined && !this.deps.allowedOrigins().has(origin)) return reject(403, 'Forbidden origin');
    const principal = await this.deps.auth.principal(this.tokenOf(req, url));
    if (!principal) return reject(401, 'Unauthorized');
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.accept(ws, principal));
  }

  private tokenOf(req: IncomingMessage, url: URL): string | null {
    const fromQuery = url.searchParams.get('token');
    if (fromQuery) return fromQuery;
    const protocols = req.headers['sec-websocket-protocol']?.split(',').map((p) => p.trim()) ?? [];
    const first = protocols[0];
    return first ? TOKEN_PROTOCOL.exec(first)![1]! : null;
  }

  private async accept(ws: WebSocket, principal: Principal): Promise<void> {
    const { push, state, presence, metrics, clock, heartbeatTtlMs } = this.deps;
    const socketId = nextSocketId();
    const agent = principal.kind === 'agent' ? principal.agent : null;
    const account = principal.account;
    const unregister = push.register({ id: socketId, account, agent, send: (data) => sendInTurn(ws, data) });
    metrics.wsConnections.inc();
    const beat = async () => {
      if (agent) await state.setSessionHeartbeat(account, { agent, socketId, ttlMs: heartbeatTtlMs, now: clock() });
      await presence.publishChanges(account);
    };
    const healthConnection: HealthConnection = { ws, account, agent, lastKey: null };
    this.principals.set(ws, agent);
    this.deps.onConnectionsChanged?.();
    ws.on('close', () => {
      this.principals.delete(ws);
      this.deps.onConnectionsChanged?.();
      this.healthConnections.delete(healthConnection);
      unregister();
      metrics.wsConnections.dec();
      void state.removeSession(account, socketId).then(() => presence.publishChanges(account)).catch(() => {});
    });
    ws.on('message', (data) => void this.onMessage(ws, String(data), account, agent, beat));
    ws.on('error', (error) => this.deps.logger.debug({ err: error }, 'websocket error'));
    // The first heartbeat normally lands before the health message; during a Redis outage the UI
    // must not wait for it to learn that Redis is down.
    const first = beat();
    first.catch((err: unknown) => this.deps.logger.debug({ err }, 'first heartbeat failed'));
    await settlesWithin(first, FIRST_HEARTBEAT_WAIT_MS);
    if (ws.readyState === ws.OPEN) this.healthConnections.add(healthConnection);
    await this.sendHealth(healthConnection, await this.deps.health(), true);
  }

  private async onMessage(ws: WebSocket, text: string, account: string, agent: string | null, beat: () => Promise<void>): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = clientMessage.safeParse(parsed);
    if (!result.success) {
      ws.send(JSON.stringify({ type: 'error', at: this.deps.clock(), account, reason: 'unknown or malformed message; expected heartbeat or presence.set' } satisfies ServerMessageOf<'error'>));
      return;
    }
    if (result.data.type === 'heartbeat') return beat();
    if (!agent) {
      ws.send(JSON.stringify({ type: 'error', at: this.deps.clock(), account, reason: 'presence.set needs an agent session' } satisfies ServerMessageOf<'error'>));
      return;
    }
    await this.deps.presence.setManual(account, agent, result.data.status);
  }

  /** The admin token was rotated: the connections it opened end (4001), as its requests are refused from now on. */
  closeAdminConnections(): void {
    for (const [ws, agent] of this.principals) if (agent === null) ws.close(4001, 'admin token rotated');
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
