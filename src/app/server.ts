import { existsSync } from 'node:fs';
import { networkInterfaces, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentWebSocket } from '../api/AgentWebSocket';
import { startAgentApiServer } from '../api/AgentApiServer';
import { Authenticator } from '../api/auth';
import { buildRoutes } from '../api/routes';
import { listenerActionUrls } from '../domain/provisioning/actionUrls';
import { UiAssets } from '../api/ui';
import { openAdapters } from './adapters';
import { CallbackQueue } from '../domain/callback/CallbackQueue';
import { CachedDirectory } from './cache/CachedDirectory';
import { addLookupRoutes } from '../api/lookupRoutes';
import { DirectoryCallerCards } from '../domain/cards/CallerCards';
import { HttpCrmLookup } from '../adapters/crm/HttpCrmLookup';
import { CallLifecycle, handledMarker } from '../domain/calls/CallLifecycle';
import { MissedCallSweeper } from '../domain/calls/MissedCallSweeper';
import { StaleCallReaper } from '../domain/calls/StaleCallReaper';
import { SqliteCallLog } from '../adapters/sqlite/calllog/SqliteCallLog';
import type { RingsideConfig } from './config/schema';
import { DeviceHealth, summarise } from './DeviceHealth';
import type { HealthReport } from '../protocol/views';
import { DirectoryError } from '../domain/directory/errors';
import { SqliteDirectory, contactHooksFor } from '../adapters/sqlite/directory/SqliteDirectory';
import { SqliteDispositions } from '../adapters/sqlite/directory/SqliteDispositions';
import { startWebhookListener } from '../adapters/webhook/WebhookListener';
import { PhoneRegistry } from '../adapters/phone/PhoneRegistry';
import { PresenceService } from '../domain/presence/PresenceService';
import { createLogger, type Logger } from '../shared/logger';
import { createMetrics, type Metrics } from '../shared/metrics';
import { handleThroughOutages } from '../shared/outages';
import { settlesWithin } from '../shared/settlesWithin';
import { openDatabase } from '../adapters/sqlite/database';
import { HOT_CONNECTION_CHECKPOINT_PAGES, startWalCheckpointer } from '../adapters/sqlite/walCheckpointer';

export interface RingsideInstance {
  config: RingsideConfig;
  /** e.g. http://0.0.0.0:7789 (the chosen port when configured as 0). */
  webhookUrl: string;
  /** e.g. http://127.0.0.1:7790 */
  apiUrl: string;
  metrics: Metrics;
  /** A UI session token for an agent of this instance's account (the seat's agent by default). */
  createAgentSession(agent?: string): Promise<{ token: string; expiresAt: number }>;
  /** Resolves once every event accepted so far has been handled. */
  drained(): Promise<void>;
  /** Runs the periodic work now: retention, stale calls, due missed calls, presence changes (expired sessions). */
  housekeeping(): Promise<void>;
  /** Polls now every phone that has a call up (DeviceHealth); resolves with how many were polled. */
  pollPhones(): Promise<number>;
  /** The agent API's routes (method and path pattern), as its router serves them. */
  routes(): Array<{ method: string; path: string }>;
  /** Stops listeners and the consumer, closes the databases. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: () => number;
  /** How long close() lets handlers that wait for an unreachable service finish before interrupting them (default 3 s). */
  stopGraceMs?: number;
}

const DAY_MS = 24 * 60 * 60_000;
/**
 * Calls handled at the same time with Redis call state: a handler spends most of its time waiting
 * for Redis and RabbitMQ, so one call at a time would leave the process idle. Embedded handlers
 * are synchronous SQLite work, where one at a time is fastest.
 */
const SHARED_HANDLER_CONCURRENCY = 64;
const STOP_GRACE_MS = 3_000;
const HEALTH_PUSH_INTERVAL_MS = 2_000;

