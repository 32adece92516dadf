// What the admin console's System section says about the services this Ringside keeps its data
// and call state in, in words IT reads: "PostgreSQL at db1:5432/ringside", "Sentinel: master
// mymaster via …". The values come from GET /api/settings (src/api/settingsView.ts).
import type { SettingsView } from './api/types';

type DatabaseSetting = NonNullable<SettingsView['database']>;
type RedisSetting = NonNullable<SettingsView['redis']>;
type AmqpSetting = NonNullable<SettingsView['amqp']>;

/** Where the call history is kept, in one line (a SQLite file's path is shown beside it). */
export function databaseText(database: DatabaseSetting): string {
  if (database.kind === 'sqlite') return 'SQLite file on this computer';
  const { host, port, name } = database;
  if (host === null) return `PostgreSQL${name === null ? '' : `, database ${name}`}`;
  // A host starting with / is a socket directory (the URL's ?host=).
  if (host.startsWith('/')) return `PostgreSQL through the socket in ${host}${name === null ? '' : `, database ${name}`}`;
  return `PostgreSQL at ${host}${port === null ? '' : `:${port}`}${name === null ? '' : `/${name}`}`;
}

/** The lines beside Redis: where it is (URL, Sentinel's master and sentinels, a Cluster's nodes), its databases, the key prefix. */
export function redisDetails(redis: RedisSetting): string[] {
  const nodes = (redis.nodes ?? []).join(', ');
  const where = redis.topology === 'sentinel' ? `Sentinel: master ${redis.master ?? '?'} via ${nodes}`
    : redis.topology === 'cluster' ? `Cluster: ${nodes}`
      : redis.url;
  // A Cluster has database 0 only: the key prefix keeps the call state and the cache apart.
  const databases = redis.callsDb === undefined ? null : `call state in DB ${redis.callsDb}, directory cache in DB ${redis.cacheDb ?? '?'}`;
  return [where, databases, `key prefix ${redis.keyPrefix}`].filter((line): line is string => line !== null && line !== undefined && line !== '');
}

/** The lines beside RabbitMQ: URL, exchange, the shard queues and their type. */
export function rabbitDetails(amqp: AmqpSetting): string[] {
  const queueType = amqp.queueType === 'quorum' ? 'quorum queues (replicated)' : 'classic queues';
  return [amqp.url, `exchange ${amqp.exchange}`, `queue ${amqp.queue} ×${amqp.shards}`, queueType].filter((line): line is string => line !== undefined);
}
