import { join } from 'node:path';
import Database from 'better-sqlite3';
import { check, fetchCallLog, type CallRow } from './checker';
import { ACCOUNT } from './cluster';
import type { ChaosConfig } from './config';
import { crashRingside, type FaultRecord } from './faults';
import { LoadGenerator } from './load';
import { shardOwners, startMultiHost, type MultiHost } from './multihost';
import { httpGet, pollUntil, sleep } from './net';
import type { Cleanup } from './processes';
import { quiesce, type QuiesceResult } from './quiesce';
import { printReport, seconds } from './report';
import type { RingsideProcess } from './ringside';
import { makePhones, seededRandom } from './scenarios';

/**
 * `CHAOS_SCENARIO=multihost npm run chaos` (docs/architecture.md, Several servers): phone load on
 * servers A and B on hosts of their own; `kill -9` of A while it holds deliveries, B takes over
 * A's shard queues; then `kill -9` of A while its outbox holds events (the broker blocking
 * publishers meanwhile), and A restarted on its data directory relays them; then the checker's
 * counters, and History, missed calls and statistics compared between the two servers' APIs.
 */
export async function runMultiHostChaos(config: ChaosConfig, dir: string, cleanup: Cleanup, say: (line: string) => void, startedAt: number): Promise<boolean> {
  const multiHost = await startMultiHost({ dir, cleanup, say, missedDelayMs: config.missedDelayMs, logLevel: config.logLevel, loopbackOnly: config.hosts === 'loopback', useBuild: config.useBuild });
  const [a, b] = multiHost.servers;
  const load = multiHostLoad(multiHost, config.concurrency, config.seed);
  say(`load: ${config.concurrency} calls at a time to ${a.name} and ${b.name}`);
  load.start();
  await sleep(config.steadyMs);
  say(`fault: kill -9 ${a.name} holding unacknowledged deliveries; ${b.name} takes its shard queues over`);
  const { fault, takeover } = await killServerUnderLoad(multiHost, load, { burst: config.burst, downMs: config.ringsideDownMs });
  say(`  ${fault.notes.join('; ')}`);
  await sleep(config.steadyMs);
  say(`fault: the broker blocks publishing; kill -9 ${a.name} with events in its outbox; restarted, it relays them`);
  const outbox = await killServerWithFullOutbox(multiHost, OUTBOX_AT_KILL);
  say(`  ${outbox.fault.notes.join('; ')}`);
  await sleep(config.steadyMs);
  await load.stop();
  say('load stopped; waiting until every outbox, queue and missed-call delay is through');
  const quiet = await settle(multiHost, load, config.missedDelayMs, Math.max(Date.now() + 30_000, startedAt + config.budgetMs - 5_000));
  const counters = check(load.calls, await fetchCallLog(a.apiUrl, multiHost.token), [fault, outbox.fault]);
  const differences = await compareServers(multiHost.servers, multiHost.token);
  printReport(counters, quiet, startedAt, [
    `scenario: multihost; hosts: ${multiHost.hosts.mode}${multiHost.hosts.fallbackReason ? ` (${multiHost.hosts.fallbackReason})` : ''}`,
    `services host ${multiHost.hosts.services.address}: ${multiHost.broker.describe()}; ${multiHost.postgres.describe()}; redis :${multiHost.redis.port}`,
    `servers: ${multiHost.servers.map((server) => `${server.name} ${server.webhookUrl}`).join(', ')}`,
    `takeover: ${describeTakeover(takeover)}`,
    `History, missed calls and statistics from both servers: ${differences.length === 0 ? 'the same' : differences.join('; ')}`,
    `seed ${config.seed}; ran ${seconds(Date.now() - startedAt)}`,
  ]);
  return counters.lost === 0 && counters.duplicated === 0 && counters.unexpected === 0 && differences.length === 0 && takeover.bConsumesEveryShard && outbox.outboxAtKill > 0;
}

/** quiesce.ts after the load stopped: outboxes relayed, shard queues empty, no handler running, no missed call waiting for its delay. */
export function settle(multiHost: MultiHost, load: LoadGenerator, missedDelayMs: number, deadline: number): Promise<QuiesceResult> {
  return quiesce({
    nodes: multiHost.servers, broker: multiHost.broker, shardQueues: multiHost.shardQueues, redis: multiHost.redis,
    keyPrefix: multiHost.keyPrefix, account: ACCOUNT, notBefore: load.lastAcknowledgedAt() + missedDelayMs + 1_000, deadline,
  });
}

