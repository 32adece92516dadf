import { request } from 'node:http';
import { createServer } from 'node:net';

/**
 * Networking for the chaos run: every address it talks to or listens on is 127.0.0.1 (or
 * localhost), or an address of a host the run made itself (tools/chaos/hosts.ts), so a fault can
 * only ever hit the services the run started itself.
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);

/**
 * Throws unless `url` points at this machine's loopback interface, or at one of `runAddresses`:
 * the addresses of the run's own hosts (tools/chaos/hosts.ts), namespaces it made itself.
 */
export function assertLoopbackUrl(url: string, what: string, runAddresses: readonly string[] = []): void {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new Error(`${what}: not a URL: ${url}`);
  }
  if (LOOPBACK_HOSTS.has(host) || runAddresses.includes(host)) return;
  const allowed = ['127.0.0.1', 'localhost', ...runAddresses].join(', ');
  throw new Error(`${what} must point at ${allowed}, not ${host}: the chaos run never aims at another machine`);
}

/** A TCP port free on 127.0.0.1 right now (the kernel picks it; closed before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Polls `probe` every `everyMs` until it returns true or `timeoutMs` passed; resolves with the last answer. */
export async function pollUntil(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

export interface HttpAnswer {
  /** 0 when no HTTP answer came (refused, reset, timed out). */
  status: number;
  body: Record<string, unknown>;
}

const REQUEST_TIMEOUT_MS = 5_000;

/**
 * One GET on a connection of its own, as a phone makes each request (a pooled keep-alive socket
 * that the server closed meanwhile would fail a request the server never saw). Never rejects: a
 * dead server is an answer the chaos run expects.
 */
export function httpGet(url: string, options: { token?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    const req = request(url, { method: 'GET', agent: false, headers, timeout: options.timeoutMs ?? REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => resolve({ status: 0, body: {} }));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: {} }));
    req.end();
  });
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : { value };
  } catch {
    return { text };
  }
}
