import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTopology, shardQueues, type BusTopology } from '../../src/adapters/rabbitmq/topology';
import { ProxyBroker, type BrokerNames, type ChaosBroker } from './broker';
import type { ChaosConfig } from './config';
import { assertLoopbackUrl } from './net';
import type { Cleanup } from './processes';
import { PrivateRabbitNode } from './rabbitNode';
import { PrivateRedis } from './redis';
import { RingsideProcess } from './ringside';

const SHARDS = 4;
export const ACCOUNT = 'default';

/** The run's private services and its two Ringside processes. */
export interface Cluster {
  id: string;
  redis: PrivateRedis;
  broker: ChaosBroker;
  nodes: RingsideProcess[];
  keyPrefix: string;
  shardQueues: string[];
  /** Events the consumers gave up on (set aside after repeated handler failures). */
  deadLetterQueue: string;
  /** The admin token of both processes (metrics, the call log). */
  token: string;
  /** What the load's phones carry. */
  webhookToken: string;
}

/** An empty user config file (RINGSIDE_CONFIG must name a file that exists). */
function emptyConfigFile(dir: string): string {
  const file = join(dir, 'empty-config.json');
  writeFileSync(file, '{}\n');
  return file;
}

export async function startCluster(config: ChaosConfig, dir: string, cleanup: Cleanup, say: (line: string) => void): Promise<Cluster> {
  const id = randomBytes(4).toString('hex');
  const prefix = `ringside-chaos-${id}`;
  const topology = resolveTopology({ exchange: prefix, queue: `${prefix}-q`, shards: SHARDS });
  const names: BrokerNames = {
    exchanges: [topology.exchange, topology.deadLetterExchange],
    queues: [...shardQueues(topology), topology.deadLetterQueue],
  };
  const redisDir = join(dir, 'redis');
  mkdirSync(redisDir, { recursive: true });
  const [redis, broker] = await Promise.all([PrivateRedis.start(redisDir, cleanup), startBroker(config, id, join(dir, 'rabbitmq'), names, cleanup, say)]);
  assertLoopbackUrl(redis.url, 'REDIS_URL');
  assertLoopbackUrl(broker.amqpUrl, 'AMQP_URL');
  say(`redis: private redis-server on 127.0.0.1:${redis.port} (no persistence); rabbitmq: ${broker.describe()}`);

  const token = randomBytes(18).toString('base64url');
  const webhookToken = randomBytes(18).toString('base64url');
  const shared: Record<string, string> = {
    ...serverEnv({
      dir, token, webhookToken, database: join(dir, 'ringside.db'), missedDelayMs: config.missedDelayMs, logLevel: config.logLevel,
      redisUrl: redis.url, keyPrefix: prefix, amqpUrl: broker.amqpUrl, topology, useBuild: config.useBuild,
    }),
    RINGSIDE_WEBHOOK_HOST: '127.0.0.1',
    RINGSIDE_API_HOST: '127.0.0.1',
    RINGSIDE_PUBLIC_HOST: '127.0.0.1',
  };
  const nodes = await Promise.all([0, 1].map((i) => {
    const dataDir = join(dir, `ringside-${i}`);
    mkdirSync(dataDir, { recursive: true });
    return RingsideProcess.start(`ringside-${i}`, dataDir, { ...shared, RINGSIDE_DATA_DIR: dataDir }, cleanup);
  }));
  for (const node of nodes) say(`${node.name}: pid ${node.pid}, webhook ${node.webhookUrl}, agent API ${node.apiUrl}`);
  return { id, redis, broker, nodes, keyPrefix: prefix, shardQueues: shardQueues(topology), deadLetterQueue: topology.deadLetterQueue, token, webhookToken };
}

export interface ServerSettings {
  dir: string;
  token: string;
  webhookToken: string;
  /** RINGSIDE_DATABASE: a SQLite file or a postgres:// URL. */
  database: string;
  missedDelayMs: number;
  logLevel: string;
  redisUrl: string;
  keyPrefix: string;
  amqpUrl: string;
  topology: BusTopology;
  useBuild: boolean;
}

/** The environment every Ringside process of a run shares: its tokens, the run's services and names, and nothing from this shell that could point it elsewhere. */
export function serverEnv(settings: ServerSettings): Record<string, string> {
  return {
    ...scrubbedEnv(),
    RINGSIDE_ADMIN_TOKEN: settings.token,
    RINGSIDE_WEBHOOK_TOKEN: settings.webhookToken,
    RINGSIDE_DATABASE: settings.database,
    RINGSIDE_MISSED_DELAY_MS: String(settings.missedDelayMs),
    RINGSIDE_PHONE_RATE_LIMIT: '0',
    RINGSIDE_LOG_LEVEL: settings.logLevel,
    // Neither the machine's provisioning file nor a user's config file may change the run.
    RINGSIDE_PROVISIONING_FILE: join(settings.dir, 'no-provisioning.json'),
    RINGSIDE_CONFIG: emptyConfigFile(settings.dir),
    RINGSIDE_REDIS_URL: settings.redisUrl,
    RINGSIDE_REDIS_CALLS_DB: '0',
    RINGSIDE_REDIS_KEY_PREFIX: settings.keyPrefix,
    RINGSIDE_AMQP_URL: settings.amqpUrl,
    RINGSIDE_AMQP_EXCHANGE: settings.topology.exchange,
    RINGSIDE_AMQP_QUEUE: settings.topology.queueBase,
    RINGSIDE_AMQP_SHARDS: String(settings.topology.shards),
    ...(settings.useBuild ? { RINGSIDE_USE_BUILD: '1' } : {}),
  };
}

async function startBroker(config: ChaosConfig, id: string, dir: string, names: BrokerNames, cleanup: Cleanup, say: (line: string) => void): Promise<ChaosBroker> {
  if (config.rabbitMode !== 'proxy') {
    if (PrivateRabbitNode.available()) {
      try {
        mkdirSync(dir, { recursive: true });
        return await PrivateRabbitNode.start(id, dir, cleanup);
      } catch (error) {
        if (config.rabbitMode === 'private') throw error;
        say(`a private RabbitMQ node could not be started (${(error as Error).message}); falling back to a proxy`);
      }
    } else if (config.rabbitMode === 'private') {
      throw new Error('CHAOS_RABBIT=private, but RabbitMQ\'s start scripts (CHAOS_RABBITMQ_SCRIPTS, default /usr/lib/rabbitmq/bin) or epmd are missing');
    }
  }
  const broker = await ProxyBroker.start(config.upstreamAmqpUrl, names);
  cleanup.add('RabbitMQ proxy and the run\'s exchanges and queues', () => broker.close());
  return broker;
}

/** This shell's environment without any Ringside, Redis or AMQP setting that could point a child elsewhere. */
function scrubbedEnv(): Record<string, string> {
  const kept = Object.entries(process.env).filter(([name, value]) => value !== undefined && !/^(RINGSIDE_|REDIS_|AMQP_)/.test(name));
  return Object.fromEntries(kept) as Record<string, string>;
}
