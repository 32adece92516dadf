/**
 * Every setting, once: its key in the JSON files (and in `ringside config`), from which its
 * environment variable and its flag are derived by one rule (docs/architecture.md, Configuration):
 *
 *   key `webhook.maxConnectionsPerAddress`
 *   variable `RINGSIDE_` + the key in upper snake case, dots as `_`: `RINGSIDE_WEBHOOK_MAX_CONNECTIONS_PER_ADDRESS`
 *   flag `--` + the key in kebab case, dots as `-`: `--webhook-max-connections-per-address`
 *
 * Older spellings of a renamed setting (a key, a variable) are still read, with a one-line warning
 * naming the new one.
 */

export interface Setting {
  /** The JSON key, dotted for a nested one (`redis.url`). */
  readonly key: string;
  /** Comma-separated in a variable or flag; an array in a file. */
  readonly list?: boolean;
  /** Never printed: masked by `ringside config`, left out of error messages. */
  readonly secret?: boolean;
  /** Older keys of this setting, read with a warning. */
  readonly oldKeys?: readonly string[];
  /** Older variable names of this setting, read with a warning. */
  readonly oldVariables?: readonly string[];
}

export const SETTINGS: readonly Setting[] = [
  { key: 'dataDir' },
  { key: 'webhookToken', secret: true },
  { key: 'adminToken', secret: true },
  /** Deprecated as a whole (read as the webhook token only: loadConfig's resolveTokens). */
  { key: 'token', secret: true },
  { key: 'account' },
  { key: 'agent' },
  { key: 'webhook.host' },
  { key: 'webhook.port' },
  { key: 'webhook.maxConnections' },
  { key: 'webhook.maxConnectionsPerAddress' },
  { key: 'api.host' },
  { key: 'api.port' },
  { key: 'publicHost' },
  { key: 'phoneAllow', list: true },
  { key: 'phoneRateLimit', oldKeys: ['phoneRatePerSecond'] },
  { key: 'allowedOrigins', list: true },
  { key: 'database' },
  { key: 'secretsKeyFile' },
  { key: 'redis.url', oldVariables: ['REDIS_URL'] },
  { key: 'redis.sentinels', list: true, oldVariables: ['REDIS_SENTINELS'] },
  { key: 'redis.sentinelMaster', oldVariables: ['REDIS_SENTINEL_MASTER'] },
  { key: 'redis.cluster', list: true, oldVariables: ['REDIS_CLUSTER'] },
  { key: 'redis.password', secret: true },
  { key: 'redis.callsDb', oldVariables: ['REDIS_CALLS_DB'] },
  { key: 'redis.cacheDb', oldVariables: ['REDIS_CACHE_DB'] },
  { key: 'redis.keyPrefix', oldVariables: ['REDIS_KEY_PREFIX'] },
  { key: 'amqp.url', oldKeys: ['amqpUrl'], oldVariables: ['AMQP_URL'] },
  { key: 'amqp.exchange', oldVariables: ['AMQP_EXCHANGE'] },
  { key: 'amqp.queue', oldVariables: ['AMQP_QUEUE'] },
  { key: 'amqp.shards', oldVariables: ['AMQP_SHARDS'] },
  { key: 'amqp.queueType', oldVariables: ['AMQP_QUEUE_TYPE'] },
  { key: 'workers' },
  { key: 'missedDelayMs' },
  { key: 'transferWindowMs' },
  { key: 'heartbeatTtlMs' },
  { key: 'drainMs' },
  { key: 'phonePollMs' },
  { key: 'phoneTimeoutMs' },
  { key: 'sessionTtlMs' },
  { key: 'retentionDays' },
  { key: 'timezone' },
  { key: 'logLevel' },
  { key: 'logFile' },
  { key: 'defaultCountry' },
  { key: 'crmLookupUrl' },
  { key: 'crmLookupTimeoutMs' },
];

