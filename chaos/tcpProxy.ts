import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy the chaos run can "unplug": while refusing, it cuts every open connection
 * and drops each new one as soon as it arrives, which is what clients see of a stopped broker.
 * It keeps listening throughout, so nothing else can take the port during the outage.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(upstreamHost: string, upstreamPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = createServer((client) => proxy?.onClient(client, upstreamHost, upstreamPort));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    proxy = new TcpProxy(server, typeof address === 'object' && address ? address.port : 0);
    return proxy;
  }

  /** Cuts every connection and refuses new ones until accept(). */
  refuse(): void {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  accept(): void {
    this.refusing = false;
  }

  close(): Promise<void> {
    this.refuse();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onClient(client: Socket, host: string, port: number): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      // Either side failing ends both, as a broker going away would.
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
