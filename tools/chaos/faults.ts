import type { ChaosBroker } from './broker';
import type { LoadGenerator } from './load';
import { sleep } from './net';
import type { PrivateRedis } from './redis';
import type { RingsideProcess } from './ringside';

/** One injected fault: when it began, when the service was back, and what happened. */
export interface FaultRecord {
  name: string;
  startedAt: number;
  healedAt: number;
  notes: string[];
}

/** kill -9 of the private redis-server and a fresh, empty one on the same port: the call state is lost. */
export async function killRedis(redis: PrivateRedis, downMs: number): Promise<FaultRecord> {
  const pid = redis.pid;
  const startedAt = Date.now();
  await redis.kill();
  await sleep(downMs);
  await redis.restart();
  return { name: 'redis kill -9 + restart', startedAt, healedAt: Date.now(), notes: [`kill -9 of pid ${pid}; restarted empty on port ${redis.port} as pid ${redis.pid}`] };
}

/** RabbitMQ unavailable for `downMs` (private node: stop_app ... start_app). */
export async function stopRabbit(broker: ChaosBroker, downMs: number): Promise<FaultRecord> {
  const startedAt = Date.now();
  await broker.stopService();
  const stoppedAt = Date.now();
  await sleep(downMs - (stoppedAt - startedAt));
  const restartAt = Date.now();
  await broker.startService();
  const how = broker.mode === 'private-node' ? 'rabbitmqctl stop_app ... start_app' : 'proxy cut and refused every connection';
  return { name: 'rabbitmq stopped', startedAt, healedAt: Date.now(), notes: [`${how}; down ${Math.round((restartAt - startedAt) / 100) / 10} s, back (started) after ${Date.now() - restartAt} ms`] };
}

export interface CrashOptions {
  nodes: RingsideProcess[];
  broker: ChaosBroker;
  load: LoadGenerator;
  /** Calls started at once on each process's phones, every STORM_TICK_MS, while the victim is picked. */
  burst: number;
  downMs: number;
}

const CATCH_ATTEMPTS = 5;
const STORM_TICK_MS = 100;

/**
 * kill -9 of a Ringside process while it holds deliveries it has not acknowledged to RabbitMQ:
 * bursts of calls go to every process while the broker is asked which connection holds
 * unacknowledged deliveries, and the process owning that connection is killed the moment the
 * answer comes. The process is restarted on the same data dir (its outbox) and ports after `downMs`.
 */
export async function crashRingside(options: CrashOptions): Promise<FaultRecord> {
  const victim = await catchHolderOfUnacked(options) ?? await busiestRightAfterBurst(options);
  const pid = victim.node.pid;
  const startedAt = Date.now();
  await victim.node.kill9();
  await sleep(options.downMs);
  await victim.node.restart();
  const held = victim.unacked === null
    ? 'unacknowledged deliveries not seen (killed the busiest consumer right after a burst)'
    : `${victim.unacked} unacknowledged deliveries held (broker's count ${startedAt - victim.askedAt} ms before the kill)`;
  return {
    name: `${victim.node.name} kill -9 + restart`,
    startedAt,
    healedAt: Date.now(),
    notes: [`kill -9 of pid ${pid}: ${held}; its outbox held ${victim.outbox ?? '?'} events not yet forwarded`, `restarted on the same data dir and ports as pid ${victim.node.pid}`],
  };
}

interface Victim {
  node: RingsideProcess;
  /** Unacknowledged deliveries the broker counted on its connection, or null when not visible. */
  unacked: number | null;
  askedAt: number;
  /** Its outbox depth (/healthz spoolDepth) at that moment. */
  outbox: number | null;
}

/** Private node only: asks the broker while a storm of calls keeps deliveries flowing. */
async function catchHolderOfUnacked(options: CrashOptions): Promise<Victim | null> {
  if (options.broker.mode !== 'private-node') return null;
  for (let attempt = 1; attempt <= CATCH_ATTEMPTS; attempt++) {
    const storm = stormOfCalls(options);
    const found = await holderOfUnacked(options);
    storm.stop(); // the calls already started play on
    if (found) return found;
  }
  return null;
}

/** Starts `burst` calls on each process every STORM_TICK_MS until stopped. */
function stormOfCalls({ nodes, load, burst }: CrashOptions): { stop(): void } {
  let raging = true;
  void (async () => {
    while (raging) {
      for (let index = 0; index < nodes.length; index++) void load.burst(index, burst);
      await sleep(STORM_TICK_MS);
    }
  })();
  return { stop: () => { raging = false; } };
}

/** Not visible (proxy mode) or never caught: the busiest consumer, right after a burst. */
async function busiestRightAfterBurst({ nodes, load, burst }: CrashOptions): Promise<Victim> {
  const node = await busiestConsumer(nodes);
  await Promise.all(nodes.map((_, index) => load.burst(index, burst * 5)));
  return { node, unacked: null, askedAt: Date.now(), outbox: null };
}

/** The process whose broker connection holds the most unacknowledged deliveries now, or null (none, or not visible). */
async function holderOfUnacked({ nodes, broker }: CrashOptions): Promise<Victim | null> {
  const [byPort, healths] = await Promise.all([broker.unackedByClientPort().catch(() => null), Promise.all(nodes.map((node) => node.health()))]);
  const askedAt = Date.now();
  if (!byPort) return null;
  let best: (Victim & { unacked: number }) | null = null;
  nodes.forEach((node, i) => {
    const ports = node.clientPorts();
    let unacked = 0;
    for (const [port, count] of byPort) if (ports.has(port)) unacked += count;
    if (unacked > 0 && (!best || unacked > best.unacked)) best = { node, unacked, askedAt, outbox: healths[i]?.spoolDepth ?? null };
  });
  return best;
}

/** Fallback: the process whose handlers ran the most events over the last second (it is an active consumer). */
async function busiestConsumer(nodes: RingsideProcess[]): Promise<RingsideProcess> {
  const before = await Promise.all(nodes.map((node) => node.handledEvents()));
  await sleep(1_000);
  const after = await Promise.all(nodes.map((node) => node.handledEvents()));
  const rates = nodes.map((_, i) => (after[i] ?? 0) - (before[i] ?? 0));
  return nodes[rates.indexOf(Math.max(...rates))]!;
}
