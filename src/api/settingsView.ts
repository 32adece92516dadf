import { maskUrl } from '../shared/maskUrl';
import type { RingsideConfig } from '../app/config/schema';
import { describeRedisNode, describeRedisTarget, redisTargetOf } from '../app/config/redisTopology';
import { databaseOf } from '../app/stores';
import { isPostgresUrl } from '../adapters/postgres/database';
import type { AmqpSetting, DatabaseSetting, RedisSetting } from '../protocol/responses';

/**
 * The shared services as GET /api/settings shows them (docs/agent-api.md, Settings): never a
 * password (`ringside config`'s masking, loadConfig.ts maskedConfig), and where a service is
 * (URL, hosts, file) only to whoever administers Ringside (`admin`): an agent is not shown hosts.
 */

/** The database URL with every password masked (src/shared/maskUrl.ts). */
export function maskedDatabaseUrl(config: RingsideConfig): string {
  return maskUrl(databaseOf(config));
}

/** Host, port and database name of a postgres:// URL, null where it does not say (pg's defaults) or does not parse. */
function postgresLocation(url: string): Pick<Extract<DatabaseSetting, { kind: 'postgres' }>, 'host' | 'port' | 'name'> {
  try {
    const parsed = new URL(url);
    // `?host=/run/postgresql` names a socket directory, and wins over the URL's host.
    const host = parsed.searchParams.get('host') ?? (parsed.hostname === '' ? null : parsed.hostname);
    const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    return { host, port: parsed.port === '' ? null : Number(parsed.port), name: name === '' ? null : name };
  } catch {
    return { host: null, port: null, name: null };
  }
}

/** Where the call history, directory and sign-ins are kept (RINGSIDE_DATABASE; stores.ts opens it). */
export function databaseSetting(config: RingsideConfig): DatabaseSetting {
  const database = databaseOf(config);
  if (!isPostgresUrl(database)) return { kind: 'sqlite', file: database };
  return { kind: 'postgres', url: maskedDatabaseUrl(config), ...postgresLocation(database) };
}

/** Redis in shared mode, or null (embedded). A Cluster has no database numbers: database 0 only. */
export function redisSetting(config: RingsideConfig, admin: boolean): RedisSetting | null {
  const target = redisTargetOf(config);
  if (!target) return null;
  const { callsDb, cacheDb, keyPrefix } = config.redis;
  const topology = target.kind === 'url' ? 'server' : target.kind;
  const databases = target.kind === 'cluster' ? {} : { callsDb, cacheDb };
  if (!admin) return { topology, ...databases, keyPrefix };
  // The URL as given with its password masked; Sentinel and Cluster carry none (the password is a setting of its own).
  const url = target.kind === 'url' ? maskUrl(target.url) : describeRedisTarget(target);
  const where = target.kind === 'sentinel'
    ? { master: target.master, nodes: target.sentinels.map(describeRedisNode) }
    : target.kind === 'cluster' ? { nodes: target.nodes.map(describeRedisNode) } : {};
  return { topology, url, ...where, ...databases, keyPrefix };
}

/** The RabbitMQ bus, or null (the local spool is the bus). */
export function amqpSetting(config: RingsideConfig, admin: boolean): AmqpSetting | null {
  if (!config.amqp.url) return null;
  const { exchange, queue, shards, queueType } = config.amqp;
  return { ...(admin ? { url: maskUrl(config.amqp.url) } : {}), exchange, queue, shards, queueType };
}
