import { existsSync, readFileSync } from 'node:fs';
import { maskUrl } from '../../shared/maskUrl';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { usesRedis } from './redisTopology';
import { configSchema, type RingsideConfig, type TokenOrigin } from './schema';
import {
  didYouMean, flagOf, OTHER_VARIABLES, SETTING_BY_FLAG, SETTING_BY_KEY, SETTING_BY_OLD_FLAG, SETTING_BY_OLD_KEY, SETTING_BY_OLD_VARIABLE,
  SETTING_BY_VARIABLE, SETTINGS, TEST_VARIABLE_PREFIX, variableOf, type Setting,
} from './settings';
import { persistedToken, TokenFileError, type TokenKind } from './tokenFiles';

type Layer = Record<string, unknown>;

export class ConfigError extends Error {}

const DEFAULTS: Omit<RingsideConfig, 'dataDir' | 'webhookToken' | 'adminToken' | 'tokenOrigins' | 'warnings'> = {
  account: 'default',
  agent: 'me',
  webhook: { host: '0.0.0.0', port: 7789, maxConnections: 512, maxConnectionsPerAddress: 128 },
  api: { host: '127.0.0.1', port: 7790 },
  phoneAllow: [],
  phoneRateLimit: 200,
  allowedOrigins: [],
  redis: { callsDb: 0, cacheDb: 1, keyPrefix: 'cal' },
  amqp: { exchange: 'grandstream', queue: 'grandstream-queue', shards: 4, queueType: 'classic' },
  workers: 1,
  missedDelayMs: 5000,
  transferWindowMs: 120_000,
  heartbeatTtlMs: 90_000,
  drainMs: 0,
  phonePollMs: 5000,
  phoneTimeoutMs: 5000,
  sessionTtlMs: 12 * 60 * 60_000,
  retentionDays: 365,
  // The OS's zone (Intl reads TZ and the system setting); UTC when it names none.
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  logLevel: 'info',
  crmLookupTimeoutMs: 300,
};

/**
 * Where a value came from, for `ringside config --explain` and for error messages: the default,
 * the machine file (IT's), the user's file, the environment, a flag, or the caller's overrides.
 */
export interface ValueSource {
  kind: 'default' | 'machine file' | 'user file' | 'environment' | 'flag' | 'override';
  /** The variable or flag as written (`RINGSIDE_WEBHOOK_PORT`, `--webhook-port`), or the file's path. */
  name: string | null;
}

interface SourcedLayer {
  layer: Layer;
  sources: Map<string, ValueSource>;
}

function splitList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The warning for an old spelling that is still read. */
function deprecated(old: string, current: string, ignored: boolean): string {
  return `${old} is deprecated: use ${current}${ignored ? ` (ignored here: ${current} is set)` : ''}`;
}

/**
 * The environment's settings. A RINGSIDE_ variable that is neither a setting nor one of the few
 * others Ringside reads is a typo: an error naming it, with the closest setting.
 */
function environmentLayer(env: NodeJS.ProcessEnv, warnings: string[]): SourcedLayer {
  const out: SourcedLayer = { layer: {}, sources: new Map() };
  const set = (setting: Setting, name: string, raw: string) => {
    setPath(out.layer, setting.key, setting.list ? splitList(raw) : raw);
    out.sources.set(setting.key, { kind: 'environment', name });
  };
  for (const name of Object.keys(env)) {
    if (!name.startsWith('RINGSIDE_') || OTHER_VARIABLES.has(name) || name.startsWith(TEST_VARIABLE_PREFIX)) continue;
    if (!SETTING_BY_VARIABLE.has(name)) {
      throw new ConfigError(`unknown environment variable ${name}${didYouMean(name, [...SETTING_BY_VARIABLE.keys(), ...OTHER_VARIABLES.keys()])}: every RINGSIDE_ variable is listed in the README (Configuration)`);
    }
  }
  for (const [name, setting] of SETTING_BY_OLD_VARIABLE) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const current = variableOf(setting.key);
    const ignored = env[current] !== undefined && env[current] !== '';
    warnings.push(deprecated(name, current, ignored));
    if (!ignored) set(setting, name, raw);
  }
  for (const [name, setting] of SETTING_BY_VARIABLE) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') set(setting, name, raw);
  }
  return out;
}

