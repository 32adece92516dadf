import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { configSchema, type RingsideConfig, type TokenOrigin } from './schema';
import { persistedToken, TokenFileError, type TokenKind } from './tokenFiles';

type Layer = Record<string, unknown>;

export class ConfigError extends Error {}

const DEFAULTS: Omit<RingsideConfig, 'dataDir' | 'webhookToken' | 'adminToken' | 'tokenOrigins' | 'warnings'> = {
  account: 'default',
  agent: 'me',
  webhook: { host: '0.0.0.0', port: 7789, maxConnections: 512, maxConnectionsPerAddress: 128 },
  api: { host: '127.0.0.1', port: 7790 },
  phoneAllow: [],
  phoneRatePerSecond: 200,
  allowedOrigins: [],
  redis: { callsDb: 0, cacheDb: 1, keyPrefix: 'cal' },
  amqp: { exchange: 'grandstream', queue: 'grandstream-queue', shards: 4 },
  missedDelayMs: 5000,
  transferWindowMs: 120_000,
  heartbeatTtlMs: 90_000,
  phonePollMs: 5000,
  phoneTimeoutMs: 5000,
  sessionTtlMs: 12 * 60 * 60_000,
  retentionDays: 365,
  logLevel: 'info',
  crmLookupTimeoutMs: 300,
};

/** Environment variables (docs/architecture.md, Configuration) and where they land in the config. */
const ENV_PATHS: Record<string, string> = {
  RINGSIDE_DATA_DIR: 'dataDir',
  RINGSIDE_WEBHOOK_TOKEN: 'webhookToken',
  RINGSIDE_ADMIN_TOKEN: 'adminToken',
  /** Deprecated: read as the webhook token (tokens.legacy below); never the admin token. */
  RINGSIDE_TOKEN: 'token',
  RINGSIDE_ACCOUNT: 'account',
  RINGSIDE_AGENT: 'agent',
  RINGSIDE_WEBHOOK_HOST: 'webhook.host',
  RINGSIDE_WEBHOOK_PORT: 'webhook.port',
  RINGSIDE_WEBHOOK_MAX_CONNECTIONS: 'webhook.maxConnections',
  RINGSIDE_WEBHOOK_MAX_CONNECTIONS_PER_ADDRESS: 'webhook.maxConnectionsPerAddress',
  RINGSIDE_API_HOST: 'api.host',
  RINGSIDE_API_PORT: 'api.port',
  RINGSIDE_PUBLIC_HOST: 'publicHost',
  RINGSIDE_PHONE_ALLOW: 'phoneAllow',
  RINGSIDE_PHONE_RATE_LIMIT: 'phoneRatePerSecond',
  RINGSIDE_ALLOWED_ORIGINS: 'allowedOrigins',
  RINGSIDE_DATABASE: 'database',
  REDIS_URL: 'redis.url',
  REDIS_CALLS_DB: 'redis.callsDb',
  REDIS_CACHE_DB: 'redis.cacheDb',
  REDIS_KEY_PREFIX: 'redis.keyPrefix',
  AMQP_URL: 'amqpUrl',
  AMQP_EXCHANGE: 'amqp.exchange',
  AMQP_QUEUE: 'amqp.queue',
  AMQP_SHARDS: 'amqp.shards',
  RINGSIDE_MISSED_DELAY_MS: 'missedDelayMs',
  RINGSIDE_TRANSFER_WINDOW_MS: 'transferWindowMs',
  RINGSIDE_HEARTBEAT_TTL_MS: 'heartbeatTtlMs',
  RINGSIDE_PHONE_POLL_MS: 'phonePollMs',
  RINGSIDE_PHONE_TIMEOUT_MS: 'phoneTimeoutMs',
  RINGSIDE_SESSION_TTL_MS: 'sessionTtlMs',
  RINGSIDE_RETENTION_DAYS: 'retentionDays',
  RINGSIDE_LOG_LEVEL: 'logLevel',
  RINGSIDE_DEFAULT_COUNTRY: 'defaultCountry',
  RINGSIDE_CRM_LOOKUP_URL: 'crmLookupUrl',
  RINGSIDE_CRM_LOOKUP_TIMEOUT_MS: 'crmLookupTimeoutMs',
};

