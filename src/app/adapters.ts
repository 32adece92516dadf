import { hostname } from 'node:os';
import { ulid } from 'ulid';
import { OutboxBus } from './OutboxBus';
import type { EventBus } from '../domain/bus/EventBus';
import { RabbitMqBus } from '../adapters/rabbitmq/RabbitMqBus';
import type { HandledEventLedger } from '../domain/bus/HandledEventLedger';
import { SqliteSpoolBus } from '../adapters/sqlite/spool/SqliteSpoolBus';
import type { CallStateStore } from '../domain/callstate/CallStateStore';
import { SqliteCallStateStore } from '../adapters/sqlite/callstate/SqliteCallStateStore';
import { RedisCallStateStore } from '../adapters/redis/callstate/RedisCallStateStore';
import { CallStateKeys } from '../adapters/redis/keys';
import { ScriptRunner, type RedisClient } from '../adapters/redis/scripts';
import { type AgentStatusStore } from '../domain/presence/AgentStatusStore';
import { InProcessAgentStatusStore } from '../adapters/memory/InProcessAgentStatusStore';
import { RedisAgentStatusStore } from '../adapters/redis/RedisAgentStatusStore';
import type { Queues } from '../domain/queues/Queues';
import { RedisQueues } from '../adapters/redis/RedisQueues';
import type { AgentSessions } from '../domain/sessions/AgentSessions';
import { RedisAgentSessions } from '../adapters/redis/RedisAgentSessions';
import type { Stores } from './stores';
import type { RingsideConfig } from './config/schema';
import { openEmbeddedCache, openRedisCache } from './cache/openCache';
import type { TwoLayerCache } from './cache/TwoLayerCache';
import { type PushHub } from '../domain/push/PushHub';
import { InProcessPushHub } from '../adapters/memory/InProcessPushHub';
import { RedisPushHub } from '../adapters/redis/RedisPushHub';
import type { Logger } from '../shared/logger';
import type { Metrics } from '../shared/metrics';
import { connectRedis, type RedisTarget } from '../adapters/redis/connection';
import { redisTargetOf } from './config/redisTopology';
import { settlesWithin } from '../shared/settlesWithin';
import type { StorageHealth } from '../shared/storageHealth';
import { SERVICE_HEALTH_GAUGE, rabbitHealth, redisHealth } from '../shared/serviceHealth';
import type { ServiceHealth } from '../protocol/views';
import { EMBEDDED_PROBE, probeRedisClient, timedProbe, type ServiceProbes } from './serviceProbe';

export interface AdapterFiles {
  spool: string;
  state: string;
}

export interface DependencyHealth {
  redis: ServiceHealth;
  rabbitmq: ServiceHealth;
  /** The shared database: `embedded` for a SQLite file, PostgreSQL up or down. */
  database: ServiceHealth;
  /** Events durable here and not yet handled (embedded) or not yet forwarded to RabbitMQ (shared). */
  spoolDepth: number;
}

/** The ports whose adapter depends on the topology (docs/architecture.md, Embedded and shared mode): embedded, or Redis and/or RabbitMQ. */
export interface Adapters {
  bus: EventBus;
  state: CallStateStore;
  push: PushHub;
  /** Agent UI sessions: SQLite (the call-log database), or Redis (session:<id>, sessions:active). */
  sessions: AgentSessions;
  /** The agents' derived statuses as PresenceService records them: in-process, or Redis (agent:status:<agent>, agents:*). */
  statuses: AgentStatusStore;
  /** Queues (the call-back queue): SQLite (the call-log database), or Redis (queue:<name>, queues:meta). */
  queues: Queues;
  /** The directory cache (cache/): the local layer over SQLite, or local + Redis (REDIS_CACHE_DB) with pub/sub invalidation. */
  cache: TwoLayerCache;
  /** This process's id in shared structures (cal:ws:connections). */
  node: string;
  health(): Promise<DependencyHealth>;
  /** When the oldest event still pending in the local spool (embedded: not handled; shared: not forwarded) was published, or null. */
  oldestSpooledAt(): Promise<number | null>;
  /** Asks Redis and RabbitMQ now on this process's own connections (the settings screen's Test buttons). */
  probes: ServiceProbes;
  /** True when every shared service the handlers need answers now. */
  servicesUp(): boolean;
  /** Fails the commands waiting for an unreachable Redis (shutdown: their events are redelivered later). */
  interrupt(): void;
  close(): Promise<void>;
}

