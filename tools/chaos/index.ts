// npm run chaos: see CHAOS_HELP in ./config.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, fetchCallLog } from './checker';
import { ACCOUNT, startCluster, type Cluster } from './cluster';
import { CHAOS_HELP, readConfig, type ChaosConfig } from './config';
import { crashRingside, killRedis, stopRabbit, type FaultRecord } from './faults';
import { LoadGenerator } from './load';
import { sleep } from './net';
import { Cleanup } from './processes';
import { quiesce } from './quiesce';
import { makeSay, printReport, seconds } from './report';
import { runMultiHostChaos } from './multihostScenario';
import { makePhones, seededRandom } from './scenarios';

const EXIT_FAILED_RUN = 2;

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(CHAOS_HELP);
    return 0;
  }
  const config = readConfig(process.env);
  const startedAt = Date.now();
  const say = makeSay(startedAt);
  const cleanup = new Cleanup();
  const dir = mkdtempSync(join(tmpdir(), 'ringside-chaos-'));
  const stopGuards = guardTheRun(config, cleanup, say, dir);
  let passed = false;
  try {
    say(`run directory ${dir}; scenario ${config.scenario}; seed ${config.seed}; budget ${seconds(config.budgetMs)}; steady phases of ${seconds(config.steadyMs)}`);
    if (config.scenario === 'multihost') {
      passed = await runMultiHostChaos(config, dir, cleanup, say, startedAt);
      return passed ? 0 : 1;
    }
    const cluster = await startCluster(config, dir, cleanup, say);
    const { load, faults } = await playFaultsUnderLoad(config, cluster, say);
    say('load stopped; waiting until every outbox, queue and missed-call delay is through');
    const quiet = await quiesce({
      nodes: cluster.nodes, broker: cluster.broker, shardQueues: cluster.shardQueues, redis: cluster.redis,
      keyPrefix: cluster.keyPrefix, account: ACCOUNT,
      notBefore: load.lastAcknowledgedAt() + config.missedDelayMs + 1_000,
      deadline: Math.max(Date.now() + 30_000, startedAt + config.budgetMs - 5_000),
    });
    const counters = check(load.calls, await fetchCallLog(cluster.nodes[0]!.apiUrl, cluster.token), faults);
    const deadLetters = await cluster.broker.queueStats([cluster.deadLetterQueue]).then((stats) => String(stats.ready), () => '?');
    printReport(counters, quiet, startedAt, [
      `mode: ${cluster.broker.mode} (${cluster.broker.describe()})`,
      `redis: private redis-server 127.0.0.1:${cluster.redis.port}; ringside: ${cluster.nodes.map((n) => `${n.name} ${n.webhookUrl}`).join(', ')}`,
      `dead-lettered events: ${deadLetters}; seed ${config.seed}; ran ${seconds(Date.now() - startedAt)}`,
    ]);
    passed = counters.lost === 0 && counters.duplicated === 0 && counters.unexpected === 0;
    return passed ? 0 : 1;
  } catch (error) {
    say(`chaos run failed: ${(error as Error).stack ?? String(error)}`);
    return EXIT_FAILED_RUN;
  } finally {
    say('stopping every process and service this run started');
    await cleanup.runAll(say);
    stopGuards();
    if (passed && !config.keepFiles) rmSync(dir, { recursive: true, force: true });
    else say(`logs and databases kept in ${dir}`);
  }
}

/** Steady load with the three faults one after the other, and steady load between and after them. */
async function playFaultsUnderLoad(config: ChaosConfig, cluster: Cluster, say: (line: string) => void) {
  const [a, b] = cluster.nodes;
  const load = new LoadGenerator(cluster.nodes.map((node) => ({ webhookUrl: () => node.webhookUrl, token: cluster.webhookToken })), {
    concurrency: config.concurrency, phones: makePhones(2, 8), random: seededRandom(config.seed),
    runTag: cluster.id.replace(/\D/g, '').padEnd(4, '0').slice(0, 4), thinkMs: [20, 120],
  });
  const steady = async () => {
    const before = load.acknowledgedEvents();
    await sleep(config.steadyMs);
    say(`steady load: ${load.acknowledgedEvents() - before} events acknowledged in ${seconds(config.steadyMs)} (${load.calls.length} calls so far)`);
  };
  const faults: FaultRecord[] = [];
  const inject = async (name: string, fault: () => Promise<FaultRecord>) => {
    say(`fault: ${name}`);
    faults.push(await fault());
    say(`  ${faults.at(-1)!.notes.join('; ')}`);
  };
  say(`load: ${config.concurrency} calls at a time to ${a!.name} and ${b!.name}`);
  load.start();
  await steady();
  await inject('kill -9 redis-server, restart it empty', () => killRedis(cluster.redis, config.redisDownMs));
  await steady();
  await inject(`stop RabbitMQ for ${seconds(config.rabbitDownMs)}`, () => stopRabbit(cluster.broker, config.rabbitDownMs));
  await steady();
  await inject('kill -9 a Ringside process holding unacknowledged deliveries', () => crashRingside({
    nodes: cluster.nodes, broker: cluster.broker, load, burst: config.burst, downMs: config.ringsideDownMs,
  }));
  await steady();
  await load.stop();
  return { load, faults };
}

/**
 * Ctrl-C, SIGTERM and the run's hard time limit all end the same way: every child and private
 * service is stopped (by the PIDs this run started), then the process exits.
 */
function guardTheRun(config: ChaosConfig, cleanup: Cleanup, say: (line: string) => void, dir: string): () => void {
  const abort = (why: string, code: number) => {
    say(`${why}: stopping every process and service this run started`);
    void cleanup.runAll(say).finally(() => {
      say(`logs and databases kept in ${dir}`);
      process.exit(code);
    });
  };
  const onInt = () => abort('interrupted', 130);
  const onTerm = () => abort('terminated', 143);
  const onCrash = (error: unknown) => abort(`unexpected error: ${(error as Error)?.stack ?? String(error)}`, EXIT_FAILED_RUN);
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const limit = setTimeout(() => abort(`over the time limit of ${seconds(config.hardLimitMs)}`, EXIT_FAILED_RUN), config.hardLimitMs);
  return () => {
    clearTimeout(limit);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(EXIT_FAILED_RUN);
  },
);