/**
 * The settings given as flags (`--webhook-port 8000`, `--webhook-port=8000`); the command's own
 * flags are left to the command (cli/args.ts, which refuses unknown ones). A setting's flag
 * without a value (last, or followed by another flag) is an error.
 */
function flagLayer(argv: readonly string[], warnings: string[]): SourcedLayer {
  const out: SourcedLayer = { layer: {}, sources: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const oldSetting = SETTING_BY_OLD_FLAG.get(name);
    const setting = SETTING_BY_FLAG.get(name) ?? oldSetting;
    if (setting === undefined) continue;
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) value = argv[++i];
    if (value === undefined || value === '') throw new ConfigError(`--${name} needs a value (--${name} VALUE or --${name}=VALUE)`);
    if (oldSetting !== undefined) warnings.push(deprecated(`--${name}`, `--${flagOf(setting.key)}`, false));
    setPath(out.layer, setting.key, setting.list ? splitList(value) : value);
    out.sources.set(setting.key, { kind: 'flag', name: `--${flagOf(setting.key)}` });
  }
  return out;
}

const GROUPS = new Set(SETTINGS.map((s) => s.key).filter((k) => k.includes('.')).map((k) => k.split('.')[0]!));

/**
 * A JSON file's settings: nested (`{"redis": {"url": …}}`) or dotted (`{"redis.url": …}`). An
 * unknown key is an error naming it and the closest key; an old key is read with a warning.
 */
function fileLayer(file: string, kind: 'machine file' | 'user file', required: string | null, warnings: string[]): SourcedLayer {
  const out: SourcedLayer = { layer: {}, sources: new Map() };
  if (!existsSync(file)) {
    if (required !== null) throw new ConfigError(`${required} names ${file}, which does not exist`);
    return out;
  }
  let parsed: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    // An empty file (a fresh `touch config.json`, or /dev/null) sets nothing.
    parsed = text.trim() === '' ? {} : JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  } catch (error) {
    throw new ConfigError(`config file ${file}: ${(error as Error).message}`);
  }
  for (const [key, value] of dottedEntries(parsed as Layer)) {
    const oldSetting = SETTING_BY_OLD_KEY.get(key);
    const setting = SETTING_BY_KEY.get(key) ?? oldSetting;
    if (setting === undefined) {
      throw new ConfigError(`config file ${file}: unknown key "${key}"${didYouMean(key, SETTING_BY_KEY.keys(), (k) => `"${k}"`)}`);
    }
    if (oldSetting !== undefined) warnings.push(`${deprecated(`"${key}"`, `"${setting.key}"`, false)} (in ${file})`);
    setPath(out.layer, setting.key, value);
    out.sources.set(setting.key, { kind, name: file });
  }
  return out;
}

/** A file's or the caller's keys, dotted: `{"redis": {"url": …}}` and `{"redis.url": …}` both give `redis.url`. */
function dottedEntries(node: Layer): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(node)) {
    if (GROUPS.has(name) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value as Layer)) entries.push([`${name}.${inner}`, innerValue]);
    } else {
      entries.push([name, value]);
    }
  }
  return entries;
}

