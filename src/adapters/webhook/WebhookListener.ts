import { createServer, type Server, type Socket } from 'node:net';
import { createIdGenerator } from '../../shared/ids';
import type { CallEvent } from '../../domain/events/CallEvent';
import type { Logger } from '../../shared/logger';
import type { Metrics } from '../../shared/metrics';
import { createAllowList, normaliseAddress, type AllowList } from './allowList';
import { Connection } from './Connection';
import { checkConnectionCaps, ConnectionTable } from './connectionTable';
import { LimitLog } from './limitLog';
import type { ListenerShared } from './listenerShared';
import { createRateLimiter } from './rateLimit';
import { RefusalLog } from './refusalLog';
import { createTokenCheck } from './token';

/**
 * The phone webhook listener (docs/webhook.md): a minimal HTTP/1.1 server on node:net, because
 * node:http rejects what real Grandstream phones send (unencoded spaces and raw UTF-8 in the
 * request line). It serves the phone paths and nothing else.
 */
export interface WebhookListenerOptions {
  host: string;
  port: number; // port 0 = pick a free port
  /** The webhook token; or `checkToken` decides (tokens that change while running). */
  token?: string;
  checkToken?: (candidate: string) => boolean | 'previous';
  /** An event accepted with a replaced webhook token still in its grace period. */
  onPreviousToken?: (event: CallEvent) => void;
  account: string;
  allow: string[]; // CIDRs; empty = any source
  accept: (event: CallEvent) => Promise<void>; // resolves when the event is durable; reply 200 only after it resolves
  logger: Logger;
  metrics: Metrics;
  limits?: Partial<WebhookLimits>;
}

export interface WebhookLimits {
  maxRequestLineBytes: number; // 8192
  maxHeaderBytes: number; // 16384
  headersTimeoutMs: number; // 5000
  idleTimeoutMs: number; // 30000
  ratePerSecond: number; // 200 per source IP, 0 disables
  rateBurst: number; // 1000
  maxConnections: number; // 512 open connections in all (at least 1)
  maxConnectionsPerAddress: number; // 128 per source IP (at least 1, at most maxConnections)
}

export interface WebhookListener {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_WEBHOOK_LIMITS: Readonly<WebhookLimits> = {
  maxRequestLineBytes: 8192,
  maxHeaderBytes: 16384,
  headersTimeoutMs: 5000,
  idleTimeoutMs: 30000,
  ratePerSecond: 200,
  rateBurst: 1000,
  maxConnections: 512,
  maxConnectionsPerAddress: 128,
};

/** A closing socket gets this long to be closed by its peer before it is destroyed. */
const MAX_LINGER_MS = 2000;
/** close() waits this long for in-flight accept() calls before destroying what is left. */
const CLOSE_GRACE_MS = 10_000;
const RATE_PRUNE_EVERY_MS = 10_000;

export async function startWebhookListener(options: WebhookListenerOptions): Promise<WebhookListener> {
  const limits = resolveLimits(options.limits);
  const allowList = createAllowList(options.allow); // throws on a bad CIDR: a config error
  const shared = createShared(options, limits);
  const connections = new ConnectionTable<Connection>(limits.maxConnections, limits.maxConnectionsPerAddress);
  const limitLog = new LimitLog(options.logger, () => ({
    open: connections.size, maxConnections: limits.maxConnections, maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
  }));
  for (const limit of ['per_address', 'total'] as const) {
    // Present in /metrics from the start, at 0.
    options.metrics.webhookConnectionsRefused.inc({ limit }, 0);
    options.metrics.webhookConnectionsReclaimed.inc({ limit }, 0);
  }
  const sweeper = new Sweeper(connections, limits, shared, limitLog);
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sweeper.wake();
    onConnection(socket, allowList, shared, connections, limitLog);
  });
  // A failed listen (the port taken) is the caller's error to report, not a log line with a stack.
  await listen(server, options.host, options.port);
  server.on('error', (err) => options.logger.error({ err }, 'webhook listener error'));
  const port = addressPort(server);
  let closing: Promise<void> | null = null;
  return {
    host: options.host,
    port,
    url: `http://${formatHost(options.host)}:${port}`,
    close: () => (closing ??= closeListener(server, connections, sweeper).finally(() => shared.refusals.flush(Date.now()))),
  };
}

/** Defaults filled in; a negative or non-numeric limit, or a connection cap that cannot work, is a configuration error. */
function resolveLimits(overrides: Partial<WebhookLimits> | undefined): WebhookLimits {
  const limits = { ...DEFAULT_WEBHOOK_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`invalid webhook limit ${name}: ${String(value)}`);
  }
  checkConnectionCaps(limits.maxConnections, limits.maxConnectionsPerAddress);
  return limits;
}

