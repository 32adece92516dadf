import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import type { RedisNode } from '../../src/adapters/redis/connection';
import { inject } from 'vitest';
import { makeTempDir } from './tmp';
import { eventually, waitFor } from './wait';

/**
 * Private Redis topologies for the Sentinel and Cluster tests (docs/redis.md, Sentinel and
 * Cluster), made of Debian's redis-server processes on free ports in a temp directory, so a test
 * may kill a master without touching the Redis every other test shares. Every wait has a
 * deadline (test/support/wait.ts); stop() kills what is left and removes the directory.
 */

/** How long a topology may take to form (sentinels discovering each other, a cluster agreeing on its slots). */
const FORM_MS = 30_000;

interface Processes {
  dir: string;
  children: ChildProcess[];
  stop(): Promise<void>;
}

/** A port free now, whose cluster bus port (port + 10000) is free too. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await listenOnce(0);
    if (port + 10_000 <= 65_535 && (await listenOnce(port + 10_000).then(() => true, () => false))) return port;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

function processes(): Processes {
  const temp = makeTempDir('ringside-redis-');
  const children: ChildProcess[] = [];
  return {
    dir: temp.dir,
    children,
    async stop() {
      await Promise.all(children.map((child) => killProcess(child)));
      temp.cleanup();
    },
  };
}

/** SIGKILL, resolved once the process is gone. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await waitFor<void>(`redis-server ${child.pid} to exit after SIGKILL`, (resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Starts `redis-server <args>` and resolves once it answers PING on `port`. */
async function startServer(owner: Processes, port: number, args: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { cwd: owner.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  owner.children.push(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4000)));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4000)));
  await eventually(`redis-server on port ${port} to answer PING`, () => {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited ${child.exitCode}: ${output}`);
    return ping(port);
  }, (up) => up, { timeoutMs: FORM_MS, intervalMs: 50 });
  return child;
}

async function ping(port: number): Promise<boolean> {
  return (await ask(port, ['PING']).catch(() => null)) === 'PONG';
}

/** One command on a short-lived connection that never retries (the server may be gone). */
async function ask(port: number, command: [string, ...Array<string | number>]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(...command);
  } finally {
    client.disconnect();
  }
}

/** The flags every test server runs with: no persistence, local only. */
const serverArgs = (port: number) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];

export interface SentinelTopology {
  /** The master name the sentinels monitor. */
  masterName: string;
  /** `127.0.0.1:<port>` of each sentinel: RINGSIDE_REDIS_SENTINELS. */
  sentinels: string[];
  masterPort: number;
  replicaPort: number;
  /** kill -9 of the master process. */
  killMaster(): Promise<void>;
  /** The master's port as each sentinel names it now. */
  masterAsSentinelsSee(): Promise<number[]>;
  stop(): Promise<void>;
}

/**
 * A master, one replica and three sentinels (quorum 2, the master down after 1 s), resolved once
 * the replica is in sync and every sentinel knows the replica and the two other sentinels, so a
 * failover can happen as soon as the master dies.
 */
export async function startSentinelTopology(masterName = 'ringside'): Promise<SentinelTopology> {
  const owner = processes();
  try {
    const masterPort = await freePort();
    const master = await startServer(owner, masterPort, serverArgs(masterPort));
    const replicaPort = await freePort();
    await startServer(owner, replicaPort, [...serverArgs(replicaPort), '--replicaof', '127.0.0.1', String(masterPort)]);
    await eventually('the replica to be in sync with the master', () => ask(replicaPort, ['INFO', 'replication']), (info) => /master_link_status:up/.test(String(info)), { timeoutMs: FORM_MS });
    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = join(owner.dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its file (what it learnt), so each has its own, writable one.
      writeFileSync(conf, [
        `port ${port}`, 'bind 127.0.0.1', `dir ${owner.dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 5000`,
        '',
      ].join('\n'));
      await startServer(owner, port, [conf, '--sentinel']);
      sentinelPorts.push(port);
    }
    const knowsEverything = async (port: number) => {
      const replicas = (await ask(port, ['SENTINEL', 'REPLICAS', masterName])) as unknown[];
      const others = (await ask(port, ['SENTINEL', 'SENTINELS', masterName])) as unknown[];
      return replicas.length === 1 && others.length === 2;
    };
    await eventually('every sentinel to know the replica and the two other sentinels', async () => (await Promise.all(sentinelPorts.map(knowsEverything))).every(Boolean), (all) => all, { timeoutMs: FORM_MS, intervalMs: 100 });
    return {
      masterName, masterPort, replicaPort,
      sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`),
      killMaster: () => killProcess(master),
      masterAsSentinelsSee: async () => Promise.all(sentinelPorts.map(async (port) => Number(((await ask(port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName])) as string[])[1]))),
      stop: () => owner.stop(),
    };
  } catch (err) {
    await owner.stop();
    throw err;
  }
}

