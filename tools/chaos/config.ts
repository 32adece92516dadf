/**
 * The run's knobs (environment variables) and its timetable. Everything is bounded: the run
 * aims to finish within CHAOS_SECONDS and is cut off (cleaned up, exit 2) a minute after that.
 */
export interface ChaosConfig {
  /** `faults` (one machine, three faults) or `multihost` (servers on hosts of their own, one killed). */
  scenario: 'faults' | 'multihost';
  /** multihost: network namespaces where they can be made, or loopback addresses on purpose. */
  hosts: 'auto' | 'loopback';
  budgetMs: number;
  /** Past this (from the start), the run stops everything and exits 2. */
  hardLimitMs: number;
  /** Steady load before each fault and after the last one. */
  steadyMs: number;
  redisDownMs: number;
  rabbitDownMs: number;
  ringsideDownMs: number;
  concurrency: number;
  /** Calls started at once on each process's phones, every 100 ms, while the Ringside kill waits for deliveries in flight. */
  burst: number;
  missedDelayMs: number;
  seed: number;
  rabbitMode: 'auto' | 'private' | 'proxy';
  /** The machine's broker, used only in proxy mode. */
  upstreamAmqpUrl: string;
  keepFiles: boolean;
  useBuild: boolean;
  logLevel: string;
}

/** Start-up of the services and processes, and the check at the end. */
const SETUP_AND_CHECK_MS = 25_000;
/** Kept for the quiesce: the backlog of the RabbitMQ outage, the missed-call delay. */
const QUIESCE_MS = 30_000;
const MIN_LOAD_MS = 20_000;

export function readConfig(env: NodeJS.ProcessEnv): ChaosConfig {
  const budgetMs = seconds(env.CHAOS_SECONDS, 170);
  const loadMs = Math.max(MIN_LOAD_MS, budgetMs - SETUP_AND_CHECK_MS - QUIESCE_MS);
  const redisDownMs = seconds(env.CHAOS_REDIS_DOWN_SECONDS, 2);
  const ringsideDownMs = seconds(env.CHAOS_RINGSIDE_DOWN_SECONDS, 3);
  // 30 s as the issue asks, unless the budget is too short for it.
  const rabbitDownMs = Math.min(seconds(env.CHAOS_RABBIT_DOWN_SECONDS, 30), Math.round(loadMs * 0.3));
  // What the faults themselves take besides their down time (restarts, catching a delivery in flight).
  const faultOverheadMs = 6_000;
  const steadyMs = Math.max(2_000, Math.round((loadMs - redisDownMs - rabbitDownMs - ringsideDownMs - faultOverheadMs) / 4));
  const rabbitMode = env.CHAOS_RABBIT ?? 'auto';
  if (rabbitMode !== 'auto' && rabbitMode !== 'private' && rabbitMode !== 'proxy') throw new Error(`CHAOS_RABBIT must be auto, private or proxy, not ${rabbitMode}`);
  const scenario = env.CHAOS_SCENARIO || 'faults';
  if (scenario !== 'faults' && scenario !== 'multihost') throw new Error(`CHAOS_SCENARIO must be faults or multihost, not ${scenario}`);
  const hosts = env.CHAOS_HOSTS || 'auto';
  if (hosts !== 'auto' && hosts !== 'loopback') throw new Error(`CHAOS_HOSTS must be auto or loopback, not ${hosts}`);
  return {
    scenario,
    hosts,
    budgetMs,
    hardLimitMs: budgetMs + 60_000,
    steadyMs,
    redisDownMs,
    rabbitDownMs,
    ringsideDownMs,
    // Multihost: no bursts, which two servers on PostgreSQL do not keep up with on a small machine
    // hosting every service too (docs/architecture.md, Several servers).
    concurrency: integer(env.CHAOS_CONCURRENCY, 8),
    burst: integer(env.CHAOS_BURST, scenario === 'multihost' ? 0 : 30),
    missedDelayMs: integer(env.CHAOS_MISSED_DELAY_MS, 1000),
    seed: integer(env.CHAOS_SEED, Math.floor(Math.random() * 2 ** 31)),
    rabbitMode,
    upstreamAmqpUrl: env.CHAOS_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    keepFiles: env.CHAOS_KEEP === '1',
    useBuild: env.CHAOS_USE_BUILD === '1',
    logLevel: env.CHAOS_LOG_LEVEL ?? 'warn',
  };
}

function seconds(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback * 1000;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`not a number of seconds: ${value}`);
  return Math.round(parsed * 1000);
}

function integer(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`not a non-negative integer: ${value}`);
  return parsed;
}

export const CHAOS_HELP = `npm run chaos: steady phone load on two Ringside processes in shared mode, while Redis is killed and
restarted, RabbitMQ is stopped for 30 s and a Ringside process holding unacknowledged deliveries is
killed with -9; then counts lost, duplicated, unexpected and recovered calls. Only 127.0.0.1 is used.

CHAOS_SCENARIO=multihost npm run chaos: several machines instead (docs/architecture.md, Several
servers): network namespaces for a services host (the run's own Redis, RabbitMQ and PostgreSQL on
its address) and two Ringside servers A and B on hosts of their own; phone load on both; kill -9 of
A while it holds deliveries, B takes over A's shard queues (the takeover time is printed); then,
the broker blocking publishers (a disk alarm), kill -9 of A with events in its outbox, which A
restarted on its data directory relays; then the same counters, and History, missed calls and
statistics compared between A and B. Needs root for the namespaces; without, it says so and runs
on loopback addresses (127.0.0.1 services, 127.0.0.2 and 127.0.0.3 servers).

  CHAOS_SCENARIO=faults           faults (the default) or multihost
  CHAOS_HOSTS=auto                multihost: namespaces where possible; loopback runs the fallback

  CHAOS_SECONDS=170               time budget of the whole run (cut off a minute after it)
  CHAOS_RABBIT_DOWN_SECONDS=30    RabbitMQ outage (shortened to fit a small budget)
  CHAOS_REDIS_DOWN_SECONDS=2      time between the Redis kill and its restart
  CHAOS_RINGSIDE_DOWN_SECONDS=3   time between the Ringside kill and its restart
  CHAOS_CONCURRENCY=8             calls played at once
  CHAOS_BURST=30                  calls started at once on each process, every 100 ms, while the
                                  Ringside kill waits for a process holding unacknowledged deliveries
                                  (multihost: 0, the steady load alone; bursts go to server A's phones)
  CHAOS_MISSED_DELAY_MS=1000      the processes' missed-call grace delay
  CHAOS_SEED                      seeds the mix of calls and phones (the interleaving still varies)
  CHAOS_RABBIT=auto|private|proxy a private RabbitMQ node, or a proxy to CHAOS_AMQP_URL (default
                                  amqp://guest:guest@127.0.0.1:5672) with names of the run's own
  CHAOS_KEEP=1                    keep the run's directory (logs, databases) even when it passes
  CHAOS_USE_BUILD=1               run the built bundle (out/server) instead of the sources
  CHAOS_LOG_LEVEL=warn            the Ringside processes' log level (logs are in the run's directory)
`;