/**
 * Where the built agent UI is: out/renderer, seen from the sources (src/core) or from the
 * bundled server (out/server). Never src/desktop/renderer: its index.html loads TypeScript.
 */
function rendererRoot(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../out/renderer'), resolve(here, '../renderer')].filter((dir) => basename(dirname(dir)) === 'out');
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

function originsFor(config: RingsideConfig, port: number): Set<string> {
  const hosts = ['127.0.0.1', 'localhost', '[::1]'];
  if (!['0.0.0.0', '::', '127.0.0.1'].includes(config.api.host)) hosts.push(config.api.host);
  return new Set([...config.allowedOrigins, ...hosts.map((h) => `http://${h}:${port}`)]);
}

async function ensureSeatAgent(directory: CachedDirectory, config: RingsideConfig): Promise<void> {
  const name = config.agent === 'me' ? safeUserName() : config.agent;
  // Also while Redis is away at start-up: the cache invalidation follows once it is back.
  await directory.ensureAgent(config.account, config.agent, name);
}

function safeUserName(): string {
  try {
    return userInfo().username || 'Me';
  } catch {
    return 'Me';
  }
}

/** The composition root: opens the embedded adapters, wires the handlers, starts both listeners. */
export async function startRingside(config: RingsideConfig, options: StartOptions = {}): Promise<RingsideInstance> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? Date.now;
  const metrics = createMetrics();

  const database = config.database ?? join(config.dataDir, 'ringside.db');
  const files = { spool: join(config.dataDir, 'spool.db'), state: join(config.dataDir, 'state.db'), database };
  const checkpointPages = HOT_CONNECTION_CHECKPOINT_PAGES;
  const db = openDatabase(database, { checkpointPages });
  // The source of truth; the call log's synchronous caller-card lookups read it directly.
  const source = new SqliteDirectory(db, { defaultCountry: config.defaultCountry });
  // Many handlers run at once with Redis call state: their call-log writes share commits.
  const log = new SqliteCallLog(db, { ...contactHooksFor(source), groupCommit: config.redis.url !== undefined });
  // The handler commits this marker with its last step, so the bus needs no ledger write of its own.
  const handledEvents = { has: (id: string) => log.hasProcessed(handledMarker(id)), add: () => undefined };
  const adapters = await openAdapters(config, files, { logger, metrics, checkpointPages, handledEvents, database: db }).catch((err: unknown) => {
    db.close();
    throw err;
  });
  const { bus, state, push, sessions, statuses, queues } = adapters;
  // Every other reader and writer goes through the two-layer cache (docs/redis.md, Cache database).
  const directory = new CachedDirectory(source, new SqliteDispositions(db), adapters.cache);
  const checkpointer = startWalCheckpointer(config.redis.url ? [files.spool, database] : Object.values(files));
  await ensureSeatAgent(directory, config);

  const presence = new PresenceService({ state, log, directory, push, clock, statuses, logger });
  const callbacks = new CallbackQueue({ queues, log, logger, clock });
  const missed = new MissedCallSweeper({ state, log, push, logger, clock, delayMs: config.missedDelayMs, onRaised: async () => {
    await presence.publishChanges(config.account);
  }, onMissed: (m) => callbacks.enqueue(m) });
  const reaper = new StaleCallReaper({ state, log, missed, clock });
  const phones = new PhoneRegistry({ logger, timeoutMs: config.phoneTimeoutMs });
  // Set once the WebSocket exists: a phone's change goes to its agent's UIs (and admin UIs) at once.
  let phoneChanged: (account: string, mac: string) => void = () => undefined;
  const devices = new DeviceHealth({
    directory, phones, logger, clock, pollIntervalMs: config.phonePollMs, onChange: (account, mac) => phoneChanged(account, mac),
  });
  const crm = config.crmLookupUrl ? new HttpCrmLookup({ urlTemplate: config.crmLookupUrl, timeoutMs: config.crmLookupTimeoutMs, logger, clock }) : null;
  const cards = new DirectoryCallerCards({ directory, numbers: source.numbers, crm, logger });
  const lifecycle = new CallLifecycle({
    state, log, directory, push, presence, missed, logger, clock, devices, cards,
    onMissedClosed: (account, closed) => callbacks.closed(account, closed),
    config: { seatAgent: config.redis.url ? null : config.agent, transferWindowMs: config.transferWindowMs },
  });

  const shutdown = new AbortController();
  const consumer = bus.consume(async (event) => {
    const stop = metrics.handlerSeconds.startTimer();
    try {
      await handleThroughOutages(() => lifecycle.handle(event), adapters.servicesUp, logger, shutdown.signal);
      metrics.eventsHandled.inc({ type: event.type, outcome: 'ok' });
    } catch (error) {
      metrics.eventsHandled.inc({ type: event.type, outcome: 'error' });
      logger.error({ err: error, eventId: event.id, type: event.type }, 'call event handler failed; it will be retried');
      throw error;
    } finally {
      stop();
    }
  }, { concurrency: config.redis.url ? SHARED_HANDLER_CONCURRENCY : 1 });
  missed.start();

  let webhookState: 'up' | 'down' = 'down';
  /**
   * Health as /healthz, /metrics and every `health` message carry it. `phone` is a count-only
   * PhoneHealthSummary `{ state, phones, registered, signedOff, unreachable }` (state: the worst
   * phone's, `none` without phones): in single-seat mode the seat agent's phones and the phones
   * bound to nobody (they ring the seat's agent), the account's otherwise. No MAC or IP: /healthz
   * answers anyone.
   */
  const seatAgent = config.redis.url ? null : config.agent;
  const health = async (): Promise<Omit<HealthReport, 'phones'>> => {
    const dependencies = await adapters.health();
    const degraded = dependencies.redis === 'down' || dependencies.rabbitmq === 'down' || dependencies.rabbitmq === 'degraded';
    const phone = await devices.summary(config.account, seatAgent, seatAgent !== null);
    return { status: degraded ? 'degraded' : 'ok', listener: webhookState, phone, ...dependencies };
  };
  /**
   * What a WebSocket `health` message adds for its authenticated viewer: `phone` becomes the
   * summary of the viewer's own phones (an admin's: the account's) and `phones` lists them as
   * PhoneHealthEntry `{ mac, state, lastEvent, lastSeenAt, polling, reachable, phoneStatus, error }`.
   */
  const phoneHealth = async (viewer: { account: string; agent: string | null }) => {
    const entries = await devices.phonesOf(viewer.account, viewer.agent);
    return { phone: summarise(entries), phones: entries };
  };

  const webhook = await startWebhookListener({
    host: config.webhook.host, port: config.webhook.port, token: config.token, account: config.account,
    allow: config.phoneAllow, accept: (event) => bus.publish([event]), logger, metrics,
    limits: { ratePerSecond: config.phoneRatePerSecond },
  });
  webhookState = 'up';

  const auth = new Authenticator({ adminToken: config.token, account: config.account, sessions, clock });
  let apiPort = config.api.port;
  const websocket = new AgentWebSocket({
    auth, push, presence, state, logger, metrics, clock, heartbeatTtlMs: config.heartbeatTtlMs,
    allowedOrigins: () => originsFor(config, apiPort), health, phoneHealth,
  });
  phoneChanged = (account, mac) => {
    void directory.deviceOwner(account, mac)
      .then((agent) => websocket.refreshHealth({ account, agent: agent ?? undefined }))
      .catch((error: unknown) => logger.warn({ err: error }, 'phone health push failed'));
  };
  const actionUrls = () => listenerActionUrls(config.publicHost, Number(new URL(webhook.url).port), config.token, networkInterfaces());
  const router = buildRoutes({ directory, log, presence, push, auth, metrics, clock, sessionTtlMs: config.sessionTtlMs, health, phones, actionUrls, sessions, callbacks,
    settings: { config, webhookPort: () => Number(new URL(webhook.url).port), apiPort: () => apiPort, probes: adapters.probes },
  });
  addLookupRoutes(router, { lookups: directory, auth });
  const api = await startAgentApiServer({ host: config.api.host, port: config.api.port, router, ui: new UiAssets(rendererRoot()), websocket, logger });
  apiPort = api.port;

  const prune = () => log.prune(clock() - config.retentionDays * DAY_MS).catch((error: unknown) => logger.error({ err: error }, 'retention prune failed'));
  void prune();
  const retentionTimer = setInterval(() => void prune(), DAY_MS / 4);
  retentionTimer.unref();
  const reap = () => reaper.reap(config.account).catch((error: unknown) => logger.error({ err: error }, 'stale-call reaper failed'));
  // The call-back queue is checked against the call log at start and then with the reaper.
  const reconcileCallbacks = () => callbacks.reconcile(config.account).catch((error: unknown) => logger.warn({ err: error }, 'call-back queue check failed'));
  const callbacksStarted = callbacks.start(config.account).catch((error: unknown) => logger.warn({ err: error }, 'call-back queue start failed'));
  const reaperTimer = setInterval(() => {
    void reap();
    void reconcileCallbacks();
  }, 60_000);
  reaperTimer.unref();
  const presenceTimer = setInterval(() => void presence.publishChanges(config.account).catch(() => {}), Math.min(5000, config.heartbeatTtlMs / 3));
  presenceTimer.unref();

  // A UI learns at once when a service goes down or comes back, not only when it connects; a
  // phone's change is pushed when it happens (phoneChanged), and caught here too otherwise.
  const healthTimer = setInterval(() => void websocket.refreshHealth().catch(() => undefined), HEALTH_PUSH_INTERVAL_MS);
  healthTimer.unref();

  let closing: Promise<void> | null = null;
  return {
    config,
    webhookUrl: webhook.url,
    apiUrl: api.url,
    metrics,
    createAgentSession: async (agent = config.agent) => {
      if (!(await directory.getAgent(config.account, agent))) throw new DirectoryError('unknown_agent', `no agent ${agent} in this account`);
      return sessions.create(config.account, agent, config.sessionTtlMs, clock());
    },
    drained: () => consumer.drained(),
    pollPhones: () => devices.pollNow(),
    routes: () => router.list(),
    housekeeping: async () => {
      await prune();
      await reap();
      await missed.sweep();
      await reconcileCallbacks();
      await presence.publishChanges(config.account);
    },
    close: () => {
      closing ??= (async () => {
        clearInterval(retentionTimer);
        clearInterval(presenceTimer);
        clearInterval(reaperTimer);
        await webhook.close();
        webhookState = 'down';
        clearInterval(healthTimer);
        devices.stop();
        shutdown.abort();
        // Handlers waiting for an unreachable Redis would hold the shutdown forever: after a grace
        // period their commands are failed, and their events (not acknowledged) come back later.
        const grace = options.stopGraceMs ?? STOP_GRACE_MS;
        const stopped = Promise.all([consumer.stop(), missed.stop()]);
        if (!(await settlesWithin(stopped, grace))) {
          logger.warn('shutdown: handlers still wait for a shared service; interrupting them');
          adapters.interrupt();
          // Handlers give up on their own (handleThroughOutages); a missed-call sweep stuck in a
          // Redis client that never fails its command is left behind rather than holding the exit.
          if (!(await settlesWithin(stopped, grace))) logger.warn('shutdown: left a sweep waiting for Redis behind');
        }
        await api.close();
        await settlesWithin(callbacksStarted, options.stopGraceMs ?? STOP_GRACE_MS);
        await adapters.close();
        await log.close();
        await directory.close();
        db.close();
        await checkpointer.close();
      })();
      return closing;
    },
  };
}
