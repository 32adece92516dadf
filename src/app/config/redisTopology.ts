import type { RedisNode, RedisTarget } from '../../adapters/redis/connection';

/**
 * Which Redis shared mode talks to (docs/redis.md, Sentinel and Cluster): one server by URL
 * (`redis.url`), a master found through Sentinel (`redis.sentinels` + `redis.sentinelMaster`),
 * or a Cluster (`redis.cluster`). Any of the three means shared call state; none: embedded.
 */

/** The part of the configuration that says where Redis is (RingsideConfig['redis'] has it). */
export interface RedisTopologySettings {
  url?: string;
  sentinels?: readonly string[];
  sentinelMaster?: string;
  cluster?: readonly string[];
  password?: string;
  callsDb: number;
  cacheDb: number;
}

/** True when the call state, push, sessions and cache are Redis's (shared mode), whichever topology. */
export function usesRedis(config: { redis: RedisTopologySettings }): boolean {
  const { url, sentinels, cluster } = config.redis;
  return url !== undefined || sentinels !== undefined || cluster !== undefined;
}

/** `host:port`, `[v6]:port`: the node, or null when it is not one. */
export function parseHostPort(entry: string): RedisNode | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(entry.trim());
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  return { host: match[1] ?? match[2]!, port };
}

const nodesOf = (entries: readonly string[]): RedisNode[] => entries.map((entry) => parseHostPort(entry)!);

/** Where connectRedis connects (the configuration was validated: the nodes parse). Null in embedded mode. */
export function redisTargetOf(config: { redis: RedisTopologySettings }): RedisTarget | null {
  const { url, sentinels, sentinelMaster, cluster, password } = config.redis;
  if (url !== undefined) return { kind: 'url', url };
  if (sentinels !== undefined) return { kind: 'sentinel', sentinels: nodesOf(sentinels), master: sentinelMaster!, password };
  if (cluster !== undefined) return { kind: 'cluster', nodes: nodesOf(cluster), password };
  return null;
}

/** `host:port`, an IPv6 address in brackets (`[::1]:6379`), as the settings are written. */
export function describeRedisNode(node: RedisNode): string {
  return node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`;
}

/**
 * What the settings screen and logs show for the target, with no secret in it: the URL as given
 * (masked by the caller), `sentinel://<master>@host:port,…` or `cluster://host:port,…`.
 */
export function describeRedisTarget(target: RedisTarget): string {
  const list = (nodes: readonly RedisNode[]) => nodes.map(describeRedisNode).join(',');
  switch (target.kind) {
    case 'url':
      return target.url;
    case 'sentinel':
      return `sentinel://${target.master}@${list(target.sentinels)}`;
    case 'cluster':
      return `cluster://${list(target.nodes)}`;
  }
}

interface Issue {
  path: string[];
  message: string;
}

/**
 * What is wrong with the topology settings together (each one alone is checked by the schema):
 * sentinels and master go together; one topology at most; a Cluster has only database 0; a
 * password is for Sentinel or Cluster (a URL carries its own).
 */
export function redisTopologyIssues(redis: RedisTopologySettings): Issue[] {
  const issues: Issue[] = [];
  const { url, sentinels, sentinelMaster, cluster, password } = redis;
  if (sentinels !== undefined && sentinelMaster === undefined) {
    issues.push({ path: ['sentinels'], message: 'needs redis.sentinelMaster (RINGSIDE_REDIS_SENTINEL_MASTER): the master name the sentinels monitor' });
  }
  if (sentinelMaster !== undefined && sentinels === undefined) {
    issues.push({ path: ['sentinelMaster'], message: 'needs redis.sentinels (RINGSIDE_REDIS_SENTINELS): the sentinels as host:port,…' });
  }
  const chosen = [url !== undefined && 'redis.url', sentinels !== undefined && 'redis.sentinels', cluster !== undefined && 'redis.cluster'].filter(Boolean);
  if (chosen.length > 1) {
    const path = cluster !== undefined ? 'cluster' : 'sentinels';
    issues.push({ path: [path], message: `${chosen.join(' and ')} are set: Redis is one of redis.url, redis.sentinels (with redis.sentinelMaster) or redis.cluster` });
  }
  if (cluster !== undefined) {
    // A Cluster has database 0 only: the key prefix keeps the call state and the cache apart there.
    if (redis.callsDb !== 0) issues.push({ path: ['callsDb'], message: 'does not apply to a Redis Cluster (it has database 0 only; the key prefix keeps things apart): leave it unset' });
    if (redis.cacheDb !== 1) issues.push({ path: ['cacheDb'], message: 'does not apply to a Redis Cluster (it has database 0 only; the key prefix keeps things apart): leave it unset' });
  }
  if (password !== undefined && sentinels === undefined && cluster === undefined) {
    issues.push({ path: ['password'], message: url !== undefined ? 'with redis.url the password goes in the URL (redis://:password@host:port)' : 'is for redis.sentinels or redis.cluster, and neither is set' });
  }
  return issues;
}
