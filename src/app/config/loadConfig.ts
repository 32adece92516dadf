import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { configSchema, type RingsideConfig } from './schema';

type Layer = Record<string, unknown>;

export class ConfigError extends Error {}

const DEFAULTS: Omit<RingsideConfig, 'dataDir' | 'token'> = {
  account: 'default',
  agent: 'me',
  webhook: { host: '0.0.0.0', port: 7789 },
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
  RINGSIDE_TOKEN: 'token',
  RINGSIDE_ACCOUNT: 'account',
  RINGSIDE_AGENT: 'agent',
  RINGSIDE_WEBHOOK_HOST: 'webhook.host',
  RINGSIDE_WEBHOOK_PORT: 'webhook.port',
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

/** The webhook/admin token: generated at first start and kept in the data dir when not configured. */
function persistedToken(dataDir: string): string {
  const file = join(dataDir, 'token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return token;
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
  merged.token ??= persistedToken(dataDir);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/** The configuration with secrets masked, for `ringside config` and logs. */
export function maskedConfig(config: RingsideConfig): Record<string, unknown> {
  const maskUrl = (url: string | undefined) => url?.replace(/\/\/([^:@/]*):([^@/]*)@/, '//$1:***@');
  return {
    ...config,
    token: `${config.token.slice(0, 4)}…(${config.token.length} chars)`,
    redis: { ...config.redis, url: maskUrl(config.redis.url) },
    amqpUrl: maskUrl(config.amqpUrl),
    crmLookupUrl: maskUrl(config.crmLookupUrl),
  };
}