interface OpenOptions {
  logger: Logger;
  metrics: Metrics;
  checkpointPages: number;
  /** Which events were handled, for dropping RabbitMQ redeliveries (server.ts: in memory; the handler checks the call log's markers). */
  handledEvents: HandledEventLedger;
  /** Sessions and queues where Redis does not hold them (the shared database's: src/app/stores.ts). */
  stores: Pick<Stores, 'sessions' | 'queues' | 'directoryChangedElsewhere' | 'health' | 'up' | 'probe'>;
  /** Stop asked for during start-up (SIGTERM): the wait for the shared services ends at once. */
  signal?: AbortSignal;
  /** Told of the spool's write outcomes (a full disk shows in health). */
  storage?: StorageHealth;
  /** The shard queues this process consumes (default all): its share of the server's workers (RINGSIDE_WORKERS). */
  consumeShards?: readonly number[];
  /**
   * A worker process (RINGSIDE_WORKERS) only consumes: no spool, the bus is RabbitMQ itself (it
   * never publishes, and one spool file has one consumer: the serve process's relay).
   */
  consumeOnly?: boolean;
}

/**
 * Opens the adapters the configuration asks for: no REDIS_URL means the embedded call state and
 * in-process push; no AMQP_URL means the embedded spool is the bus. With AMQP_URL the spool
 * becomes the outbox in front of RabbitMQ, so the phone's 200 still only waits for the local write.
 */
