import { existsSync } from 'node:fs';
import { networkInterfaces, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentWebSocket } from '../api/AgentWebSocket';
import { startAgentApiServer } from '../api/AgentApiServer';
import { Authenticator } from '../api/auth';
import { isAdminAgent } from '../api/roles';
import { SigninCodes } from '../api/signinCodes';
import { addTokenRoutes } from '../api/tokenRoutes';
import { addSigninRoutes } from '../api/signinRoutes';
import { SigninThrottle } from '../api/signinThrottle';
import { Credentials } from './Credentials';
import type { SigninLink } from '../protocol/responses';
import { browsableOrigin } from '../protocol/urls';
import { buildRoutes } from '../api/routes';
import { listenerActionUrls } from '../domain/provisioning/actionUrls';
import { UiAssets } from '../api/ui';
import { openAdapters, type DependencyHealth } from './adapters';
import { DrainWindow } from './drainWindow';
import { openStores } from './stores';
import { CachedDirectory } from './cache/CachedDirectory';
import { addLookupRoutes } from '../api/lookupRoutes';
import { addSeatRoutes } from '../api/seatRoutes';
import { TestCalls } from './testCall';
import { GrandstreamPhoneClient } from '../adapters/phone/GrandstreamPhoneClient';
import { provisionActionUrls } from '../domain/provisioning/provisionActionUrls';
import { StaleCallReaper } from '../domain/calls/StaleCallReaper';
import type { RingsideConfig } from './config/schema';
import { usesRedis } from './config/redisTopology';
import { startPacedTimer, type PacedTimer } from './pacedTimer';
import { summarise } from './DeviceHealth';
import { wireCallHandling } from './callHandling';
import type { HealthReport } from '../protocol/views';
import { DirectoryError } from '../domain/directory/errors';
import { startWebhookListener } from '../adapters/webhook/WebhookListener';
import type { Logger } from '../shared/logger';
import { openRingsideLog } from './logging';
import { DependencyLog } from './dependencyLog';
import { createMetrics, type Metrics } from '../shared/metrics';
import { settlesWithin } from '../shared/settlesWithin';
import { StorageHealth } from '../shared/storageHealth';
import { handledMarkerCutoff, MemoryHandledEventLedger } from '../domain/bus/HandledEventLedger';
import { makePrivateDir, modeFixedMessage, PRIVATE_DIR_MODE } from '../shared/privateFiles';
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
  /** A one-time sign-in link to the agent UI for an agent (the seat's agent by default): `npm start` on a desktop prints it. */
  createSigninLink(agent?: string): Promise<SigninLink>;
  /** Resolves once every event accepted so far has been handled. */
  drained(): Promise<void>;
  /** Runs the periodic work now: retention, handled-marker pruning, stale calls, due missed calls, presence changes (expired sessions). */
  housekeeping(): Promise<void>;
  /** Polls now every phone that has a call up (DeviceHealth); resolves with how many were polled. */
  pollPhones(): Promise<number>;
  /** The agent API's routes (method and path pattern), as its router serves them. */
  routes(): Array<{ method: string; path: string }>;
  /**
   * Stops listeners and the consumer, closes the databases. First, for config.drainMs, /healthz
   * answers 503 `draining` while everything still serves (drainWindow.ts); `drain: false` skips
   * that window, or ends one under way.
   */
  close(options?: { drain?: boolean }): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: () => number;
  /**
   * How long close() lets handlers that wait for a shared service finish before interrupting them
   * (default 3 s); none when Redis is unreachable as the stop begins (nothing waiting for it could finish).
   */
  stopGraceMs?: number;
  /**
   * Stop asked for during start-up (SIGTERM while a shared service does not answer): the wait for
   * the shared services ends at once. startRingside still resolves; the caller then closes it.
   */
  signal?: AbortSignal;
  /**
   * The shard queues this process consumes (default all): `ringside serve` with RINGSIDE_WORKERS
   * passes its own share, its worker processes take the rest (src/cli/workerSupervisor.ts).
   */
  shards?: readonly number[];
}