/**
 * RINGSIDE_ variables that are not settings: read by the command or the launcher themselves, or by
 * the tests and tools. Anything else with the prefix is a typo and stops Ringside.
 */
export const OTHER_VARIABLES: ReadonlyMap<string, string> = new Map([
  ['RINGSIDE_CONFIG', 'the user configuration file'],
  ['RINGSIDE_PROVISIONING_FILE', 'the machine configuration file'],
  ['RINGSIDE_PHONE_PASSWORD', 'the phone password for ringside provision'],
  ['RINGSIDE_HEADLESS', 'npm start: run headless'],
  ['RINGSIDE_TRY_ELECTRON_DOWNLOAD', 'npm start: fetch the Electron runtime'],
  ['RINGSIDE_ELECTRON_BINARY', 'npm start: the Electron runtime to use'],
  ['RINGSIDE_USE_BUILD', 'the command runs the built bundle'],
  ['RINGSIDE_WORKER_INDEX', 'ringside serve: set by serve on the worker processes it starts (RINGSIDE_WORKERS)'],
  ['RINGSIDE_CORE_API', 'the desktop app: the agent API of the core npm start started'],
  ['RINGSIDE_CHROMIUM', 'tests: the Chromium binary'],
  ['RINGSIDE_BIN', 'tools: the ringside command'],
  ['RINGSIDE_DOWN_SECONDS', 'tools: outage length'],
  ['RINGSIDE_SERVICE_WAIT_SECONDS', 'scripts/ensure-services.sh'],
]);

/** Variables of the tests' own (RINGSIDE_TEST_REDIS_URL, …) are not Ringside's settings. */
export const TEST_VARIABLE_PREFIX = 'RINGSIDE_TEST_';

const words = (key: string): string[] => key.split('.').flatMap((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(' '));

/** `webhook.maxConnections` → `RINGSIDE_WEBHOOK_MAX_CONNECTIONS`. */
export function variableOf(key: string): string {
  return `RINGSIDE_${words(key).join('_').toUpperCase()}`;
}

/** `webhook.maxConnections` → `webhook-max-connections` (the flag without its dashes). */
export function flagOf(key: string): string {
  return words(key).join('-');
}

export const SETTING_BY_VARIABLE: ReadonlyMap<string, Setting> = new Map(SETTINGS.map((s) => [variableOf(s.key), s]));
export const SETTING_BY_FLAG: ReadonlyMap<string, Setting> = new Map(SETTINGS.map((s) => [flagOf(s.key), s]));
export const SETTING_BY_KEY: ReadonlyMap<string, Setting> = new Map(SETTINGS.map((s) => [s.key, s]));
export const SETTING_BY_OLD_VARIABLE: ReadonlyMap<string, Setting> = new Map(SETTINGS.flatMap((s) => (s.oldVariables ?? []).map((v) => [v, s] as const)));
export const SETTING_BY_OLD_KEY: ReadonlyMap<string, Setting> = new Map(SETTINGS.flatMap((s) => (s.oldKeys ?? []).map((k) => [k, s] as const)));
/** Old flags: the flags of the old variables (`--amqp-url` is both), and of the old keys (`--phone-rate-per-second`). */
export const SETTING_BY_OLD_FLAG: ReadonlyMap<string, Setting> = new Map(
  SETTINGS.flatMap((s) => (s.oldKeys ?? []).map((k) => [flagOf(k), s] as const)).filter(([flag]) => !SETTING_BY_FLAG.has(flag)),
);

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The closest of `candidates` to a mistyped name, when close enough to be a typo: ` (did you mean X?)`, or ''. */
export function didYouMean(name: string, candidates: Iterable<string>, show: (candidate: string) => string = (c) => c): string {
  let best: string | null = null;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(2, Math.floor(name.length / 4));
  return best !== null && bestDistance <= allowed ? ` (did you mean ${show(best)}?)` : '';
}