/** Events A's outbox must hold before it is killed (the second fault). */
const OUTBOX_AT_KILL = 10;

/**
 * Phones on both servers (8 each), calls as the single-host run plays them. The caller numbers
 * carry the seed (`+4479<seed mod 10000>…`): loads with other seeds on the same servers never
 * share a number, and callLogOf() keeps a load's own rows.
 */
export function multiHostLoad(multiHost: MultiHost, concurrency: number, seed: number): LoadGenerator {
  return new LoadGenerator(multiHost.servers.map((server) => ({ webhookUrl: () => server.webhookUrl, token: multiHost.webhookToken })), {
    concurrency, phones: makePhones(2, 8), random: seededRandom(seed), runTag: loadTag(seed), thinkMs: [20, 120],
  });
}

function loadTag(seed: number): string {
  return String(seed % 10_000).padStart(4, '0');
}

/** The call log's rows of the load with this seed (other loads on the same servers left out). */
export async function callLogOf(server: RingsideProcess, token: string, seed: number): Promise<CallRow[]> {
  const rows = await fetchCallLog(server.apiUrl, token);
  return rows.filter((row) => row.remote.startsWith(`+4479${loadTag(seed)}`));
}

export interface Takeover {
  /** Events B handled while A lived (0: B was waiting on every shard queue, as startMultiHost arranges). */
  handledByBBeforeKill: number;
  /** From the kill to the first event B handled: its first delivery from a shard queue that was A's. */
  firstDeliveryMs: number | null;
  /** The broker's consumers, looked at once B handled its first event (or the watch gave up): B is the active consumer of every shard queue. */
  bConsumesEveryShard: boolean;
}

export function describeTakeover(takeover: Takeover): string {
  const first = takeover.firstDeliveryMs === null ? 'no delivery to B seen' : `B's first delivery from A's shard queues ${takeover.firstDeliveryMs} ms after the kill`;
  const all = takeover.bConsumesEveryShard ? 'the broker then listed B as the active consumer of every shard queue' : 'the broker then did NOT list B as the active consumer of every shard queue';
  return `${first}; ${all} (events B handled before the kill: ${takeover.handledByBBeforeKill})`;
}

/** B's /metrics is cheap to ask (the broker is not: each look at its consumers runs rabbitmqctl twice, a VM each). */
const WATCH_HANDLED_EVERY_MS = 50;
/** How long after the restart of A the first delivery to B is still watched for. */
const TAKEOVER_WATCH_MS = 30_000;

/**
 * kill -9 of A while it holds unacknowledged deliveries (faults.ts crashRingside, with A the only
 * candidate; bursts go to A's phones), restarted on its data directory after `downMs`. Meanwhile
 * B's handled-event count is watched: B handles nothing while A lives, so its first handled
 * event is its first delivery from a shard queue that was A's.
 */
export async function killServerUnderLoad(multiHost: MultiHost, load: LoadGenerator, options: { burst: number; downMs: number }): Promise<{ fault: FaultRecord; takeover: Takeover }> {
  const [a, b] = multiHost.servers;
  const handled = watch(() => b.handledEvents(), WATCH_HANDLED_EVERY_MS);
  try {
    const fault = await crashRingside({ nodes: [a], broker: multiHost.broker, load, burst: options.burst, downMs: options.downMs });
    const killedAt = fault.startedAt;
    const before = handled.samples.filter((s) => s.askedAt < killedAt).at(-1)?.value ?? 0;
    const firstDelivery = () => handled.samples.find((s) => s.askedAt > killedAt && (s.value ?? 0) > before);
    // Under load B's first handled event may come after A is back: keep watching a while.
    await pollUntil(async () => firstDelivery() !== undefined, TAKEOVER_WATCH_MS, 100);
    const owners = await shardOwners(multiHost.broker, [a, b], multiHost.shardQueues).catch(() => []);
    const delivered = firstDelivery();
    const takeover: Takeover = {
      handledByBBeforeKill: before,
      firstDeliveryMs: delivered ? delivered.answeredAt - killedAt : null,
      bConsumesEveryShard: owners.length > 0 && owners.every((owner) => owner === 1),
    };
    fault.notes.push(describeTakeover(takeover));
    return { fault, takeover };
  } finally {
    handled.stop();
  }
}

