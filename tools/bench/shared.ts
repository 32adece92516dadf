/**
 * Shared mode (an office or a central server): Redis call state and RabbitMQ events. The bench
 * runs its own redis-server (so the command counts are its own) and uses the machine's RabbitMQ
 * under names of its own, deleted afterwards.
 */
import { connect } from 'amqplib';
import { ulid } from 'ulid';
import { DEFAULT_PREFETCH } from '../../src/adapters/rabbitmq/RabbitMqBus';
import { deleteTopology, resolveTopology } from '../../src/adapters/rabbitmq/topology';
import { makeTempDir } from '../../test/support/tmp';
import { brokerAlone, formatBrokerAlone } from './brokerAlone';
import { formatAgainstFloor, formatFloor, pipelineFloor } from './pipelineFloor';
import { CLOCK_TICKS_PER_SECOND, mainThreadTicks, startChild, treeCpuTicks, treeWrites, type ChildServer, type WriteCounts } from './children';
import { BENCH_MAC, CONNECTIONS, SECONDS, TOKEN_ENV, WARMUP_SECONDS, WEBHOOK_TOKEN, adminRequest, callLoad, counter, formatLatency, mb, ringingLatency, waitUntilHandled, warmUp, type Latency } from './measure';
import { startPrivateRedis, type PrivateRedis } from './privateRedis';
import { dataDirSize, dataDirSizeOnceIdle, ringsideCommand } from './ringsideCommand';

