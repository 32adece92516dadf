/** The measurements both bench runs (embedded and shared) take against a Ringside child process. */
import autocannon from 'autocannon';
import { Agent, get } from 'node:http';
import WebSocket from 'ws';
import type { ChildServer } from './children';

export const TOKEN = 'bench-admin-token-0123456789';
/** What the bench's phones carry: the webhook token, never the admin token. */
export const WEBHOOK_TOKEN = 'bench-webhook-token-0123456789';
/** The bench servers' two tokens, as environment variables. */
export const TOKEN_ENV = { RINGSIDE_ADMIN_TOKEN: TOKEN, RINGSIDE_WEBHOOK_TOKEN: WEBHOOK_TOKEN } as const;
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/**
 * A load before the measured one, not counted (BENCH_WARMUP_SECONDS; 0 for none): a server runs
 * for days, and its figures are those of code V8 has compiled, not of its first seconds, when
 * compiling takes a fifth of its CPU. The broker-alone yardstick warms up the same way.
 */
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
export const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 1000);
export const BENCH_MAC = '000B82000001';
/** How long a latency probe waits for one call's popup before giving up on the run. */
const POPUP_LIMIT_MS = 30_000;

/** `remote` is +92300 followed by `n` on 7 digits; `displayRemote` is what the phone shows (no spaces: sent as is). */
export function eventPath(n: number, event = 'incoming', displayRemote = 'Bench'): string {
  return `/gs/${WEBHOOK_TOKEN}/cti/${event}?mac=${BENCH_MAC}&remote=%2B92300${String(n).padStart(7, '0')}&local=100&display_remote=${displayRemote}`;
}

export interface LoadResult { rate: number; ok: number; non2xx: number; errors: number }

/**
 * Each connection plays whole calls in order (incoming, answered, hangup) with a new caller per
 * call, so the handlers do the work of real calls while the listener is measured. `firstCall`
 * keeps the callers of two runs apart.
 */
export async function callLoad(baseUrl: string, firstCall = 0, seconds = SECONDS): Promise<LoadResult> {
  let calls = firstCall;
  const step = (event: string, next: boolean) => ({
    method: 'GET' as const,
    setupRequest: (req: autocannon.Request, context: object) => {
      const connection = context as { call?: number };
      if (next) connection.call = calls++;
      return { ...req, path: eventPath(connection.call ?? 0, event) };
    },
  });
  const result = await autocannon({
    url: baseUrl.replace('0.0.0.0', '127.0.0.1'),
    connections: CONNECTIONS,
    duration: seconds,
    requests: [step('incoming', true), step('answered', false), step('hangup', false)],
  });
  return { rate: result.requests.average, ok: result['2xx'], non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

/** Callers of warm-up loads: apart from every measured load's and probe's. */
export const WARMUP_CALLERS = 2_000_000;

/** A load of WARMUP_SECONDS whose figures are not kept (WARMUP_SECONDS); nothing with 0. */
export async function warmUp(server: ChildServer, firstCall = WARMUP_CALLERS): Promise<void> {
  if (WARMUP_SECONDS > 0) await callLoad(server.urls.webhookUrl!, firstCall, WARMUP_SECONDS);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Latency { p50: number; p99: number; samples: number }

export interface ProbeOptions {
  /** The first caller's number (eventPath's `n`): each probe keeps to callers of its own. */
  firstCaller?: number;
  /** Under load: samples until this settles (the load ends) rather than LATENCY_SAMPLES of them. */
  until?: Promise<unknown>;
}

/**
 * Webhook request sent → `call.ringing` received on a WebSocket, one call at a time on a
 * keep-alive connection of its own. `server` is Ringside, or bareHttp.js (the same messages, no work).
 */
export async function ringingLatency(server: ChildServer, options: ProbeOptions = {}): Promise<Latency> {
  let loadOver = false;
  const over = () => (loadOver = true);
  void options.until?.then(over, over);
  const ws = new WebSocket(`${server.urls.apiUrl!.replace('http', 'ws')}/ws?token=${TOKEN}`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const pending = new Map<string, (at: number) => void>();
  ws.on('message', (data) => {
    const at = performance.now();
    const message = JSON.parse(String(data)) as { type: string; call?: { remote: string } };
    if (message.type === 'call.ringing' && message.call) pending.get(message.call.remote)?.(at);
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  const base = server.urls.webhookUrl!.replace('0.0.0.0', '127.0.0.1');
  for (let i = 0; options.until ? !loadOver : i < LATENCY_SAMPLES; i++) {
    const n = (options.firstCaller ?? 9_000_000) + i;
    const remote = `+92300${String(n).padStart(7, '0')}`;
    const seen = new Promise<number>((resolve, reject) => {
      // A popup that never comes (its event failed) ends the run rather than hanging it.
      const timer = setTimeout(() => reject(new Error(`no call.ringing for ${remote} within ${POPUP_LIMIT_MS} ms`)), POPUP_LIMIT_MS);
      pending.set(remote, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
    const start = performance.now();
    await send(agent, `${base}${eventPath(n)}`);
    latencies.push((await seen) - start);
    pending.delete(remote);
  }
  ws.close();
  agent.destroy();
  return summarise(latencies);
}

export function summarise(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), samples: sorted.length };
}

/** One webhook request on `agent`'s connection; resolves once it is answered 200. */
export function send(agent: Agent, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    }).on('error', reject);
  });
}

export async function adminRequest(server: ChildServer, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${server.urls.apiUrl}${path}`, {
    method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.headers.get('content-type')?.includes('json') ? res.json() : res.text();
}

/** Sum of a counter over its labels, optionally only the series whose labels contain `filter`. */
export async function counter(server: ChildServer, name: string, filter = ''): Promise<number> {
  const text = String(await adminRequest(server, 'GET', '/metrics'));
  const pattern = new RegExp(`^${name}\\{([^}]*)\\} (\\d+)`, 'gm');
  return [...text.matchAll(pattern)].filter((m) => m[1]!.includes(filter)).reduce((sum, m) => sum + Number(m[2]), 0);
}

/** How long a bench waits for a server to handle what it accepted before calling it stuck. */
const DRAIN_LIMIT_MS = 120_000;

/**
 * Until every event the servers accepted is handled (by any of them: the shard queues' single
 * active consumers may all be on one) and every outbox is empty (polled: the bench is outside the processes).
 */
export async function waitUntilHandled(...servers: ChildServer[]): Promise<void> {
  const deadline = performance.now() + DRAIN_LIMIT_MS;
  const sum = async (name: string, filter = '') => (await Promise.all(servers.map((s) => counter(s, name, filter)))).reduce((a, b) => a + b, 0);
  for (;;) {
    const [accepted, handled, healths] = await Promise.all([
      sum('ringside_events_accepted_total'),
      sum('ringside_events_handled_total', 'outcome="ok"'),
      Promise.all(servers.map((s) => adminRequest(s, 'GET', '/healthz') as Promise<{ spoolDepth: number }>)),
    ]);
    const outbox = healths.reduce((total, h) => total + h.spoolDepth, 0);
    if (process.env.BENCH_TRACE) console.log(`${Math.round(performance.now())} accepted ${accepted} handled ${handled} outbox ${outbox}`);
    if (handled >= accepted && outbox === 0) return;
    if (performance.now() > deadline) throw new Error(`not drained after ${DRAIN_LIMIT_MS} ms: ${accepted} accepted, ${handled} handled`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function mb(bytes: number | null): string {
  return bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatLatency(latency: Latency, target: string): string {
  return `webhook -> call.ringing on a WebSocket: p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms over ${latency.samples} calls (target p99 <= ${target})`;
}