/** The caller's overrides (tests, the Electron shell): the keys of a file, old keys mapped. */
function overrideLayer(overrides: Layer, warnings: string[]): SourcedLayer {
  const out: SourcedLayer = { layer: {}, sources: new Map() };
  for (const [key, value] of dottedEntries(overrides)) {
    const oldSetting = SETTING_BY_OLD_KEY.get(key);
    if (oldSetting !== undefined) warnings.push(deprecated(`"${key}"`, `"${oldSetting.key}"`, false));
    const target = oldSetting?.key ?? key;
    setPath(out.layer, target, value);
    out.sources.set(target, { kind: 'override', name: null });
  }
  return out;
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

function deepMerge(base: Layer, over: Layer): Layer {
  const out: Layer = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    const bothObjects = [prev, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    out[key] = bothObjects ? deepMerge(prev as Layer, value as Layer) : value;
  }
  return out;
}

/** The one-line warning for the deprecated RINGSIDE_TOKEN, logged at start and printed by `ringside config`. */
export const LEGACY_TOKEN_WARNING = 'RINGSIDE_TOKEN (--token, "token") is deprecated: it is read as the webhook token only and is never the admin token; '
  + 'set RINGSIDE_WEBHOOK_TOKEN instead (the admin token is RINGSIDE_ADMIN_TOKEN or <data dir>/admin-token)';

/**
 * The webhook and admin tokens, configured or from their files in the data directory (generated
 * when missing; an old data directory's `token` becomes the webhook token). RINGSIDE_TOKEN, the
 * one token of older versions, is read as the webhook token only, with a warning.
 */
function resolveTokens(merged: Layer, dataDir: string, warnings: string[], invalid: (issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) => ConfigError): Record<TokenKind, TokenOrigin> {
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

/** Each setting's key and where its value came from (`ringside config --explain`). */
export type ConfigSources = ReadonlyMap<string, ValueSource>;

export function loadConfig(input: LoadConfigInput = {}): RingsideConfig {
  return loadConfigExplained(input).config;
}

/**
 * The configuration and where each value came from. Layers, lowest first: the defaults, the
 * machine file (IT's provisioning), the user's file, the environment, flags, the overrides.
 */
export function loadConfigExplained(input: LoadConfigInput = {}): { config: RingsideConfig; sources: ConfigSources } {
  const env = input.env ?? process.env;
  const warnings: string[] = [];
  const envLayer = environmentLayer(env, warnings);
  const flags = flagLayer(input.argv ?? [], warnings);
  const overrides = overrideLayer(input.overrides ?? {}, warnings);
  const provisioning = fileLayer(provisioningFile(env), 'machine file', null, warnings);
  const early = [provisioning, envLayer, flags, overrides].reduce((acc, l) => deepMerge(acc, l.layer), {} as Layer);
  const dataDir = String(early.dataDir ?? defaultDataDir(env));
  const configured = env.RINGSIDE_CONFIG !== undefined && env.RINGSIDE_CONFIG !== '';
  const user = fileLayer(configured ? env.RINGSIDE_CONFIG! : join(dataDir, 'config.json'), 'user file', configured ? 'RINGSIDE_CONFIG' : null, warnings);
  const sources = new Map<string, ValueSource>();
  let merged = DEFAULTS as unknown as Layer;
  for (const layer of [provisioning, user, envLayer, flags, overrides]) {
    merged = deepMerge(merged, layer.layer);
    for (const [key, source] of layer.sources) sources.set(key, source);
  }
  merged.dataDir = dataDir;
  if (!sources.has('dataDir')) sources.set('dataDir', { kind: 'default', name: null });
  // The log file defaults into the data directory; `ringside config` shows the path it is (docs/architecture.md, Logs).
  if (merged.logFile === undefined) {
    merged.logFile = join(dataDir, 'logs', 'ringside.log');
    sources.set('logFile', { kind: 'default', name: null });
  } else if (typeof merged.logFile === 'string' && merged.logFile !== 'off') {
    merged.logFile = resolve(merged.logFile);
  }
  const problems = (issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) => invalid(issues, sources, merged);
  // Checked before any token file is written: a configuration that cannot start creates nothing.
  const withoutTokenIssues = configSchema.omit({ webhookToken: true, adminToken: true }).safeParse(withoutTokens(merged));
  if (!withoutTokenIssues.success) throw problems(withoutTokenIssues.error.issues);
  const workers = workersProblem(withoutTokenIssues.data);
  if (workers !== null) throw problems([{ path: ['workers'], message: workers }]);
  const tokenOrigins = resolveTokens(merged, dataDir, warnings, problems);
  const result = configSchema.safeParse(merged);
  if (!result.success) throw problems(result.error.issues);
  if (tokenOrigins.webhook.legacy) sources.set('webhookToken', sources.get('token') ?? { kind: 'default', name: null });
  sources.delete('token');
  for (const kind of ['webhook', 'admin'] as const) {
    const origin = tokenOrigins[kind];
    if (origin.source === 'file') sources.set(`${kind}Token`, { kind: 'default', name: origin.file });
  }
  return { config: { ...result.data, tokenOrigins, warnings }, sources };
}

/**
 * Worker processes share a server's work only through the shard queues (one active consumer
 * each), and their calls' state and pushes only through Redis: a worker without a shard, or with
 * a call state or push hub of its own, would take nothing or show nothing.
 */
function workersProblem(config: Pick<z.infer<typeof configSchema>, 'workers' | 'amqp' | 'redis'>): string | null {
  if (config.workers === 1) return null;
  if (config.amqp.url === undefined || !usesRedis(config)) {
    return 'more than 1 worker needs RabbitMQ (RINGSIDE_AMQP_URL) and Redis (RINGSIDE_REDIS_URL): workers share the work only through the shard queues, and the call state and pushes through Redis';
  }
  if (config.workers > config.amqp.shards) {
    return `${config.workers} workers but ${config.amqp.shards} shard queues: each worker consumes whole shard queues, so the shard count is the ceiling: raise RINGSIDE_AMQP_SHARDS (the same on every server) or lower RINGSIDE_WORKERS`;
  }
  return null;
}

function withoutTokens(merged: Layer): Layer {
  const { token: _legacy, webhookToken: _webhook, adminToken: _admin, ...rest } = merged;
  return rest;
}

/** The setting a schema issue is about: the longest setting key its path starts with. */
function settingOfPath(path: readonly PropertyKey[]): string {
  for (let n = path.length; n > 0; n--) {
    const key = path.slice(0, n).map(String).join('.');
    if (SETTING_BY_KEY.has(key)) return key;
  }
  return path.map(String).join('.') || 'config';
}


/** Where a value came from, as a person would look for it: `RINGSIDE_WEBHOOK_PORT=abc`, `--webhook-port abc`, `in /etc/ringside/ringside.json`. */
export function describeSource(key: string, source: ValueSource | undefined, value: unknown): string {
  const setting = SETTING_BY_KEY.get(key);
  const shown = setting?.secret ? '…' : typeof value === 'string' ? maskUrl(value) : Array.isArray(value) ? value.join(',') : JSON.stringify(value);
  switch (source?.kind) {
    case 'environment':
      return `${source.name}=${shown}`;
    case 'flag':
      return `${source.name} ${shown}`;
    case 'machine file':
    case 'user file':
      return `in ${source.name}`;
    case 'override':
      return 'set by the caller';
    default:
      return 'default';
  }
}

function valueAt(merged: Layer, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (typeof node === 'object' && node !== null ? (node as Layer)[part] : undefined), merged);
}

function invalid(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>, sources: ConfigSources, merged: Layer): ConfigError {
  const problems = issues.map((i) => {
    const key = settingOfPath(i.path);
    return `${key} (${describeSource(key, sources.get(key), valueAt(merged, key))}): ${i.message}`;
  });
  return new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** The configuration with secrets masked, for `ringside config` and logs. */
export function maskedConfig(config: RingsideConfig): Record<string, unknown> {
  const { warnings: _warnings, ...shown } = config;
  const maskToken = (token: string) => `${token.slice(0, 4)}…(${token.length} chars)`;
  const maskOptional = (url: string | undefined) => (url === undefined ? undefined : maskUrl(url));
  return {
    ...shown,
    webhookToken: maskToken(config.webhookToken),
    adminToken: maskToken(config.adminToken),
    redis: { ...config.redis, url: maskOptional(config.redis.url), ...(config.redis.password !== undefined ? { password: '***' } : {}) },
    amqp: { ...config.amqp, url: maskOptional(config.amqp.url) },
    crmLookupUrl: maskOptional(config.crmLookupUrl),
    database: maskOptional(config.database),
  };
}
