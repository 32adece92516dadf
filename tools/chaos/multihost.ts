import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTopology, shardQueues } from '../../src/adapters/rabbitmq/topology';
import { SecretBox } from '../../src/shared/secretBox';
import { serverEnv } from './cluster';
import { makeHosts, type Hosts } from './hosts';
import { pollUntil } from './net';
import { PrivatePostgres } from './postgres';
import type { Cleanup } from './processes';
import { PrivateRabbitNode } from './rabbitNode';
import { PrivateRedis } from './redis';
import { RingsideProcess } from './ringside';

const SHARDS = 4;
const CONSUMERS_TIMEOUT_MS = 30_000;

/**
 * Several machines (docs/architecture.md, Several servers): a services host with the run's own
 * Redis, RabbitMQ and PostgreSQL bound to its address, and two Ringside servers, A and B, on hosts
 * of their own, each with its own data directory (its outbox), sharing the tokens, the secrets key,
 * the database, Redis and RabbitMQ. Used by `CHAOS_SCENARIO=multihost npm run chaos` and by
 * test/integration/multihost/twoServers.test.ts.
 */
export interface MultiHost {
  id: string;
  hosts: Hosts;
  redis: PrivateRedis;
  broker: PrivateRabbitNode;
  postgres: PrivatePostgres;
  /** A, then B. */
  servers: [RingsideProcess, RingsideProcess];
  keyPrefix: string;
  shardQueues: string[];
  deadLetterQueue: string;
  /** Both servers' admin token. */
  token: string;
  /** What the phones carry (both servers'). */
  webhookToken: string;
}

export interface MultiHostOptions {
  /** The run's directory: services' files, each server's data directory and log. */
  dir: string;
  cleanup: Cleanup;
  say: (line: string) => void;
  missedDelayMs: number;
  logLevel: string;
  /** Skip the namespaces (the loopback fallback, on purpose). */
  loopbackOnly?: boolean;
  useBuild?: boolean;
}

export async function startMultiHost(options: MultiHostOptions): Promise<MultiHost> {
  const { dir, cleanup, say } = options;
  if (!PrivateRabbitNode.available()) throw new Error('the multi-host scenario needs RabbitMQ\'s own start scripts (CHAOS_RABBITMQ_SCRIPTS, default /usr/lib/rabbitmq/bin) and epmd');
  const hosts = await makeHosts({ loopbackOnly: options.loopbackOnly, say });
  // Registered first, so it runs last: after every process in the namespaces was stopped.
  cleanup.add('the run\'s hosts (network namespaces and bridge)', () => hosts.teardown());
  const id = randomBytes(4).toString('hex');
  const prefix = `ringside-multihost-${id}`;
  const topology = resolveTopology({ exchange: prefix, queue: `${prefix}-q`, shards: SHARDS });
  for (const sub of ['redis', 'rabbitmq']) mkdirSync(join(dir, sub), { recursive: true });
  const [redis, broker, postgres] = await Promise.all([
    PrivateRedis.start(join(dir, 'redis'), cleanup, hosts.services),
    PrivateRabbitNode.start(id, join(dir, 'rabbitmq'), cleanup, hosts.services),
    PrivatePostgres.start(join(dir, 'postgres'), cleanup, hosts.services, hosts.subnet),
  ]);
  const databaseUrl = await postgres.createDatabase('ringside');
  say(`services host ${hosts.services.address}: redis :${redis.port}, ${broker.describe()}, ${postgres.describe()}`);

  const token = randomBytes(18).toString('base64url');
  const webhookToken = randomBytes(18).toString('base64url');
  const secretsKey = join(dir, 'secrets.key');
  writeFileSync(secretsKey, `${SecretBox.generateKey().toString('base64')}\n`, { mode: 0o600 });
  const shared = serverEnv({
    dir, token, webhookToken, database: databaseUrl, missedDelayMs: options.missedDelayMs, logLevel: options.logLevel,
    redisUrl: redis.url, keyPrefix: prefix, amqpUrl: broker.amqpUrl, topology, useBuild: options.useBuild ?? false,
  });
  const startServer = (index: 0 | 1) => {
    const host = hosts.servers[index];
    const dataDir = join(dir, `server-${host.name}`);
    mkdirSync(dataDir, { recursive: true });
    // One key for every server of the database (docs/architecture.md, Files on disk): a copy in each data directory.
    copyFileSync(secretsKey, join(dataDir, 'secrets.key'));
    return RingsideProcess.start(`server-${host.name}`, dataDir, {
      ...shared,
      RINGSIDE_DATA_DIR: dataDir,
      RINGSIDE_SECRETS_KEY_FILE: join(dataDir, 'secrets.key'),
      RINGSIDE_WEBHOOK_HOST: host.address,
      RINGSIDE_API_HOST: host.address,
      RINGSIDE_PUBLIC_HOST: host.address,
    }, cleanup, host);
  };
  const queues = shardQueues(topology);
  // A first, and B only once A is the active consumer of every shard queue: B then waits on all
  // of them, handles nothing while A lives, and any event B handles after A's kill is a takeover.
  const a = await startServer(0);
  const aActive = await pollUntil(async () => (await shardOwners(broker, [a], queues)).every((owner) => owner === 0), CONSUMERS_TIMEOUT_MS, 250);
  if (!aActive) throw new Error(`${a.name} did not become the active consumer of every shard queue within ${CONSUMERS_TIMEOUT_MS} ms`);
  const b = await startServer(1);
  for (const server of [a, b]) say(`${server.name} on host ${server.host.name}: pid ${server.pid}, webhook ${server.webhookUrl}, agent API ${server.apiUrl}, data ${server.dataDir}`);
  return { id, hosts, redis, broker, postgres, servers: [a, b], keyPrefix: prefix, shardQueues: queues, deadLetterQueue: topology.deadLetterQueue, token, webhookToken };
}

/**
 * For each shard queue, the index in `servers` of its active consumer (single active consumer),
 * or null (none, or not one of them): the broker's consumer, by its connection's client address
 * and port, matched with the server's host address and its own sockets.
 */
export async function shardOwners(broker: PrivateRabbitNode, servers: RingsideProcess[], queues: string[]): Promise<Array<number | null>> {
  const active = await broker.activeConsumers();
  const sockets = servers.map((server) => server.clientPorts());
  return queues.map((queue) => {
    const consumer = active.get(queue);
    if (!consumer) return null;
    const index = servers.findIndex((server, i) => sockets[i]!.has(consumer.port) && [server.host.address, '127.0.0.1'].includes(consumer.address));
    return index >= 0 ? index : null;
  });
}