export async function openAdapters(config: RingsideConfig, files: AdapterFiles, options: OpenOptions): Promise<Adapters> {
  const node = `${hostname()}-${process.pid}-${ulid().slice(-6).toLowerCase()}`;
  const closers: Array<() => Promise<void>> = [];
  try {
    const target = redisTargetOf(config);
    const redis = target ? await openRedisParts(config, target, node, options, closers) : null;
    const state = redis?.state ?? SqliteCallStateStore.open(files.state, { checkpointPages: options.checkpointPages, logger: options.logger });
    if (!redis) closers.push(() => state.close());
    const push = redis?.push ?? new InProcessPushHub((type) => options.metrics.pushMessages.inc({ type }));
    const sessions = redis?.sessions ?? options.stores.sessions;
    const statuses = redis?.statuses ?? new InProcessAgentStatusStore();
    const queues = redis?.queues ?? options.stores.queues;
    const cache = redis?.cache ?? openEmbeddedCache({ sourceChangedElsewhere: options.stores.directoryChangedElsewhere, logger: options.logger, root: config.redis.keyPrefix });
    if (!redis) closers.push(() => cache.close());
    const rabbit = config.amqp.url ? openRabbit(config, options) : null;
    const spool = options.consumeOnly && rabbit ? null : SqliteSpoolBus.open(files.spool, { logger: options.logger, checkpointPages: options.checkpointPages, storage: options.storage?.watch('spool') });
    const bus: EventBus = rabbit ? (spool ? new OutboxBus(spool, rabbit, { logger: options.logger }) : rabbit) : spool!;
    closers.push(() => bus.close());
    await waitAtStartUp([redis?.ready(), rabbit?.whenUp(STARTUP_WAIT_MS)], options.logger, options.signal);

    const health = async (): Promise<DependencyHealth> => {
      const spoolDepth = (await spool?.depth()) ?? 0;
      const result: DependencyHealth = {
        redis: redis ? redisHealth(redis.status()) : 'embedded',
        rabbitmq: rabbit ? rabbitHealth(rabbit.status() === 'up', spoolDepth) : 'embedded',
        database: options.stores.health(),
        spoolDepth,
      };
      recordHealth(options.metrics, result, Boolean(rabbit));
      return result;
    };
    const servicesUp = () => (!redis || redis.status() === 'ready') && options.stores.up();
    const interrupt = () => redis?.interrupt();
    const probes: ServiceProbes = {
      redis: async () => (redis ? redis.probe() : EMBEDDED_PROBE),
      rabbitmq: async () => {
        if (!rabbit) return EMBEDDED_PROBE;
        const probe = await timedProbe(() => rabbit.probe(), { what: 'RabbitMQ' });
        return probe.ok ? { ...probe, state: rabbitHealth(true, (await spool?.depth()) ?? 0) } : probe;
      },
      database: () => options.stores.probe(),
    };
    const oldestSpooledAt = async () => (spool ? spool.oldestPendingAt() : null);
    return { probes, bus, state, push, sessions, statuses, queues, cache, node, health, oldestSpooledAt, servicesUp, interrupt, close: () => closeAll(closers) };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

/** Every connection goes through connectRedis with the one target: a URL, Sentinel or a Cluster (docs/redis.md, Sentinel and Cluster). */
async function openRedisParts(config: RingsideConfig, target: RedisTarget, node: string, options: OpenOptions, closers: Array<() => Promise<void>>) {
  const { callsDb, keyPrefix } = config.redis;
  const clients: RedisClient[] = [];
  const connect = (name: string, waitThroughOutages: boolean) => {
    const client = connectRedis({ target, db: callsDb, name: `ringside-${name}`, logger: options.logger, waitThroughOutages });
    closers.push(async () => void client.disconnect());
    clients.push(client);
    return client;
  };
  const stateClient = connect('callstate', true);
  const state = new RedisCallStateStore(stateClient, { root: keyPrefix });
  const keys = new CallStateKeys(keyPrefix);
  // Sessions, agent statuses and queues are state beside the call state (REDIS_CALLS_DB), on its connection.
  const scripts = new ScriptRunner(stateClient);
  // Not waiting for Redis to check or make a session: a process started while Redis is
  // unreachable still serves its UIs (RedisAgentSessions: made locally, written once it is back).
  const sessions = new RedisAgentSessions(stateClient, keys, scripts, { away: () => stateClient.status !== 'ready', logger: options.logger });
  closers.push(() => sessions.close());
  const statuses = new RedisAgentStatusStore(stateClient, keys);
  const queues = new RedisQueues(stateClient, keys, scripts);
  const push = RedisPushHub.start({
    redis: connect('push', false), subscriber: connect('push-sub', true), keys: keys.push(), node, logger: options.logger,
    local: new InProcessPushHub((type) => options.metrics.pushMessages.inc({ type })),
  });
  // Closed before the connections above (closers run in reverse).
  closers.push(() => push.close());
  // The directory cache has its own two connections to REDIS_CACHE_DB (commands, subscriber).
  const cache = openRedisCache({ target, db: config.redis.cacheDb, root: keyPrefix, node, logger: options.logger });
  closers.push(() => cache.close());
  return {
    state, push, sessions, statuses, queues, cache,
    status: () => stateClient.status,
    probe: () => probeRedisClient(stateClient),
    ready: () => Promise.all([push.subscribed, stateClient.ping(), cache.ready()]),
    interrupt: () => clients.forEach((client) => client.disconnect()),
  };
}

function openRabbit(config: RingsideConfig, options: OpenOptions): RabbitMqBus {
  return RabbitMqBus.create({
    url: config.amqp.url!, exchange: config.amqp.exchange, queue: config.amqp.queue, shards: config.amqp.shards, queueType: config.amqp.queueType,
    ledger: options.handledEvents, logger: options.logger, consumeShards: options.consumeShards,
    // Every seat's outbox drains as soon as RabbitMQ is back: a seat still backing off would hand
    // its part of a ring-group call in late.
    maxReconnectDelayMs: RABBIT_MAX_RECONNECT_DELAY_MS,
  });
}

function recordHealth(metrics: Metrics, health: DependencyHealth, shared: boolean): void {
  metrics.spoolDepth.set(health.spoolDepth);
  if (shared) metrics.outboxDepth.set(health.spoolDepth);
  for (const service of ['redis', 'rabbitmq', 'database'] as const) {
    const value = health[service];
    if (value !== 'embedded') metrics.serviceUp.set({ service }, SERVICE_HEALTH_GAUGE[value]);
  }
}

/**
 * Start-up gives reachable services a moment to connect, so the first calls and the first health
 * report see them up; an unreachable one does not hold the start up (docs/architecture.md, Failures and outages: calls spool locally
 * and health says so).
 */
const STARTUP_WAIT_MS = 5_000;
const RABBIT_MAX_RECONNECT_DELAY_MS = 2_000;

async function waitAtStartUp(connecting: Array<Promise<unknown> | undefined>, logger: Logger, signal?: AbortSignal): Promise<void> {
  const pending = connecting.filter((p): p is Promise<unknown> => p !== undefined);
  if (pending.length === 0 || signal?.aborted) return;
  let stopAsked: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stopAsked = resolve;
    signal?.addEventListener('abort', stopAsked, { once: true });
  });
  try {
    if (!(await settlesWithin(Promise.race([Promise.allSettled(pending), stopped]), STARTUP_WAIT_MS))) {
      logger.warn('a shared service did not answer at start-up; calls are spooled until it does');
    }
  } finally {
    signal?.removeEventListener('abort', stopAsked);
  }
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch {
      // Closing is best effort: one adapter failing to close must not keep the others open.
    }
  }
}
