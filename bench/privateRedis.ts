import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

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

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A redis-server of the bench's own on a free loopback port, without persistence: its command
 * counts are the bench's alone, and nothing else on the machine is touched.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${String(code)}): ${output}`)));
    child.once('error', reject);
  });
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url, { connectionName: 'bench-admin' });
  const probe = new Redis(url, { connectionName: 'bench-probe' });
  return {
    url, port,
    clientCommands: async (work) => {
      const monitor = await admin.monitor();
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
        return counts;
      } finally {
        monitor.disconnect();
      }
    },
    stop: async () => {
      admin.disconnect();
      probe.disconnect();
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