export interface ClusterTopology {
  /** Seed nodes: RINGSIDE_REDIS_CLUSTER. */
  nodes: RedisNode[];
  /** A Cluster client of the test's own (to look at and clean up what an adapter wrote). */
  client(name?: string): Cluster;
  stop(): Promise<void>;
}

/**
 * Three masters, no replicas, every slot assigned (`redis-cli --cluster create`), resolved once
 * every node says cluster_state:ok.
 */
export async function startRedisCluster(): Promise<ClusterTopology> {
  const owner = processes();
  try {
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      await startServer(owner, port, [...serverArgs(port), '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`]);
      ports.push(port);
    }
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: FORM_MS });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed (${created.status}): ${created.stdout}${created.stderr}`);
    await eventually('every cluster node to say cluster_state:ok', () => Promise.all(ports.map((port) => ask(port, ['CLUSTER', 'INFO']))), (infos) => infos.every((info) => /cluster_state:ok/.test(String(info))), { timeoutMs: FORM_MS, intervalMs: 100 });
    const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
    const clients: Cluster[] = [];
    return {
      nodes,
      client(name = 'ringside-test-cluster-admin') {
        const client = new Cluster(nodes, { redisOptions: { connectionName: name } });
        clients.push(client);
        return client;
      },
      async stop() {
        for (const client of clients.splice(0)) client.disconnect();
        await owner.stop();
      },
    };
  } catch (err) {
    await owner.stop();
    throw err;
  }
}

/** The client's masters, once it knows them (a new Cluster client lists no node until it is ready). */
async function mastersOf(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== 'ready') {
    await waitFor<void>('the cluster client to be ready', (resolve, reject) => {
      cluster.once('ready', () => resolve());
      cluster.once('end', () => reject(new Error('the cluster client ended before it was ready')));
    });
  }
  return cluster.nodes('master');
}

/** Every key under `root` on every master of a cluster (SCAN MATCH per node). */
export async function clusterKeysUnder(cluster: Cluster, root: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of await mastersOf(cluster)) {
    for await (const batch of node.scanStream({ match: `${root}:*`, count: 500 })) found.push(...(batch as string[]));
  }
  return [...new Set(found)].sort();
}

/** Unlinks every key under `root` in a cluster, node by node (a multi-key UNLINK must stay in one slot). */
export async function clusterDeleteUnder(cluster: Cluster, root: string): Promise<void> {
  for (const node of await mastersOf(cluster)) {
    for await (const batch of node.scanStream({ match: `${root}:*`, count: 500 })) {
      for (const key of batch as string[]) await node.unlink(key);
    }
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The contracts' Redis Cluster (test/support/contractsCluster.ts). */
    redisClusterNodes: RedisNode[];
  }
}

/** Seed nodes of the cluster the contracts project's globalSetup started (test/support/contractsCluster.ts). */
export function clusterNodes(): RedisNode[] {
  return inject('redisClusterNodes');
}