function createShared(options: WebhookListenerOptions, limits: WebhookLimits): ListenerShared {
  const nextId = createIdGenerator();
  return {
    account: options.account,
    checkToken: options.checkToken ?? createTokenCheck(options.token ?? ''),
    onPreviousToken: options.onPreviousToken,
    accept: options.accept,
    logger: options.logger,
    refusals: new RefusalLog(options.logger),
    metrics: options.metrics,
    limits,
    rate: limits.ratePerSecond > 0 ? createRateLimiter(limits.ratePerSecond, limits.rateBurst) : null,
    nextId,
    lingerMs: Math.min(MAX_LINGER_MS, limits.idleTimeoutMs),
  };
}

function onConnection(socket: Socket, allowList: AllowList, shared: ListenerShared, connections: ConnectionTable<Connection>, limitLog: LimitLog): void {
  const address = socket.remoteAddress;
  if (address === undefined) {
    socket.destroy(); // already gone before we saw it
    return;
  }
  const ip = normaliseAddress(address);
  // Decided once per connection: the address cannot change, and it is the cheapest check.
  const connection = new Connection(socket, ip, allowList.allows(ip), shared);
  const metrics = shared.metrics;
  // Room is made (or the connection refused) before it is read from: a cap is never exceeded
  // by connections that are read (docs/webhook.md, Connection limits).
  const admission = connections.admit(connection);
  socket.on('close', () => {
    connections.release(connection);
    metrics.webhookConnections.set(connections.size);
  });
  metrics.webhookConnections.set(connections.size);
  if (admission.reclaimed.length === 0 && admission.refused === null) return;
  const now = Date.now();
  for (const { limit, occupant } of admission.reclaimed) {
    metrics.webhookConnectionsReclaimed.inc({ limit });
    limitLog.note('reclaimed', limit, occupant.sourceIp, now);
  }
  if (admission.refused !== null) {
    metrics.webhookConnectionsRefused.inc({ limit: admission.refused });
    limitLog.note('refused', admission.refused, ip, now);
    connection.refuse();
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * One timer for all connections instead of timers per request: the hot path only stores a
 * deadline number. The resolution is a quarter of the shortest timeout. It runs only while there
 * is something to watch (a connection, a log line still to write): an idle listener does not
 * wake (docs/architecture.md, Idle); a new connection starts it again.
 */
class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private lastPrune = Date.now();
  private closed = false;
  private readonly every: number;

  constructor(
    private readonly connections: ConnectionTable<Connection>,
    limits: WebhookLimits,
    private readonly shared: ListenerShared,
    private readonly limitLog: LimitLog,
  ) {
    const shortest = Math.min(limits.headersTimeoutMs, limits.idleTimeoutMs, shared.lingerMs);
    this.every = Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
  }

  /** Something to watch arrived (a connection): the sweep runs until all is quiet again. */
  wake(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setInterval(() => this.sweep(), this.every);
    this.timer.unref();
  }

  /** The listener is closing: the sweep runs on (lingering sockets are destroyed on time) until stop(). */
  stop(): void {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private sweep(): void {
    const now = Date.now();
    for (const connection of this.connections) {
      if (connection.deadlineKind !== 'none' && now >= connection.deadline) connection.onDeadline();
    }
    this.limitLog.tick(now);
    this.shared.refusals.tick(now);
    const quiet = this.connections.size === 0 && this.limitLog.quiet && this.shared.refusals.quiet;
    if (this.shared.rate !== null && (quiet || now - this.lastPrune >= RATE_PRUNE_EVERY_MS)) {
      this.shared.rate.prune(now);
      this.lastPrune = now;
    }
    if (!quiet) return;
    // A bucket left (not full yet) is still right when the sweep starts again: take() refills it by the time passed.
    clearInterval(this.timer!);
    this.timer = null;
  }
}

async function closeListener(server: Server, connections: ConnectionTable<Connection>, sweeper: Sweeper): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const connection of connections) connection.shutdown();
  // The sweeper keeps running so lingering sockets are destroyed on time.
  const grace = setTimeout(() => {
    for (const connection of connections) connection.destroy();
  }, CLOSE_GRACE_MS);
  grace.unref();
  try {
    await closed;
  } finally {
    clearTimeout(grace);
    sweeper.stop();
  }
}

function addressPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('webhook listener has no TCP address');
  return address.port;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
