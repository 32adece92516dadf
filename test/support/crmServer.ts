import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor, type WaitOptions } from './wait';

export type CrmAnswer =
  | { status: number; body?: unknown; raw?: string }
  /** Holds the request until the test calls release(): a CRM slower than any timeout (holdBody: it sends the headers, not the body). */
  | 'hold'
  | 'holdBody';

/**
 * A real CRM stand-in on 127.0.0.1 (port 0): answers `GET /callers/<number>` as the test says,
 * counts the requests per number, and can hold a request open until released.
 */
export class TestCrmServer {
  readonly requests: string[] = [];
  /** The Authorization header of each request ('' when none), in order. */
  readonly authorizations: string[] = [];
  private readonly held: ServerResponse[] = [];
  private waiters: Array<{ number: string; resolve: () => void }> = [];
  private answers = new Map<string, CrmAnswer>();
  private fallback: CrmAnswer = { status: 404 };

  private constructor(private readonly server: ReturnType<typeof createServer>, readonly port: number) {}

  static async start(): Promise<TestCrmServer> {
    let self: TestCrmServer | null = null;
    const server = createServer((req, res) => self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new TestCrmServer(server, (server.address() as AddressInfo).port);
    return self;
  }

  /** The template Ringside is configured with (with `user:password@` when given). */
  get urlTemplate(): string {
    return this.urlTemplateWith('');
  }

  urlTemplateWith(credentials: string): string {
    return `http://${credentials === '' ? '' : `${credentials}@`}127.0.0.1:${this.port}/callers/{number}?source=ringside`;
  }

  answer(number: string, answer: CrmAnswer): void {
    this.answers.set(number, answer);
  }

  answerOthers(answer: CrmAnswer): void {
    this.fallback = answer;
  }

  /** How many requests asked for this number. */
  count(number: string): number {
    return this.requests.filter((n) => n === number).length;
  }

  /** Resolves once a request for this number has arrived (at once if one has); fails after WAIT_MS. */
  requested(number: string, options: WaitOptions = {}): Promise<void> {
    return waitFor<void>(`a CRM request for ${number}`, (resolve) => {
      if (this.count(number) > 0) return resolve();
      const waiter = { number, resolve: () => resolve() };
      this.waiters.push(waiter);
      return () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
    }, { ...options, seen: () => `requests so far: ${JSON.stringify(this.requests)}` });
  }

  /** Ends every held request (with a 200 that comes too late to matter). */
  release(): void {
    for (const res of this.held.splice(0)) {
      if (!res.destroyed) res.end(JSON.stringify({ name: 'Too Late' }));
    }
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/callers\/([^/]+)$/.exec(url.pathname);
    if (!match || url.searchParams.get('source') !== 'ringside') {
      res.writeHead(400).end();
      return;
    }
    const number = decodeURIComponent(match[1]!);
    this.requests.push(number);
    this.authorizations.push(req.headers.authorization ?? '');
    this.waiters = this.waiters.filter((w) => (w.number === number ? (w.resolve(), false) : true));
    const answer = this.answers.get(number) ?? this.fallback;
    if (answer === 'hold' || answer === 'holdBody') {
      if (answer === 'holdBody') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
      }
      this.held.push(res);
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body)));
  }
}
