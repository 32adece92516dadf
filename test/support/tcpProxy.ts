import { connect, createServer, type Server, type Socket } from 'node:net';
import { waitFor, type WaitOptions } from './wait';

/**
 * A TCP proxy a test owns, to take a shared service (Redis, RabbitMQ) away from Ringside without
 * touching the real server that other test files use at the same time.
 *
 * - listens on 127.0.0.1:0 and forwards every connection to the target;
 * - pause() cuts every open connection at once (both sides destroyed, as a crashed or restarted
 *   server or a broken network would) and, until resume(), either holds the connections that
 *   arrive (accepted, nothing read or answered: the client sits in its handshake) or refuses them
 *   (closed as soon as they are accepted);
 * - resume() forwards the held connections (what their clients wrote meanwhile goes through) and
 *   every new one.
 *
 * Tests await what the proxy sees instead of sleeping: arrivals(n) resolves once n connections
 * arrived since the last pause(). A client that reconnects into a held proxy has noticed the cut
 * and stays disconnected until resume(), so "as many arrivals as connections were cut" means
 * every client of the proxy is now cut off.
 */
export interface TcpProxy {
  readonly port: number;
  readonly paused: boolean;
  /** `target` (a redis:// or amqp:// URL of the real service) with its host and port replaced by the proxy's. */
  url(target: string): string;
  /** Cuts every open connection; returns how many were cut. */
  pause(options?: { newConnections?: 'hold' | 'refuse' }): number;
  resume(): void;
  /** Resolves once `count` connections arrived since the last pause() (at once if they did); fails after WAIT_MS. */
  arrivals(count: number, options?: WaitOptions): Promise<void>;
  /** Connections being forwarded now. */
  readonly open: number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | null;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  const held = new Set<Socket>();
  let paused = false;
  let mode: 'hold' | 'refuse' = 'hold';
  let arrived = 0;
  let waiters: Array<{ count: number; resolve: () => void }> = [];

  const arrive = () => {
    arrived += 1;
    waiters = waiters.filter((w) => (arrived >= w.count ? (w.resolve(), false) : true));
  };

  const forward = (client: Socket) => {
    const pair: Pair = { client, upstream: null };
    pairs.add(pair);
    const upstream = connect({ host: target.host, port: target.port, noDelay: true });
    pair.upstream = upstream;
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    client.setNoDelay(true);
    if (!paused) {
      forward(client);
      return;
    }
    arrive();
    if (mode === 'refuse') {
      client.on('error', () => undefined);
      client.destroy();
      return;
    }
    held.add(client);
    client.on('error', () => undefined);
    client.once('close', () => held.delete(client));
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  const port = address.port;

  return {
    port,
    get paused() {
      return paused;
    },
    get open() {
      return pairs.size;
    },
    url(targetUrl) {
      const parsed = new URL(targetUrl);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    pause(options = {}) {
      paused = true;
      mode = options.newConnections ?? 'hold';
      arrived = 0;
      const cut = [...pairs];
      pairs.clear();
      for (const pair of cut) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      return cut.length;
    },
    resume() {
      paused = false;
      const waiting = [...held];
      held.clear();
      for (const client of waiting) {
        client.removeAllListeners('close');
        if (!client.destroyed) forward(client);
      }
    },
    arrivals(count, options = {}) {
      return waitFor<void>(`${count} connection(s) to arrive at the paused proxy on port ${port}`, (resolve) => {
        if (arrived >= count) return resolve();
        const waiter = { count, resolve: () => resolve() };
        waiters.push(waiter);
        return () => {
          waiters = waiters.filter((w) => w !== waiter);
        };
      }, { ...options, seen: () => `${arrived} arrived since the pause` });
    },
    async close() {
      paused = true;
      mode = 'refuse';
      for (const client of held) client.destroy();
      held.clear();
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Host and port of a redis:// or amqp:// URL (the service a proxy stands in front of). */
export function targetOf(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : defaultPort };
}
