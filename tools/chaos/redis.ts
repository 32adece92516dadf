import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { LOCAL_HOST, type Host } from './hosts';
import { freePort, pollUntil } from './net';
import { killHard, spawnOwned, stopChild, type Cleanup } from './processes';

const START_TIMEOUT_MS = 10_000;

/**
 * The run's own redis-server on a free port of its host (loopback unless the run made hosts:
 * tools/chaos/hosts.ts), without persistence: `kill -9` and a
 * restart on the same port lose every key, which is the fault (docs/call-lifecycle.md, Recovery after a call-state loss: calls continue from the
 * call log). The machine's own Redis is never touched.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private unregister: (() => void) | null = null;

  private constructor(readonly port: number, private readonly dir: string, private readonly cleanup: Cleanup, readonly host: Host) {}

  static async start(dir: string, cleanup: Cleanup, host: Host = LOCAL_HOST): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), dir, cleanup, host);
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://${this.host.address}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** kill -9: every key is gone, clients see their connections drop. */
  async kill(): Promise<void> {
    if (this.child) await killHard(this.child);
    this.forget();
  }

  /** A fresh, empty redis-server on the same port. */
  restart(): Promise<void> {
    return this.launch();
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child, 'SIGTERM', 5_000);
    this.forget();
  }

  /** A client of the private server (the quiesce step reads the missed-call schedule). */
  client(db: number): Redis {
    const client = new Redis(this.url, { db, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    // Failures surface as rejected commands; without a listener ioredis also prints each one.
    client.on('error', () => undefined);
    return client;
  }

  private async launch(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', this.host.address, '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--daemonize', 'no'];
    const child = spawnOwned(...this.host.command('redis-server', args), { env: process.env, logFile: join(this.dir, 'redis.log') });
    this.child = child;
    this.unregister = this.cleanup.add(`redis-server (pid ${child.pid})`, () => stopChild(child, 'SIGTERM', 5_000));
    const up = await pollUntil(() => this.pings(), START_TIMEOUT_MS, 100);
    if (!up) throw new Error(`redis-server did not answer on ${this.host.address}:${this.port} within ${START_TIMEOUT_MS} ms (see ${join(this.dir, 'redis.log')})`);
  }

  private async pings(): Promise<boolean> {
    if (!this.child || this.child.exitCode !== null) throw new Error('redis-server exited');
    const probe = this.client(0);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } finally {
      probe.disconnect();
    }
  }

  private forget(): void {
    this.unregister?.();
    this.unregister = null;
    this.child = null;
  }
}
