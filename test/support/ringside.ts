import { request } from 'node:http';
import WebSocket from 'ws';
import { loadConfig } from '../../src/app/config/loadConfig';
import { currentToken } from '../../src/app/config/tokenFiles';
import type { RingsideConfig } from '../../src/app/config/schema';
import { startRingside, type RingsideInstance } from '../../src/app/server';
import { createLogger, type Logger } from '../../src/shared/logger';
import { makeTempDir } from './tmp';
import { Inbox, show, waitFor, withTimeout, type WaitOptions } from './wait';

/** The test servers' admin token (the agent API's admin). */
export const TEST_TOKEN = 'test-admin-token-0123456789';
/** The test servers' webhook token: what their phones carry; never an admin token. */
export const TEST_WEBHOOK_TOKEN = 'test-webhook-token-0123456789';

export interface TestRingside {
  instance: RingsideInstance;
  /** Moves Ringside's clock forward (missed-call delay, heartbeat expiry) without waiting. */
  advance(ms: number): void;
  /** Waits until every accepted event is handled, then runs due housekeeping. */
  settle(): Promise<void>;
  config: RingsideConfig;
  dataDir: string;
  /** Sends one Action URL request like a phone; resolves with status and JSON body. */
  phone(event: string, params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  api<T = unknown>(method: string, path: string, options?: { token?: string; body?: unknown; contentType?: string; raw?: string }): Promise<{ status: number; body: T }>;
  /** Creates the agent (and binds its phone) and opens an agent UI WebSocket for it. */
  agent(id: string, options?: { extension?: string; devices?: string[]; helplines?: string[]; name?: string }): Promise<AgentClient>;
  stop(): Promise<void>;
}

/** Starts a real Ringside in-process on free ports and a fresh data dir. */
export async function startTestRingside(overrides: Record<string, unknown> = {}, dataDir?: string, options: { logger?: Logger } = {}): Promise<TestRingside> {
  const temp = dataDir ? null : makeTempDir();
  const dir = dataDir ?? temp!.dir;
  const config = loadConfig({
    env: { RINGSIDE_PROVISIONING_FILE: '/nonexistent/ringside.json' },
    overrides: {
      dataDir: dir, adminToken: TEST_TOKEN, webhookToken: TEST_WEBHOOK_TOKEN, webhook: { host: '127.0.0.1', port: 0 }, api: { host: '127.0.0.1', port: 0 },
      missedDelayMs: 60_000, logLevel: 'silent', phoneRateLimit: 0, ...overrides,
    },
  });
  let offset = 0;
  const clock = () => Date.now() + offset;
  // Tests take services away on purpose: a short grace keeps a seat's shutdown quick then.
  const instance = await startRingside(config, { logger: options.logger ?? createLogger({ level: 'silent' }), clock, stopGraceMs: 500 });
  const clients: AgentClient[] = [];
  const self: TestRingside = {
    instance, config, dataDir: dir,
    advance: (ms) => {
      offset += ms;
    },
    settle: async () => {
      await withTimeout(instance.drained(), 'Ringside to drain (every accepted event handled)');
      await instance.housekeeping();
    },
    // The instance's own tokens (TEST_WEBHOOK_TOKEN and TEST_TOKEN unless the test gave others;
    // kept in the data directory, they are read as they are now: a rotation changes them).
    phone: (event, params) => phoneRequest(instance.webhookUrl, event, params, currentToken(config, 'webhook')),
    api: (method, path, options = {}) => apiRequest(instance.apiUrl, method, path, { token: currentToken(config, 'admin'), ...options }),
    async agent(id, options = {}) {
      const created = await self.api('POST', '/api/agents', { body: { id, name: options.name ?? `Agent ${id}`, extension: options.extension, devices: options.devices, helplines: options.helplines } });
      if (created.status !== 200) throw new Error(`creating agent ${id}: ${created.status} ${JSON.stringify(created.body)}`);
      const session = await self.api<{ token: string }>('POST', '/api/session', { body: { agent: id } });
      const client = await AgentClient.connect(instance.apiUrl, session.body.token, { name: id });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.close();
      await instance.close();
      temp?.cleanup();
    },
  };
  return self;
}

export function phoneRequest(baseUrl: string, event: string, params: Record<string, string>, token = TEST_WEBHOOK_TOKEN): Promise<{ status: number; body: Record<string, unknown> }> {
  // Percent-encoded: URLSearchParams would write a space as `+`, which the listener keeps as a
  // plus, as phones mean it (`remote=+92...`).
  const query = Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return httpJson(`${baseUrl.replace('0.0.0.0', '127.0.0.1')}/gs/${token}/cti/${event}?${query}`, 'GET');
}

export function apiRequest<T>(baseUrl: string, method: string, path: string, options: { token?: string; body?: unknown; contentType?: string; raw?: string }): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | undefined;
  if (options.raw !== undefined) {
    payload = options.raw;
    headers['content-type'] = options.contentType ?? 'text/csv';
  } else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  return httpJson(`${baseUrl}${path}`, method, headers, payload) as Promise<{ status: number; body: T }>;
}

