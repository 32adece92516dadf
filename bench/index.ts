/**
 * `npm run bench`: figures for the embedded single-seat topology, from one run.
 *  1. webhook ingest rate of Ringside (every 200 durable in the spool) against a bare node:http
 *     server on the same machine, as a ratio;
 *  2. end-to-end latency from the webhook request to `call.ringing` on a WebSocket client;
 *  3. resident memory of the Ringside process.
 * Both servers run in child processes; the load generator (autocannon) runs here.
 */
import autocannon from 'autocannon';
import { Agent, get } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { makeTempDir } from '../test/support/tmp';
import { startChild, type ChildServer } from './children';

const TOKEN = 'bench-admin-token-0123456789';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 1000);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function eventPath(n: number, event = 'incoming'): string {
  return `/gs/${TOKEN}/cti/${event}?mac=000B82000001&remote=%2B92300${String(n).padStart(7, '0')}&local=100&display_remote=Bench`;
}

/**
 * Each connection plays whole calls in order (incoming, answered, hangup) with a new caller per
 * call, so the handlers do the work of real calls while the listener is measured.
 */
async function ingestRate(baseUrl: string): Promise<{ rate: number; ok: number; non2xx: number; errors: number }> {
  let calls = 0;
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
    duration: SECONDS,
    requests: [step('incoming', true), step('answered', false), step('hangup', false)],
  });
  return { rate: result.requests.average, ok: result['2xx'], non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function ringingLatency(server: ChildServer): Promise<{ p50: number; p99: number; samples: number }> {
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
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const n = 9_000_000 + i;
    const remote = `+92300${String(n).padStart(7, '0')}`;
    const seen = new Promise<number>((resolve) => pending.set(remote, resolve));
    const start = performance.now();
    await send(agent, `${base}${eventPath(n)}`);
    latencies.push((await seen) - start);
    pending.delete(remote);
  }
  ws.close();
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length };
}

function send(agent: Agent, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    }).on('error', reject);
  });
}

async function acceptedEvents(server: ChildServer): Promise<number> {
  const res = await fetch(`${server.urls.apiUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  return [...text.matchAll(/^ringside_events_accepted_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

function mb(bytes: number | null): string {
  return bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function main(): Promise<void> {
  const temp = makeTempDir('ringside-bench-');
  const env = { RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_TOKEN: TOKEN, RINGSIDE_PHONE_RATE_LIMIT: '0' };
  // The product as the README runs it: `ringside serve`, from the built bundle when there is one.
  const built = existsSync(here('../out/server/ringside.mjs'));
  const ringside = await startChild([here('../bin/ringside.js'), 'serve'], { ...env, RINGSIDE_USE_BUILD: built ? '1' : '0', RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0', RINGSIDE_LOG_LEVEL: 'warn' }, ['webhookUrl', 'apiUrl']);
  const bare = await startChild([here('./bareHttp.js')]);
  try {
    const rssIdle = ringside.rssBytes();
    const latency = await ringingLatency(ringside);
    if (process.env.BENCH_ONLY === 'latency') {
      console.log(`webhook -> call.ringing on a WebSocket: p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms over ${latency.samples} calls`);
      return;
    }
    const bareResult = await ingestRate(bare.urls.webhookUrl!);
    const before = await acceptedEvents(ringside);
    const ringsideResult = await ingestRate(ringside.urls.webhookUrl!);
    const durable = (await acceptedEvents(ringside)) - before;
    const rssLoaded = ringside.rssBytes();

    console.log(`Ringside bench (embedded, ${built ? 'built server bundle' : 'sources through tsx'}, ${SECONDS}s per load run, ${CONNECTIONS} connections, keep-alive)`);
    console.log(`ingest: bare node:http ${bareResult.rate.toFixed(0)} req/s, Ringside ${ringsideResult.rate.toFixed(0)} req/s, ratio ${(ringsideResult.rate / bareResult.rate).toFixed(2)} (target >= 0.5)`);
    // autocannon stops counting at the deadline while the last requests are still answered, so
    // the spool may hold a few more events than the 200s it counted, never fewer.
    const verdict = durable >= ringsideResult.ok ? 'every 200 durable' : 'FEWER DURABLE EVENTS THAN 200s';
    console.log(`ingest: ${ringsideResult.ok} answered 200, ${durable} durable in the spool (${verdict}), ${ringsideResult.non2xx} non-2xx, ${ringsideResult.errors} errors`);
    console.log(`webhook -> call.ringing on a WebSocket: p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms over ${latency.samples} calls (target p99 <= 5 ms)`);
    console.log(`resident memory: ${mb(rssIdle)} at start, ${mb(rssLoaded)} after the load runs`);
  } finally {
    await ringside.stop();
    await bare.stop();
    temp.cleanup();
  }
}

await main();