export const AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const SHARDS = 4;
const COUNTED_CALLS = 200;
/** Ringside's default prefetch per shard consumer (RabbitMqBus), which the broker-alone run uses too. */
const PREFETCH = DEFAULT_PREFETCH;
/** Callers of the latency probe under load: apart from the load's (from 1,000,000) and the idle probe's (from 9,000,000). */
const LOADED_PROBE_CALLERS = 8_000_000;
/** BENCH_WORKERS=N: the server's consumer processes (RINGSIDE_WORKERS; default 1), its CPU counted over all of them. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? '1');

export interface Names { prefix: string; exchange: string; queue: string }

export async function benchShared(onlyLatency: boolean): Promise<void> {
  const redis = await startPrivateRedis();
  const id = `bench-${ulid().toLowerCase()}`;
  const names: Names = { prefix: id, exchange: id, queue: `${id}-queue` };
  const temp = makeTempDir('ringside-bench-shared-');
  const { args, built, env } = ringsideCommand();
  let ringside: ChildServer | null = null;
  try {
    ringside = await startChild(args, {
      ...env, RINGSIDE_DATA_DIR: temp.dir, ...TOKEN_ENV, RINGSIDE_PHONE_RATE_LIMIT: '0',
      REDIS_URL: redis.url, REDIS_KEY_PREFIX: names.prefix, AMQP_URL, AMQP_EXCHANGE: names.exchange, AMQP_QUEUE: names.queue, AMQP_SHARDS: String(SHARDS),
      RINGSIDE_WORKERS: String(WORKERS),
    }, ['webhookUrl', 'apiUrl']);
    // In shared mode a phone has no implicit owner: the bench's phone belongs to an agent, whose popups the admin socket sees.
    await adminRequest(ringside, 'POST', '/api/agents', { id: 'bench', name: 'Bench', devices: [BENCH_MAC] });
    const rssIdle = ringside.rssBytes();
    const latency = await ringingLatency(ringside);
    if (onlyLatency) {
      console.log(`shared: ${formatLatency(latency, '10 ms')}`);
      return;
    }
    const perEvent = await redisCommandsPerEvent(ringside, redis);
    const warm = await warmUpMeasured(ringside);
    const broker = await brokerAlone(AMQP_URL, SHARDS, PREFETCH);
    const floor = await pipelineFloor(AMQP_URL, SHARDS, PREFETCH);
    const sustained = await sustainedRate(ringside);
    const cpuMs = (sustained.cpuTicks * 1000) / CLOCK_TICKS_PER_SECOND;
    console.log(`\nRingside bench, shared mode: Redis call state + RabbitMQ (${built ? 'built server bundle' : 'sources through tsx'}, ${SHARDS} shard queues, ${WORKERS} worker process${WORKERS > 1 ? 'es' : ''}, ${SECONDS}s load after a ${WARMUP_SECONDS}s warm-up, ${CONNECTIONS} connections)`);
    console.log(`idle: ${formatLatency(latency, '10 ms')}`);
    if (warm) console.log(warm);
    console.log(formatBrokerAlone(broker));
    console.log(formatFloor(floor, broker.rate));
    console.log(`end to end: ${sustained.handled} call events handled in ${(sustained.elapsedMs / 1000).toFixed(1)} s from the first request to the last handled: ${sustained.rate.toFixed(0)} events/s; ${sustained.verdict}`);
    console.log(`end to end against the broker alone: ratio ${(sustained.rate / broker.rate).toFixed(2)} (target >= 0.5)`);
    console.log(`Ringside CPU ${(cpuMs / Math.max(1, sustained.handled)).toFixed(2)} ms per call event (target <= 0.25): ${sustained.cpuTicks} ticks of 10 ms over ${sustained.handled} events`);
    console.log(perEventWork(sustained));
    console.log(formatAgainstFloor(floor, sustained.rate, sustained.cpuTicks, sustained.handled));
    const loaded = sustained.latency;
    console.log(`under that load: webhook -> call.ringing p50 ${loaded.p50.toFixed(2)} ms, p99 ${loaded.p99.toFixed(2)} ms over ${loaded.samples} calls (one at a time on a connection of their own, beside the load)`);
    console.log(`Redis per call event: ${perEvent.callState.toFixed(2)} call-state scripts (one round trip each; goal <= 2); every command clients sent, per event: ${perEvent.all.toFixed(2)} (${perEvent.breakdown})`);
    console.log(`resident memory: ${mb(rssIdle)} at start, ${mb(ringside.rssBytes())} after the load`);
    console.log(`${dataDirSize(temp.dir)} after the load`);
    console.log(await dataDirSizeOnceIdle(temp.dir));
  } finally {
    await ringside?.stop();
    await redis.stop();
    await deleteBenchTopology(names);
    temp.cleanup();
  }
}

/** A fixed number of whole calls, one event at a time, and the Redis commands clients sent for them. */
async function redisCommandsPerEvent(ringside: ChildServer, redis: PrivateRedis): Promise<{ callState: number; all: number; breakdown: string }> {
  await waitUntilHandled(ringside);
  const base = ringside.urls.webhookUrl!.replace('0.0.0.0', '127.0.0.1');
  const counts = await redis.clientCommands(async () => {
    for (let i = 0; i < COUNTED_CALLS; i++) {
      for (const event of ['incoming', 'answered', 'hangup']) {
        const res = await fetch(`${base}/gs/${WEBHOOK_TOKEN}/cti/${event}?mac=${BENCH_MAC}&remote=%2B92311${String(i).padStart(7, '0')}&local=100`);
        if (res.status !== 200) throw new Error(`${event}: ${res.status}`);
      }
    }
    await waitUntilHandled(ringside);
  });
  const events = COUNTED_CALLS * 3;
  const delta = [...counts].filter(([, n]) => n > 0);
  const callState = delta.filter(([name]) => name === 'evalsha' || name === 'eval').reduce((sum, [, n]) => sum + n, 0);
  const all = delta.reduce((sum, [, n]) => sum + n, 0);
  const breakdown = delta.sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${(n / events).toFixed(2)}`).join(', ');
  return { callState: callState / events, all: all / events, breakdown };
}

interface Sustained { handled: number; elapsedMs: number; rate: number; verdict: string; cpuTicks: number; mainThreadTicks: number; writes: WriteCounts; latency: Latency }

/**
 * What the CPU figure is made of, in counts that hold still on a noisy machine: the share of the
 * serve process's main thread (the rest: V8's garbage-collection helpers, the WAL checkpointer,
 * the log writer, worker processes) and the write system calls and bytes per event.
 */
function perEventWork(sustained: Sustained): string {
  const events = Math.max(1, sustained.handled);
  const mainShare = (100 * sustained.mainThreadTicks) / Math.max(1, sustained.cpuTicks);
  return `  of which the main thread ${mainShare.toFixed(0)} %; per call event ${(sustained.writes.calls / events).toFixed(1)} write system calls, ${(sustained.writes.bytes / events / 1024).toFixed(1)} KiB written (files and sockets)`;
}

/** The warm-up load (measure.ts, WARMUP_SECONDS), drained; what it did, as a line of the report, or null with none. */
async function warmUpMeasured(ringside: ChildServer): Promise<string | null> {
  if (WARMUP_SECONDS <= 0) return null;
  const pid = ringside.process.pid!;
  const handledBefore = await counter(ringside, 'ringside_events_handled_total', 'outcome="ok"');
  const cpuBefore = treeCpuTicks(pid);
  const start = performance.now();
  await warmUp(ringside);
  await waitUntilHandled(ringside);
  const seconds = (performance.now() - start) / 1000;
  const handled = (await counter(ringside, 'ringside_events_handled_total', 'outcome="ok"')) - handledBefore;
  const cpuMs = ((treeCpuTicks(pid) - cpuBefore) * 1000) / CLOCK_TICKS_PER_SECOND;
  return `warm-up (the first load after start, ${WARMUP_SECONDS} s; not counted): ${(handled / seconds).toFixed(0)} events/s, Ringside CPU ${(cpuMs / Math.max(1, handled)).toFixed(2)} ms per call event`;
}

/**
 * Load for SECONDS, then until every accepted event is handled: the rate the whole pipeline keeps
 * up, Ringside's CPU over it (its process and its worker processes, from /proc), and webhook → `call.ringing` meanwhile.
 */
async function sustainedRate(ringside: ChildServer): Promise<Sustained> {
  await waitUntilHandled(ringside);
  const acceptedBefore = await counter(ringside, 'ringside_events_accepted_total');
  const handledBefore = await counter(ringside, 'ringside_events_handled_total', 'outcome="ok"');
  const pid = ringside.process.pid!;
  const cpuBefore = treeCpuTicks(pid);
  const mainBefore = mainThreadTicks(pid);
  const writesBefore = treeWrites(pid);
  const start = performance.now();
  const loading = callLoad(ringside.urls.webhookUrl!, 1_000_000);
  const [load, latency] = await Promise.all([loading, ringingLatency(ringside, { firstCaller: LOADED_PROBE_CALLERS, until: loading })]);
  await waitUntilHandled(ringside);
  const elapsedMs = performance.now() - start;
  const ticks = treeCpuTicks(pid) - cpuBefore;
  const mainTicks = mainThreadTicks(pid) - mainBefore;
  const writesAfter = treeWrites(pid);
  const accepted = (await counter(ringside, 'ringside_events_accepted_total')) - acceptedBefore;
  const handled = (await counter(ringside, 'ringside_events_handled_total', 'outcome="ok"')) - handledBefore;
  const verdict = handled >= accepted && accepted >= load.ok
    ? `nothing lost (${load.ok} answered 200, ${accepted} durable, ${handled} handled)`
    : `LOST: ${load.ok} answered 200, ${accepted} durable, ${handled} handled`;
  const writes = { calls: writesAfter.calls - writesBefore.calls, bytes: writesAfter.bytes - writesBefore.bytes };
  return { handled, elapsedMs, rate: handled / (elapsedMs / 1000), verdict, cpuTicks: ticks, mainThreadTicks: mainTicks, writes, latency };
}

export async function deleteBenchTopology(names: Names): Promise<void> {
  const model = await connect(AMQP_URL).catch(() => null);
  if (!model) return;
  try {
    const channel = await model.createChannel();
    const topology = resolveTopology({ exchange: names.exchange, queue: names.queue, shards: SHARDS });
    await deleteTopology(channel, topology);
  } finally {
    await model.close();
  }
}