function httpJson(url: string, method: string, headers: Record<string, string> = {}, payload?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          body = { text };
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface PushedMessage {
  type: string;
  [field: string]: unknown;
}

/**
 * An agent UI's WebSocket: every message is kept (in `messages`, in order), and tests await the
 * ones they expect with next(). Each wait takes the earliest matching message no earlier wait
 * took, so one message answers one wait; `since: client.mark()`, taken before the action, leaves
 * out everything that came before it (a health message from before an outage, say).
 */
export class AgentClient {
  private readonly inbox: Inbox<PushedMessage>;

  private constructor(readonly ws: WebSocket, readonly token: string, readonly name: string) {
    this.inbox = new Inbox(`${name}'s agent socket`, (m) => show(m, 240));
    ws.on('message', (data) => this.inbox.push(JSON.parse(String(data)) as PushedMessage));
  }

  /** Opens the socket and waits for its first message (the health). `name` names it in timeout messages. */
  static async connect(apiUrl: string, token: string, options: { origin?: string; name?: string } = {}): Promise<AgentClient> {
    const ws = new WebSocket(`${apiUrl.replace('http', 'ws')}/ws?token=${encodeURIComponent(token)}`, options.origin ? { origin: options.origin } : {});
    const client = new AgentClient(ws, token, options.name ?? 'an agent');
    await waitFor<void>(`${client.name}'s agent socket to open`, (resolve, reject) => {
      const opened = () => resolve();
      ws.once('open', opened);
      ws.once('error', reject);
      return () => {
        ws.off('open', opened);
        ws.off('error', reject);
      };
    });
    await client.next((m) => m.type === 'health', 'the first health message');
    return client;
  }

  /** Everything received, in order. */
  get messages(): readonly PushedMessage[] {
    return this.inbox.all;
  }

  /** Where the stream is now: next(…, { since }) then considers only what arrives after this. */
  mark(): number {
    return this.inbox.mark();
  }

  /**
   * The earliest message that matches and that no earlier next() took (already received or still
   * to come; with `since`, only those received after that mark). Fails after WAIT_MS (or
   * `timeoutMs`) naming `what` and listing what the socket received.
   */
  next(match: (m: PushedMessage) => boolean, what: string, options: WaitOptions & { since?: number } = {}): Promise<PushedMessage> {
    return this.inbox.next(match, what, options);
  }

  /** next() for a call message of `type` about the caller `remote`. */
  callMessage(type: string, remote: string, options: WaitOptions & { since?: number } = {}): Promise<PushedMessage> {
    return this.next((m) => m.type === type && (m.call as { remote?: string } | undefined)?.remote === remote, `${type} for ${remote}`, options);
  }

  received(type: string): PushedMessage[] {
    return this.messages.filter((m) => m.type === type);
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  close(): void {
    this.ws.close();
  }
}