const LIST_PATHS = new Set(['phoneAllow', 'allowedOrigins']);

/** CLI flags are the environment names in kebab case without the prefix: --webhook-port, --redis-url. */
const FLAG_OPTIONS = Object.fromEntries(
  Object.keys(ENV_PATHS).map((name) => [flagName(name), { type: 'string' as const }]),
);

function flagName(envName: string): string {
  return envName.replace(/^RINGSIDE_/, '').toLowerCase().replaceAll('_', '-');
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Ringside');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Ringside');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Ringside');
}

/** The per-machine file IT deploys; lower precedence than the user's own file. */
export function provisioningFile(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.RINGSIDE_PROVISIONING_FILE) return env.RINGSIDE_PROVISIONING_FILE;
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'Ringside', 'ringside.json');
  return '/etc/ringside/ringside.json';
}

function setPath(target: Layer, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] = typeof node[part] === 'object' && node[part] !== null ? node[part] : {};
    node = node[part] as Layer;
  }
  node[parts.at(-1)!] = value;
}

function layerFromPairs(pairs: Array<[string, string | undefined]>): Layer {
  const layer: Layer = {};
  for (const [name, raw] of pairs) {
    const path = ENV_PATHS[name];
    if (path === undefined || raw === undefined || raw === '') continue;
    setPath(layer, path, LIST_PATHS.has(path) ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw);
  }
  return layer;
}

function deepMerge(base: Layer, over: Layer): Layer {
  const out: Layer = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    const bothObjects = [prev, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    out[key] = bothObjects ? deepMerge(prev as Layer, value as Layer) : value;
  }
  return out;
}

function readJsonLayer(file: string): Layer {
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Layer;
  } catch (error) {
    throw new ConfigError(`config file ${file}: ${(error as Error).message}`);
  }
}

/** The one-line warning for the deprecated RINGSIDE_TOKEN, logged at start and printed by `ringside config`. */
export const LEGACY_TOKEN_WARNING = 'RINGSIDE_TOKEN (--token, "token") is deprecated: it is read as the webhook token only and is never the admin token; '
  + 'set RINGSIDE_WEBHOOK_TOKEN instead (the admin token is RINGSIDE_ADMIN_TOKEN or <data dir>/admin-token)';

/**
 * The webhook and admin tokens, configured or from their files in the data directory (generated
 * when missing; an old data directory's `token` becomes the webhook token). RINGSIDE_TOKEN, the
 * one token of older versions, is read as the webhook token only, with a warning.
 */
function resolveTokens(merged: Layer, dataDir: string, warnings: string[]): Record<TokenKind, TokenOrigin> {
  const legacy = merged.token;
  delete merged.token;
  const legacyUsed = legacy !== undefined && merged.webhookToken === undefined;
  if (legacy !== undefined) {
    warnings.push(legacyUsed ? LEGACY_TOKEN_WARNING : `${LEGACY_TOKEN_WARNING} (ignored here: RINGSIDE_WEBHOOK_TOKEN is set)`);
    if (legacyUsed) merged.webhookToken = legacy;
  }
  const origin = (kind: TokenKind, key: 'webhookToken' | 'adminToken'): TokenOrigin => {
    if (merged[key] !== undefined) return { source: 'configured', file: null, legacy: kind === 'webhook' && legacyUsed };
    try {
      const persisted = persistedToken(dataDir, kind);
      merged[key] = persisted.value;
      return { source: 'file', file: persisted.file, legacy: false };
    } catch (error) {
      if (error instanceof TokenFileError) throw new ConfigError(error.message);
      throw new ConfigError(`the ${kind} token in ${dataDir}: ${(error as Error).message}`);
    }
  };
  // Configured tokens are checked before any file is generated: a configuration that cannot start creates nothing.
  const configured = configSchema.pick({ webhookToken: true, adminToken: true }).partial().safeParse(
    Object.fromEntries(['webhookToken', 'adminToken'].filter((key) => merged[key] !== undefined).map((key) => [key, merged[key]])),
  );
  if (!configured.success) throw invalid(configured.error.issues);
  const origins = { webhook: origin('webhook', 'webhookToken'), admin: origin('admin', 'adminToken') };
  if (merged.webhookToken === merged.adminToken) {
    throw new ConfigError('the admin token (RINGSIDE_ADMIN_TOKEN) must differ from the webhook token the phones carry (RINGSIDE_WEBHOOK_TOKEN, RINGSIDE_TOKEN)');
  }
  return origins;
}