const DAY_MS = 24 * 60 * 60_000;
const MARKER_PRUNE_EVERY_MS = 10 * 60_000;
const STOP_GRACE_MS = 3_000;
/** Stopping while Redis is unreachable: how long interrupted work gets to give up before it is left behind. */
const LEFT_BEHIND_WAIT_MS = 500;
const HEALTH_PUSH_INTERVAL_MS = 2_000;
/** A desktop seat nobody looks at: the presence and health passes, and the missed-call safety net, this often (docs/architecture.md, Idle). */
const UNATTENDED_PASS_MS = 30_000;
/** The event-loop delay metric's sampling on a desktop seat: prom-client's 10 ms would wake it 100 times a second. */
const IDLE_EVENT_LOOP_SAMPLE_MS = 1_000;

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
  // Without a logger given, this instance logs to stdout and the log file, and closes the file with itself.
  const ownLog = options.logger ? null : openRingsideLog(config);
  const logger = options.logger ?? ownLog!.logger;
  const clock = options.clock ?? Date.now;
  // Alone with its call state and bus (no Redis, no RabbitMQ), nothing happens here that this
  // process does not see, so it may slow its passes while nobody looks (docs/architecture.md, Idle).
  const soleProcess = !usesRedis(config) && config.amqp.url === undefined;
  const metrics = createMetrics({ eventLoopSampleMs: soleProcess ? IDLE_EVENT_LOOP_SAMPLE_MS : undefined });
  // Whether the spool and the database can be written (a full disk): in health, /metrics and the UI.
  const storage = new StorageHealth({ metrics, clock });
  // Deprecated settings in use (RINGSIDE_TOKEN): said once, at start.
  for (const warning of config.warnings) logger.warn(warning);
  const credentials = new Credentials(config, { clock, logger });

  // The data directory is its user's alone, and so is every file Ringside keeps (docs/architecture.md, Files on disk).
  makePrivateDir(config.dataDir, (path, oldMode, error) => logger.warn({ file: path }, modeFixedMessage(path, oldMode, PRIVATE_DIR_MODE, error)));
  const checkpointPages = HOT_CONNECTION_CHECKPOINT_PAGES;
  // The call log, directory, passwords (and sessions and queues without Redis): SQLite or PostgreSQL.
  const stores = await openStores(config, { logger, clock, checkpointPages });
  const { log, source } = stores;
  const files = { spool: join(config.dataDir, 'spool.db'), state: join(config.dataDir, 'state.db') };
  // RabbitMQ's redeliveries after a lost connection meet this in-memory ledger; after a restart (or
  // on another server) the handler's first step, the check of its handled marker in the call log,
  // skips them. Asking the call log here too would be the same query twice per event.
  const handledEvents = new MemoryHandledEventLedger();
  const adapters = await openAdapters(config, files, { logger, metrics, checkpointPages, handledEvents, stores, signal: options.signal, storage, consumeShards: options.shards }).catch(async (err: unknown) => {
    await stores.close();
    throw err;
  });
  const { bus, state, push, sessions } = adapters;
  // Every other reader and writer goes through the two-layer cache (docs/redis.md, Cache database).
  const directory = new CachedDirectory(source, stores.dispositions, adapters.cache, { readContact: stores.readContact ?? undefined });
  stores.readContactsThrough(directory);
  const checkpointer = startWalCheckpointer(usesRedis(config) ? [files.spool, ...stores.sqliteFiles] : [...Object.values(files), ...stores.sqliteFiles]);
  await ensureSeatAgent(directory, config);

  // Set once the WebSocket exists: a phone's change goes to its agent's UIs (and admin UIs) at once.
  let phoneChanged: (account: string, mac: string) => void = () => undefined;
  const { presence, callbacks, missed, phones, devices, lifecycle, consume } = wireCallHandling({
    config, stores, adapters, directory, metrics, storage, logger, clock,
    missedSafetyNetMs: soleProcess ? UNATTENDED_PASS_MS : undefined, onPhoneChanged: (account, mac) => phoneChanged(account, mac),
  });
  const reaper = new StaleCallReaper({ state, log, missed, clock, logger });

  const shutdown = new AbortController();
  const consumer = consume(shutdown.signal);
  missed.start();

  let webhookState: 'up' | 'down' = 'down';
  /**
   * Health as /healthz, /metrics and every `health` message carry it. `phone` is a count-only
   * PhoneHealthSummary `{ state, phones, registered, signedOff, unreachable }` (state: the worst
   * phone's, `none` without phones): in single-seat mode the seat agent's phones and the phones
   * bound to nobody (they ring the seat's agent), the account's otherwise. No MAC or IP: /healthz
   * answers anyone.
   */
  const seatAgent = usesRedis(config) ? null : config.agent;
  /** The health report; `known`: the services as just read (the health tick reads them once for the log and the UIs). */
  const health = async (known?: DependencyHealth): Promise<Omit<HealthReport, 'phones'>> => {
    const dependencies = known ?? await adapters.health();
    const storageNow = storage.report();
    const degraded = dependencies.redis === 'down' || dependencies.database === 'down' || dependencies.rabbitmq === 'down' || dependencies.rabbitmq === 'degraded' || storageNow.state === 'down';
    // The phones are read from the directory: with its database away, health still answers, without them.
    const phone = await devices.summary(config.account, seatAgent, seatAgent !== null).catch(() => undefined);
    return { status: degraded ? 'degraded' : 'ok', listener: webhookState, ...(phone ? { phone } : {}), ...dependencies, storage: storageNow };
  };
  /**
   * What a WebSocket `health` message adds for its authenticated viewer: `phone` becomes the
   * summary of the viewer's own phones (an admin's: the account's) and `phones` lists them as
   * PhoneHealthEntry `{ mac, state, lastEvent, lastSeenAt, polling, reachable, phoneStatus, error }`.
   */
  const phoneHealth = async (viewer: { account: string; agent: string | null }) => {
    // With the directory's database away the message still goes out (it says the database is down), without the phones.
    const entries = await devices.phonesOf(viewer.account, viewer.agent).catch(() => null);
    return entries ? { phone: summarise(entries), phones: entries } : {};
  };

  const webhook = await startWebhookListener({
    host: config.webhook.host, port: config.webhook.port, account: config.account,
    // The webhook token only (the admin token is refused here), and the replaced one during its grace.
    checkToken: (candidate) => {
      const match = credentials.matchWebhook(candidate);
      return match === 'previous' ? 'previous' : match === 'current';
    },
    onPreviousToken: (event) => credentials.notePreviousUse(event.device, event.receivedAt),
    allow: config.phoneAllow, accept: (event) => bus.publish([event]), logger, metrics,
    limits: {
      ratePerSecond: config.phoneRateLimit,
      maxConnections: config.webhook.maxConnections, maxConnectionsPerAddress: config.webhook.maxConnectionsPerAddress,
    },
  });
  webhookState = 'up';

  // Admins who are agents: marked `admin`, or on a single seat the seat's own agent (roles.ts isAdminAgent).
  const auth = new Authenticator({
    tokens: credentials, account: config.account, sessions, clock,
    isAdminAgent: (account, agent) => isAdminAgent(directory, seatAgent, account, agent),
  });
  let apiPort = config.api.port;
  const pacedPasses: PacedTimer[] = [];
  const websocket = new AgentWebSocket({
    auth, push, presence, state, logger, metrics, clock, heartbeatTtlMs: config.heartbeatTtlMs,
    allowedOrigins: () => originsFor(config, apiPort), health, phoneHealth,
    onConnectionsChanged: () => pacedPasses.forEach((pass) => pass.nudge()),
  });
  phoneChanged = (account, mac) => {
    void directory.deviceOwner(account, mac)
      .then((agent) => websocket.refreshHealth({ account, agent: agent ?? undefined }))
      .catch((error: unknown) => logger.warn({ err: error }, 'phone health push failed'));
  };
  const actionUrls = () => listenerActionUrls(config.publicHost, Number(new URL(webhook.url).port), credentials.webhookToken(), networkInterfaces());
  const signin = new SigninCodes(clock);
  const issueSigninLink = async (agent: string): Promise<SigninLink> => {
    if (!(await directory.getAgent(config.account, agent))) throw new DirectoryError('unknown_agent', `no agent ${agent} in this account`);
    const { code, expiresAt } = signin.issue(agent);
    return { agent, url: `${browsableOrigin(api.url)}/#signin=${code}`, expiresAt };
  };
  const drain = new DrainWindow(config.drainMs);
  const router = buildRoutes({ directory, log, presence, push, auth, metrics, clock, sessionTtlMs: config.sessionTtlMs, health, phones, actionUrls, sessions, callbacks, servicesUp: adapters.servicesUp,
    draining: () => drain.draining,
    settings: { config, webhookPort: () => Number(new URL(webhook.url).port), apiPort: () => apiPort, probes: adapters.probes },
  });
  addLookupRoutes(router, { lookups: directory, auth });
  // "Ring me" on the first-run setup: a test call through the own phone listener (testCall.ts).
  const testCalls = new TestCalls({ listener: () => ({ port: Number(new URL(webhook.url).port), token: credentials.webhookToken() }), logger });
  addSeatRoutes(router, {
    directory, auth, presence, seatAgent, testCall: (phone) => testCalls.start(phone),
    provision: (phone, dryRun) => {
      const { publicHost, port, urls } = actionUrls();
      const client = new GrandstreamPhoneClient({ ...phone, timeoutMs: config.phoneTimeoutMs });
      return provisionActionUrls(client, urls, { host: publicHost.host, port }, { dryRun });
    },
  });
  addTokenRoutes(router, {
    account: config.account, auth, credentials, directory, phones, actionUrls, sessions, sessionTtlMs: config.sessionTtlMs, clock, logger,
    issueSigninLink: (agent) => issueSigninLink(agent ?? config.agent),
    adminTokenRotated: () => websocket.closeAdminConnections(),
  });
  addSigninRoutes(router, {
    account: config.account, auth, directory, sessions, sessionTtlMs: config.sessionTtlMs, clock, logger,
    credentials: stores.credentials, redeemSignin: (code) => signin.redeem(code),
    uiOrigin: () => browsableOrigin(api.url), throttle: new SigninThrottle(clock),
  });
  const api = await startAgentApiServer({ host: config.api.host, port: config.api.port, router, ui: new UiAssets(rendererRoot()), websocket, logger });
  apiPort = api.port;

  const prune = () => log.prune(clock() - config.retentionDays * DAY_MS).catch((error: unknown) => logger.error({ err: error }, 'retention prune failed'));
  void prune();
  const retentionTimer = setInterval(() => void prune(), DAY_MS / 4);
  retentionTimer.unref();
  /**
   * Handled markers are kept for HANDLED_EVENT_WINDOW_MS after their handling (why that is safe:
   * src/domain/bus/HandledEventLedger.ts), and always while an event published before them is
   * still pending in the spool: its handling may have committed before a crash took its done mark,
   * so it comes again. Not at start-up (the redeliveries of a restart come first), then every 10 minutes.
   */
  const pruneMarkers = async () => {
    try {
      await log.pruneHandledMarkers(handledMarkerCutoff(clock(), await adapters.oldestSpooledAt()));
    } catch (error) {
      logger.error({ err: error }, 'pruning handled-event markers failed');
    }
  };
  const markerTimer = setInterval(() => void pruneMarkers(), MARKER_PRUNE_EVERY_MS);
  markerTimer.unref();
  const reap = () => reaper.reap(config.account).catch((error: unknown) => logger.error({ err: error }, 'stale-call reaper failed'));
  // The call-back queue is checked against the call log at start and then with the reaper.
  const reconcileCallbacks = () => callbacks.reconcile(config.account).catch((error: unknown) => logger.warn({ err: error }, 'call-back queue check failed'));
  const callbacksStarted = callbacks.start(config.account).catch((error: unknown) => logger.warn({ err: error }, 'call-back queue start failed'));
  const reaperTimer = setInterval(() => {
    void reap();
    void reconcileCallbacks();
  }, 60_000);
  reaperTimer.unref();
  // Skipped while Redis is unreachable: each pass would wait for it, and they would pile up.
  // A sole process's presence changes with nobody connected only as a dead UI's heartbeat runs out.
  const presenceTimer = startPacedTimer({
    run: () => {
      if (adapters.servicesUp()) void presence.publishChanges(config.account).catch(() => {});
    },
    busy: () => !soleProcess || websocket.connections > 0,
    busyMs: Math.min(5000, config.heartbeatTtlMs / 3), idleMs: UNATTENDED_PASS_MS,
  });

  // A UI learns at once when a service goes down or comes back, not only when it connects; a
  // phone's change is pushed when it happens (phoneChanged), and caught here too otherwise.
  // Each change of Redis, RabbitMQ or the storage is also one line in the log (docs/architecture.md,
  // Logs): one reading of the services serves both.
  // With nobody connected and every service up, a sole process reads them every 30 s: a change is
  // logged then, or at once when a write fails (storage.listen) or work finds a service away.
  const dependencyLog = new DependencyLog(logger);
  const healthTick = () => adapters.health()
    .then((dependencies) => {
      dependencyLog.note(dependencies, storage.report());
      healthTimer.nudge();
      return websocket.refreshHealth(null, () => health(dependencies));
    })
    .catch((error: unknown) => logger.debug({ err: error }, 'health reading failed'));
  const healthTimer = startPacedTimer({
    run: () => void healthTick(),
    busy: () => !soleProcess || websocket.connections > 0 || !dependencyLog.allUp,
    busyMs: HEALTH_PUSH_INTERVAL_MS, idleMs: UNATTENDED_PASS_MS,
  });
  pacedPasses.push(presenceTimer, healthTimer);
  void healthTick();
  // A write failing (or working again) is told at once, not at the next tick.
  const stopStorageWatch = storage.listen(() => {
    void healthTick();
  });

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
    createSigninLink: (agent = config.agent) => issueSigninLink(agent),
    drained: () => consumer.drained(),
    pollPhones: () => devices.pollNow(),
    routes: () => router.list(),
    housekeeping: async () => {
      await prune();
      await pruneMarkers();
      await reap();
      await missed.sweep();
      await reconcileCallbacks();
      await presence.publishChanges(config.account);
    },
    close: (stop = {}) => {
      if (stop.drain === false) drain.end();
      closing ??= (async () => {
        // A load balancer sees /healthz 503 and takes this server out before the listeners close.
        await drain.run();
        clearInterval(retentionTimer);
        testCalls.stop();
        clearInterval(markerTimer);
        presenceTimer.stop();
        clearInterval(reaperTimer);
        await webhook.close();
        webhookState = 'down';
        healthTimer.stop();
        stopStorageWatch();
        devices.stop();
        shutdown.abort();
        // Handlers waiting for an unreachable Redis would hold the shutdown forever: after a grace
        // period their commands are failed, and their events (not acknowledged) come back later.
        // With Redis unreachable as the stop begins (started during an outage, say), nothing that
        // waits for it can finish: no grace, so a SIGTERM is honoured within a second or two.
        const grace = adapters.servicesUp() ? options.stopGraceMs ?? STOP_GRACE_MS : 0;
        const stopped = Promise.all([consumer.stop(), missed.stop()]);
        if (!(await settlesWithin(stopped, grace))) {
          logger.warn('shutdown: handlers still wait for a shared service; interrupting them');
          adapters.interrupt();
          // Handlers give up on their own (handleThroughOutages); a missed-call sweep stuck in a
          // Redis client that never fails its command is left behind rather than holding the exit.
          if (!(await settlesWithin(stopped, grace || LEFT_BEHIND_WAIT_MS))) logger.warn('shutdown: left a sweep waiting for Redis behind');
        }
        // Presence passes scheduled by the last events run no more; one under way ends first.
        await settlesWithin(presence.stop(), grace || LEFT_BEHIND_WAIT_MS);
        await api.close();
        await settlesWithin(callbacksStarted, grace);
        // The last handled markers (HandledMarks), before the call log closes; not waited for long on a database that does not answer.
        await settlesWithin(lifecycle.flushHandledMarks(), grace || LEFT_BEHIND_WAIT_MS);
        await adapters.close();
        await directory.close();
        await stores.close();
        await checkpointer.close();
        await ownLog?.close();
      })();
      return closing;
    },
  };
}
