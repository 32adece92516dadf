/**
 * Central servers on PostgreSQL (docs/architecture.md, Several servers): the shared-mode pipeline
 * (Redis call state, RabbitMQ, the call log and directory in PostgreSQL) with one server, then two
 * servers on this machine sharing the load. For each: call events handled per second end to end
 * (webhook 200 → handled, nothing lost), the Ringside servers' own CPU per event (user + system
 * time from /proc/<pid>/stat over the load, divided by events handled) and PostgreSQL's (its
 * processes on this machine: what a call center's database server pays per event). The load
 * generator runs in this process, each server in its own.
 */
import { ulid } from 'ulid';
import { createTestDatabase } from '../../test/support/postgres';
import { makeTempDir } from '../../test/support/tmp';
import { CLOCK_TICKS_PER_SECOND, serviceCpuTicks, startChild, treeCpuTicks, type ChildServer } from './children';
import { BENCH_MAC, CONNECTIONS, SECONDS, TOKEN_ENV, WARMUP_CALLERS, WARMUP_SECONDS, adminRequest, callLoad, counter, waitUntilHandled, warmUp } from './measure';
import { startPrivateRedis, type PrivateRedis } from './privateRedis';
import { ringsideCommand } from './ringsideCommand';
import { AMQP_URL, SHARDS, deleteBenchTopology, type Names } from './shared';

/** BENCH_POSTGRES_SERVERS=1 (or 2) runs only that many; default both. */
const SERVER_COUNTS = process.env.BENCH_POSTGRES_SERVERS ? [Number(process.env.BENCH_POSTGRES_SERVERS)] : [1, 2];

export async function benchSharedPostgres(): Promise<void> {
  const redis = await startPrivateRedis();
  try {
    console.log(`\nRingside bench, central servers on PostgreSQL: Redis call state + RabbitMQ (${SHARDS} shard queues) + PostgreSQL, ${SECONDS}s load after a ${WARMUP_SECONDS}s warm-up, ${CONNECTIONS} connections per server`);
    for (const servers of SERVER_COUNTS) {
      const result = await runServers(servers, redis);
      console.log(`${servers === 1 ? 'one server ' : 'two servers'}: ${result.rate.toFixed(0)} call events/s end to end; Ringside CPU ${result.cpuMsPerEvent.toFixed(2)} ms per call event (${result.servers} process${result.servers > 1 ? 'es' : ''}); ${result.verdict}`);
      console.log(`  PostgreSQL's own CPU ${result.databaseMsPerEvent.toFixed(2)} ms per call event (every postgres process of this machine, which serves only the bench meanwhile)`);
    }
  } finally {
    await redis.stop();
  }
}

interface Result { servers: number; rate: number; cpuMsPerEvent: number; databaseMsPerEvent: number; verdict: string }

async function runServers(count: number, redis: PrivateRedis): Promise<Result> {
  const id = `bench-${ulid().toLowerCase()}`;
  const names: Names = { prefix: id, exchange: id, queue: `${id}-queue` };
  // A database of its own on the tests' server (RINGSIDE_TEST_POSTGRES_URL), dropped afterwards.
  const database = await createTestDatabase('bench');
  const temps = Array.from({ length: count }, () => makeTempDir('ringside-bench-pg-'));
  const servers: ChildServer[] = [];
  try {
    const { args, env } = ringsideCommand();
    for (const temp of temps) {
      servers.push(await startChild(args, {
        ...env, RINGSIDE_DATA_DIR: temp.dir, ...TOKEN_ENV, RINGSIDE_PHONE_RATE_LIMIT: '0',
        RINGSIDE_DATABASE: database.url, RINGSIDE_SECRETS_KEY_FILE: `${temps[0]!.dir}/secrets.key`,
        RINGSIDE_REDIS_URL: redis.url, RINGSIDE_REDIS_KEY_PREFIX: names.prefix,
        RINGSIDE_AMQP_URL: AMQP_URL, RINGSIDE_AMQP_EXCHANGE: names.exchange, RINGSIDE_AMQP_QUEUE: names.queue, RINGSIDE_AMQP_SHARDS: String(SHARDS),
      }, ['webhookUrl', 'apiUrl']));
    }
    await adminRequest(servers[0]!, 'POST', '/api/agents', { id: 'bench', name: 'Bench', devices: [BENCH_MAC] });
    return await sustained(servers);
  } finally {
    for (const server of servers) await server.stop();
    await deleteBenchTopology(names);
    await database.drop();
    for (const temp of temps) temp.cleanup();
  }
}

/** Load on every server at once (distinct calls), then until every accepted event is handled everywhere. */
async function sustained(servers: ChildServer[]): Promise<Result> {
  const sum = async (name: string, filter = '') => (await Promise.all(servers.map((s) => counter(s, name, filter)))).reduce((a, b) => a + b, 0);
  const drained = () => waitUntilHandled(...servers);
  // Warmed up first (measure.ts, WARMUP_SECONDS): the figures are those of compiled code.
  await Promise.all(servers.map((s, i) => warmUp(s, WARMUP_CALLERS + i * 100_000)));
  await drained();
  const acceptedBefore = await sum('ringside_events_accepted_total');
  const handledBefore = await sum('ringside_events_handled_total', 'outcome="ok"');
  const cpuBefore = servers.map((s) => treeCpuTicks(s.process.pid!));
  // The database server's share: on a call center's own machine, what the servers' load costs it.
  const databaseBefore = serviceCpuTicks('postgres');
  const start = performance.now();
  const loads = await Promise.all(servers.map((s, i) => callLoad(s.urls.webhookUrl!, i * 10_000_000)));
  await drained();
  const elapsedMs = performance.now() - start;
  const cpuMs = servers.reduce((total, s, i) => total + ((treeCpuTicks(s.process.pid!) - cpuBefore[i]!) * 1000) / CLOCK_TICKS_PER_SECOND, 0);
  const databaseMs = ((serviceCpuTicks('postgres') - databaseBefore) * 1000) / CLOCK_TICKS_PER_SECOND;
  const accepted = (await sum('ringside_events_accepted_total')) - acceptedBefore;
  const handled = (await sum('ringside_events_handled_total', 'outcome="ok"')) - handledBefore;
  const ok = loads.reduce((total, load) => total + load.ok, 0);
  const verdict = handled >= accepted && accepted >= ok
    ? `nothing lost (${ok} answered 200, ${accepted} durable, ${handled} handled)`
    : `LOST: ${ok} answered 200, ${accepted} durable, ${handled} handled`;
  const perEvent = (ms: number) => (handled > 0 ? ms / handled : 0);
  return { servers: servers.length, rate: handled / (elapsedMs / 1000), cpuMsPerEvent: perEvent(cpuMs), databaseMsPerEvent: perEvent(databaseMs), verdict };
}
