import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { CallEvent } from '../../../../src/domain/events/CallEvent';
import { startWebhookListener, type WebhookListener, type WebhookListenerOptions } from '../../../../src/adapters/webhook/WebhookListener';
import { createLogger } from '../../../../src/shared/logger';
import { createMetrics } from '../../../../src/shared/metrics';
import { waitFor, withTimeout } from '../../../support/wait';

export const TOKEN = 'test-token-5f2a';

export interface TestListener {
  listener: WebhookListener;
  port: number;
  /** Events accept() made "durable", in order. */
  events: CallEvent[];
  /** Every accept() call, including rejected ones. */
  acceptCalls: () => number;
  /** Log lines written by the listener (pino JSON). */
  logLines: string[];
  metrics: ReturnType<typeof createMetrics>;
  close: () => Promise<void>;
}

/** Starts a real listener on a free port; accept() pushes into `events` unless overridden. */
export async function startTestListener(overrides: Partial<WebhookListenerOptions> = {}): Promise<TestListener> {
  const events: CallEvent[] = [];
  const logLines: string[] = [];
  let calls = 0;
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const metrics = createMetrics();
  const userAccept = overrides.accept;
  const listener = await startWebhookListener({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    account: 'acme',
    allow: [],
    logger: createLogger({ level: 'debug', destination }),
    metrics,
    ...overrides,
    accept: (event) => {
      calls++;
      if (userAccept !== undefined) return userAccept(event);
      events.push(event);
      return Promise.resolve();
    },
  });
  return { listener, port: listener.port, events, acceptCalls: () => calls, logLines, metrics, close: () => listener.close() };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/**
 * A raw TCP client that reads HTTP responses framed by Content-Length. Everything is
 * event-driven: `next()` resolves when a whole response has arrived, `closed` when the
 * server closes the connection; both fail after WAIT_MS, naming what they waited for.
 */
export class RawClient {
  readonly socket: Socket;
  private readonly closing: Promise<void>;
  private responses = 0;
  /** True once the server has sent FIN. */
  serverEnded = false;
  /** True once the connection is closed (either side). */
  isClosed = false;
  private buffer = Buffer.alloc(0);
  private waiters: Array<{ head: boolean; resolve: (r: RawResponse) => void; reject: (e: Error) => void }> = [];

  /** `localAddress` picks the source address (Linux routes all of 127.0.0.0/8 to lo: 127.0.0.2 is another phone). */
  constructor(port: number, host = '127.0.0.1', localAddress?: string) {
    this.socket = connect({ port, host, ...(localAddress === undefined ? {} : { localAddress }) });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.deliver();
    });
    this.socket.on('end', () => {
      this.serverEnded = true;
    });
    this.socket.on('error', () => undefined); // a reset is reported through `closed`
    this.closing = new Promise((resolve) => {
      this.socket.on('close', () => {
        this.isClosed = true;
        for (const w of this.waiters.splice(0)) w.reject(new Error('connection closed before a full response'));
        resolve();
      });
    });
  }

  static async open(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawClient> {
    const client = new RawClient(port, host, localAddress);
    await waitFor<void>(`a connection to ${host}:${port}`, (resolve, reject) => {
      const connected = () => resolve();
      client.socket.once('connect', connected);
      client.socket.once('error', reject);
      return () => {
        client.socket.off('connect', connected);
        client.socket.off('error', reject);
      };
    });
    return client;
  }

  /** Resolves once the server closed the connection (each await has its own deadline). */
  get closed(): Promise<void> {
    return withTimeout(this.closing, `the server to close the connection (${this.where()})`);
  }

  send(data: string | Buffer): this {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    return this;
  }

  /** The next response; `head` = it answers a HEAD request (no body). */
  next(head = false): Promise<RawResponse> {
    const n = ++this.responses;
    return waitFor<RawResponse>(`response ${n} (${this.where()})`, (resolve, reject) => {
      const waiter = { head, resolve, reject };
      this.waiters.push(waiter);
      this.deliver();
      return () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
      };
    }, { seen: () => `received and not yet read: ${JSON.stringify(this.buffer.toString('latin1').slice(0, 400))}` });
  }

  /** Everything received and not yet read as a response, as text. */
  get unread(): string {
    return this.buffer.toString('latin1');
  }

  /** Everything the server sent until it closed, as text. */
  async allText(): Promise<string> {
    await this.closed;
    return this.buffer.toString('latin1');
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private where(): string {
    return `from ${this.socket.localAddress ?? '?'}:${this.socket.localPort ?? '?'} to port ${this.socket.remotePort ?? '?'}`;
  }

  private deliver(): void {
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0]!;
      const parsed = parseResponse(this.buffer, waiter.head);
      if (parsed === null) return;
      this.buffer = this.buffer.subarray(parsed.length);
      this.waiters.shift();
      waiter.resolve(parsed.response);
    }
  }
}

function parseResponse(buffer: Buffer, head: boolean): { response: RawResponse; length: number } | null {
  const end = buffer.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0]!.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const bodyLength = head ? 0 : Number(headers['content-length'] ?? 0);
  if (buffer.length < end + 4 + bodyLength) return null;
  const body = buffer.subarray(end + 4, end + 4 + bodyLength).toString('utf8');
  return { response: { status, headers, body, json: body === '' ? undefined : JSON.parse(body) }, length: end + 4 + bodyLength };
}

/** One request on a fresh connection; returns the response and the client (to check closing). */
export async function exchange(port: number, data: string | Buffer, head = false): Promise<{ response: RawResponse; client: RawClient }> {
  const client = await RawClient.open(port);
  client.send(data);
  const response = await client.next(head);
  return { response, client };
}

/** A GET request head with CRLF line endings. */
export function get(target: string, headers: string[] = []): string {
  return `GET ${target} HTTP/1.1\r\nHost: phone-test\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

export { deferred } from '../../../support/wait';