export interface LoadConfigInput {
  env?: NodeJS.ProcessEnv;
  argv?: string[];
  /** Extra values on top of everything (tests, the Electron shell). */
  overrides?: Layer;
}

export function loadConfig(input: LoadConfigInput = {}): RingsideConfig {
  const env = input.env ?? process.env;
  const { values } = parseArgs({ args: input.argv ?? [], options: FLAG_OPTIONS, strict: false, allowPositionals: true });
  const flagPairs = Object.keys(ENV_PATHS).map((name): [string, string | undefined] => {
    const v = values[flagName(name)];
    return [name, typeof v === 'string' ? v : undefined];
  });
  const envLayer = layerFromPairs(Object.keys(ENV_PATHS).map((name) => [name, env[name]]));
  const flagLayer = layerFromPairs(flagPairs);
  const provisioning = readJsonLayer(provisioningFile(env));
  const early = deepMerge(deepMerge(deepMerge(provisioning, envLayer), flagLayer), input.overrides ?? {});
  const dataDir = String(early.dataDir ?? defaultDataDir(env));
  const userFile = env.RINGSIDE_CONFIG ?? join(dataDir, 'config.json');
  let merged = deepMerge(DEFAULTS as unknown as Layer, provisioning);
  for (const layer of [readJsonLayer(userFile), envLayer, flagLayer, input.overrides ?? {}]) merged = deepMerge(merged, layer);
  merged.dataDir = dataDir;
  const warnings: string[] = [];
  // Checked before any token file is written: a configuration that cannot start creates nothing.
  const withoutTokenIssues = configSchema.omit({ webhookToken: true, adminToken: true }).safeParse(withoutTokens(merged));
  if (!withoutTokenIssues.success) throw invalid(withoutTokenIssues.error.issues);
  const tokenOrigins = resolveTokens(merged, dataDir, warnings);
  const result = configSchema.safeParse(merged);
  if (!result.success) throw invalid(result.error.issues);
  return { ...result.data, tokenOrigins, warnings };
}

function withoutTokens(merged: Layer): Layer {
  const { token: _legacy, webhookToken: _webhook, adminToken: _admin, ...rest } = merged;
  return rest;
}

function invalid(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): ConfigError {
  const problems = issues.map((i) => `${i.path.map(String).join('.') || 'config'}: ${i.message}`);
  return new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** The configuration with secrets masked, for `ringside config` and logs. */
export function maskedConfig(config: RingsideConfig): Record<string, unknown> {
  const { warnings: _warnings, ...shown } = config;
  const maskToken = (token: string) => `${token.slice(0, 4)}…(${token.length} chars)`;
  const maskUrl = (url: string | undefined) => url?.replace(/\/\/([^:@/]*):([^@/]*)@/, '//$1:***@');
  return {
    ...shown,
    webhookToken: maskToken(config.webhookToken),
    adminToken: maskToken(config.adminToken),
    redis: { ...config.redis, url: maskUrl(config.redis.url) },
    amqpUrl: maskUrl(config.amqpUrl),
    crmLookupUrl: maskUrl(config.crmLookupUrl),
  };
}
