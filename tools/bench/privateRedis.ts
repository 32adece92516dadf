import { Redis } from 'ioredis';
import { PrivateRedis as ChaosRedis } from '../chaos/redis';
import { Cleanup } from '../chaos/processes';
import { makeTempDir } from '../../test/support/tmp';

export interface PrivateRedis {
  url: string;
  port: number;
  /**
   * The commands clients sent while `work` ran, by name, seen through MONITOR: each one is a
   * round trip or part of a pipeline. Commands a Lua script runs are left out (they are part of
   * its one EVALSHA), and so are the bench's own.
   */
  clientCommands(work: () => Promise<void>): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

/**
 * The bench's own redis-server (the chaos run's, on a free loopback port, without persistence):
 * its command counts are the bench's alone, and nothing else on the machine is touched.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const temp = makeTempDir('ringside-bench-redis-');
  const cleanup = new Cleanup();
  const server = await ChaosRedis.start(temp.dir, cleanup);
  const admin = new Redis(server.url, { connectionName: 'bench-admin' });
  const probe = new Redis(server.url, { connectionName: 'bench-probe' });
  return {
    url: server.url,
    port: server.port,
    clientCommands: (work) => countClientCommands(admin, probe, work),
    stop: async () => {
      admin.disconnect();
      probe.disconnect();
      await server.stop();
      await cleanup.runAll();
      temp.cleanup();
    },
  };
}

async function countClientCommands(admin: Redis, probe: Redis, work: () => Promise<void>): Promise<Map<string, number>> {
  const monitor = await admin.monitor();
  let done = false;
  let failure: Error | null = null;
  // MONITOR lines still in flight when the connection is closed reach ioredis as replies without
  // a command ("Command queue state error"): once the count is taken they are nothing to us.
  monitor.on('error', (error: Error) => {
    if (!done) failure = error;
  });
  const counts = new Map<string, number>();
  const own = `127.0.0.1:${admin.stream.localPort}`;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === 'lua' || source === own) return;
    const name = args[0]!.toLowerCase();
    counts.set(name, (counts.get(name) ?? 0) + 1);
  });
  try {
    await work();
    // MONITOR lines trail the commands a little: a marker sent last shows when all are in.
    const marker = `bench-marker-${Date.now()}`;
    const seen = new Promise<void>((resolve) => monitor.on('monitor', (_t: string, args: string[]) => {
      if (args[1] === marker) resolve();
    }));
    await probe.echo(marker);
    await seen;
    counts.set('echo', (counts.get('echo') ?? 1) - 1);
    if (failure) throw failure;
    return counts;
  } finally {
    done = true;
    monitor.disconnect();
  }
}