const OUTBOX_FILL_MS = 30_000;

/**
 * kill -9 of A while its outbox holds events it acknowledged to its phones: the broker blocks
 * publishing (a disk alarm, rabbitNode.ts blockPublishers) until A's outbox holds `atLeast`
 * events, A is killed, the alarm clears, and A is restarted on its data directory, whose outbox
 * it must then relay. What the outbox held is counted in A's spool file after the kill (exact).
 */
export async function killServerWithFullOutbox(multiHost: MultiHost, atLeast: number): Promise<{ fault: FaultRecord; outboxAtKill: number }> {
  const [a] = multiHost.servers;
  const startedAt = Date.now();
  const pid = a.pid;
  let outboxAtKill: number;
  await multiHost.broker.blockPublishers();
  try {
    const filled = await pollUntil(async () => ((await a.health())?.spoolDepth ?? 0) >= atLeast, OUTBOX_FILL_MS, 50);
    if (!filled) throw new Error(`${a.name}'s outbox did not reach ${atLeast} events within ${OUTBOX_FILL_MS} ms of the broker blocking publishers`);
    await a.kill9();
    outboxAtKill = pendingInOutbox(a.dataDir);
  } finally {
    await multiHost.broker.unblockPublishers();
  }
  await a.restart();
  return {
    outboxAtKill,
    fault: {
      name: `${a.name} kill -9 with a full outbox + restart`, startedAt, healedAt: Date.now(),
      notes: [`the broker blocked publishers (disk alarm); kill -9 of pid ${pid} with ${outboxAtKill} events in its outbox (its spool file, read after the kill); restarted on the same data dir as pid ${a.pid}`],
    },
  };
}

/** Events waiting in a stopped server's outbox (`<data dir>/spool.db`, read only). */
export function pendingInOutbox(dataDir: string): number {
  const spool = new Database(join(dataDir, 'spool.db'), { readonly: true, fileMustExist: true });
  try {
    return (spool.prepare("SELECT COUNT(*) AS n FROM spool_events WHERE state = 'pending'").get() as { n: number }).n;
  } finally {
    spool.close();
  }
}

interface Sample<T> {
  askedAt: number;
  answeredAt: number;
  value: T | null;
}

/** Asks `probe` again and again (a pause of `everyMs` between answers) until stopped, keeping every answer with its times. */
function watch<T>(probe: () => Promise<T>, everyMs: number): { samples: Array<Sample<T>>; stop(): void } {
  const samples: Array<Sample<T>> = [];
  let watching = true;
  void (async () => {
    while (watching) {
      const askedAt = Date.now();
      const value = await probe().catch(() => null);
      samples.push({ askedAt, answeredAt: Date.now(), value });
      await sleep(everyMs);
    }
  })();
  return { samples, stop: () => { watching = false; } };
}

/**
 * What differs between the servers' APIs, read with the same admin token: the whole History
 * (every call, every field), the missed calls and the statistics. Empty when they agree.
 */
export async function compareServers(servers: RingsideProcess[], token: string): Promise<string[]> {
  const views = await Promise.all(servers.map(async (server) => ({
    name: server.name,
    history: await fetchCallLog(server.apiUrl, token),
    missed: (await readJson(`${server.apiUrl}/api/missed?limit=500`, token)).items,
    statistics: (await readJson(`${server.apiUrl}/api/stats`, token)).items,
  })));
  const [first, ...others] = views;
  const differences: string[] = [];
  for (const other of others) {
    for (const part of ['history', 'missed', 'statistics'] as const) {
      if (JSON.stringify(first![part]) !== JSON.stringify(other[part])) {
        differences.push(`${part} differs: ${first!.name} ${summary(first![part])}, ${other.name} ${summary(other[part])}`);
      }
    }
  }
  return differences;
}

function summary(value: unknown): string {
  return Array.isArray(value) ? `${value.length} items` : JSON.stringify(value).slice(0, 120);
}

async function readJson(url: string, token: string): Promise<{ items: unknown }> {
  const answer = await httpGet(url, { token, timeoutMs: 30_000 });
  if (answer.status !== 200) throw new Error(`GET ${url} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
  return answer.body as { items: unknown };
}
