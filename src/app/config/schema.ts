import { basename } from 'node:path';
import { z } from 'zod';
import { isCrmUrlTemplate } from '../../adapters/crm/HttpCrmLookup';
import { createAllowList } from '../../adapters/webhook/allowList';
import { isCountryCode } from '../../domain/directory/numbers';
import { isTimeZone } from '../../protocol/days';
import { parseHostPort, redisTopologyIssues } from './redisTopology';
import { tokenProblem, type TokenKind } from './tokenFiles';

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().positive();

const token = () => z.string().superRefine((value, ctx) => {
  const problem = tokenProblem(value);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/** RINGSIDE_PHONE_ALLOW: each entry a CIDR or an address, checked here (not only when the listener opens) so `ringside config` and `serve` agree. */
/** `mysql` of `mysql://host/db`; null for a file path (C:\\data\\ringside.db included). */
function urlScheme(value: string): string | null {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase() ?? null;
}

const allowEntry = z.string().min(1).superRefine((entry, ctx) => {
  try {
    createAllowList([entry]);
  } catch {
    ctx.addIssue({ code: 'custom', message: `'${entry}' is not an IPv4 or IPv6 address or CIDR range (like 192.168.1.0/24)` });
  }
});

/** One Sentinel or Cluster node. */
const redisNode = z.string().superRefine((entry, ctx) => {
  if (parseHostPort(entry) === null) ctx.addIssue({ code: 'custom', message: `'${entry}' is not host:port (like 10.0.0.5:26379)` });
});

/** The effective configuration (docs/architecture.md, Configuration). Every field has a default but the tokens and data dir. */
export const configSchema = z.strictObject({
  dataDir: z.string().min(1),
  /** What phones carry in their Action URLs: it only delivers phone events (docs/webhook.md, Token). */
  webhookToken: token(),
  /** The agent API's admin (docs/agent-api.md); never the webhook token. */
  adminToken: token(),
  account: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1 to 64 letters, digits, _ . - only'),
  agent: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, '1 to 64 letters, digits, _ . @ - only'),
  webhook: z
    .strictObject({
      host: z.string().min(1),
      port,
      /** Open phone connections in all, and per source address (docs/webhook.md, Connection limits). */
      maxConnections: z.coerce.number().int().min(1).max(100_000),
      maxConnectionsPerAddress: z.coerce.number().int().min(1).max(100_000),
    })
    .refine((w) => w.maxConnectionsPerAddress <= w.maxConnections, {
      path: ['maxConnectionsPerAddress'],
      message: 'must not exceed webhook.maxConnections (RINGSIDE_WEBHOOK_MAX_CONNECTIONS): a cap per address below the total keeps one source from taking every connection',
    }),
  api: z.strictObject({ host: z.string().min(1), port }),
  /** The address phones use to reach this machine (for `ringside action-urls`); detected when unset. */
  publicHost: z.string().min(1).optional(),
  phoneAllow: z.array(allowEntry),
  /** Requests per second per phone address, after a burst; 0: no limit. */
  phoneRateLimit: z.coerce.number().int().min(0),
  allowedOrigins: z.array(z.string().url()),
  /**
   * The call log, directory, passwords, sessions and queues: a SQLite file (several processes on one
   * machine may share it; default <dataDir>/ringside.db), or a PostgreSQL server (`postgres://…`)
   * that several servers share (docs/architecture.md, Several servers).
   */
  database: z.string().min(1).superRefine((value, ctx) => {
    const scheme = urlScheme(value);
    if (scheme !== null && scheme !== 'postgres' && scheme !== 'postgresql') {
      ctx.addIssue({ code: 'custom', message: `${scheme}:// is not a database Ringside can use: give a SQLite file path, or a postgres:// URL` });
    }
  }).optional(),
  /** The key sealing phone web passwords; default secrets.key beside the SQLite file, or in the data directory with PostgreSQL (the same file on every server). */
  secretsKeyFile: z.string().min(1).optional(),
  /** Where Redis is (one of url, sentinels + sentinelMaster, cluster: redisTopology.ts); none: embedded. */
  redis: z.strictObject({
    url: z.string().url().optional(),
    /** Sentinels (host:port) that find the master named sentinelMaster; they follow its failover. */
    sentinels: z.array(redisNode).min(1).optional(),
    sentinelMaster: z.string().min(1).optional(),
    /** Seed nodes (host:port) of a Redis Cluster: database 0 only, so callsDb and cacheDb stay at their defaults. */
    cluster: z.array(redisNode).min(1).optional(),
    /** The Redis servers' password with sentinels or a cluster (a URL carries its own). */
    password: z.string().min(1).optional(),
    callsDb: z.coerce.number().int().min(0),
    cacheDb: z.coerce.number().int().min(0),
    /** Root of every key (`<root>:account:{<account>}:…`); only changed to keep installs or test runs apart on one server. */
    keyPrefix: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1 to 64 letters, digits, _ . - only'),
  }).superRefine((redis, ctx) => {
    for (const issue of redisTopologyIssues(redis)) ctx.addIssue({ code: 'custom', ...issue });
  }),
  amqp: z.strictObject({
    /** The shared event bus (RabbitMQ); unset: embedded. */
    url: z.string().url().optional(),
    exchange: z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/),
    queue: z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/),
    /** Queues the events are spread over by call; each has one active consumer, so a call's events stay in order. */
    shards: z.coerce.number().int().min(1).max(64),
    /** `quorum` on a RabbitMQ cluster (replicated, with a delivery limit); the same on every process (docs/architecture.md, Failures and outages: Quorum queues). */
    queueType: z.enum(['classic', 'quorum']),
  }),
  /**
   * Processes consuming the shard queues on this server (`ringside serve`): the serve process and
   * workers-1 worker processes it starts, each taking the shards i with i % workers == its index.
   * At most amqp.shards, and above 1 only with RabbitMQ and Redis (loadConfig: workersProblem).
   */
  workers: z.coerce.number().int().min(1).max(64),
  missedDelayMs: positiveMs,
  transferWindowMs: positiveMs,
  heartbeatTtlMs: positiveMs,
  /**
   * On a stop, how long /healthz answers 503 `draining` before the listeners close, so a load
   * balancer takes this server out first (docs/architecture.md, Failures and outages); 0 on a desktop.
   */
  drainMs: z.coerce.number().int().min(0).max(60_000),
  /** While a call is up on a phone Ringside may drive, its status is read this often. */
  phonePollMs: z.coerce.number().int().min(1000).max(600_000),
  /** Every request to a phone's web API is abandoned after this long. */
  phoneTimeoutMs: z.coerce.number().int().min(500).max(60_000),
  sessionTtlMs: positiveMs,
  retentionDays: z.coerce.number().int().min(1),
  /** The seat's IANA time zone (`Europe/Madrid`): statistics count its local days; default the OS's zone. */
  timezone: z.string().trim().refine(isTimeZone, 'an IANA time zone, e.g. Europe/Madrid or America/New_York'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /**
   * The rotating log file (docs/architecture.md, Logs), or `off`: loadConfig fills in
   * `<dataDir>/logs/ringside.log`. Files are named after it: `ringside.<date>.<n>.log`.
   */
  logFile: z.string().min(1).refine((v) => v === 'off' || !/[<>:"|?*]/.test(basename(v)), 'RINGSIDE_LOG_FILE: a file path (its name without < > : " | ? *), or off').optional(),
  /** ISO 3166 alpha-2 country of national numbers (`PK`: `03001234567` is `+923001234567`); unset: none. */
  defaultCountry: z
    .string()
    .transform((v) => v.trim().toUpperCase())
    .refine(isCountryCode, 'an ISO 3166 alpha-2 country code, e.g. PK')
    .optional(),
  /** Caller cards from a CRM: an http(s) URL with `{number}` (the URL-encoded E.164 number); unset: no CRM. */
  crmLookupUrl: z.string().refine(isCrmUrlTemplate, 'an http(s) URL with {number} in it').optional(),
  /** How long a popup may wait for the CRM. */
  crmLookupTimeoutMs: z.coerce.number().int().positive().max(10_000),
});

/** Where a token came from: configured (environment, flag, config file), or its file in the data directory. */
export interface TokenOrigin {
  source: 'configured' | 'file';
  /** The file it is kept in (source `file`); null when configured. */
  file: string | null;
  /** Configured through RINGSIDE_TOKEN (`--token`, `"token"`): read as the webhook token, deprecated. */
  legacy: boolean;
}

/**
 * The validated configuration, plus what loadConfig found out on the way: where each token came
 * from (a configured token is not rotated by Ringside) and the warnings to log once at start and
 * print with `ringside config` (a deprecated setting in use).
 */
export type RingsideConfig = z.infer<typeof configSchema> & {
  tokenOrigins: Readonly<Record<TokenKind, TokenOrigin>>;
  warnings: readonly string[];
};

