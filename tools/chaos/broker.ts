import { connect } from 'amqplib';
import { assertLoopbackUrl } from './net';
import { startTcpProxy, targetOf, type TcpProxy } from '../../test/support/tcpProxy';

export interface QueueStats {
  ready: number;
  /** Delivered and not yet acknowledged; null when this mode cannot see it. */
  unacked: number | null;
}

/** The RabbitMQ the run's Ringside processes use, and the way the run takes it away and back. */
export interface ChaosBroker {
  readonly mode: 'private-node' | 'proxy';
  /** What Ringside connects to (always 127.0.0.1). */
  readonly amqpUrl: string;
  /** One line: the mode and its ports, for the report. */
  describe(): string;
  /** The outage: the broker stops serving (private node: stop_app; proxy: connections cut and refused). */
  stopService(): Promise<void>;
  startService(): Promise<void>;
  /** Sums over `queues`. */
  queueStats(queues: string[]): Promise<QueueStats>;
  /** Unacknowledged deliveries per client TCP port, or null when this mode cannot tell. */
  unackedByClientPort(): Promise<Map<number, number> | null>;
  close(): Promise<void>;
}

export interface BrokerNames {
  exchanges: string[];
  queues: string[];
}

/**
 * Fallback when a private RabbitMQ node cannot be started: a TCP proxy in front of the machine's
 * broker (loopback only), with exchange and queue names no one else uses, deleted at the end.
 * "Stopping RabbitMQ" is the proxy cutting and refusing connections; the machine's broker itself
 * is never stopped. Persistent messages stay on it during the outage, as on a stopped node.
 */
export class ProxyBroker implements ChaosBroker {
  readonly mode = 'proxy' as const;

  private constructor(private readonly upstreamUrl: string, private readonly proxy: TcpProxy, private readonly names: BrokerNames) {}

  static async start(upstreamUrl: string, names: BrokerNames): Promise<ProxyBroker> {
    assertLoopbackUrl(upstreamUrl, 'CHAOS_AMQP_URL');
    const probe = await connect(upstreamUrl);
    await probe.close();
    const proxy = await startTcpProxy(targetOf(upstreamUrl, 5672));
    return new ProxyBroker(upstreamUrl, proxy, names);
  }

  get amqpUrl(): string {
    return this.proxy.url(this.upstreamUrl);
  }

  describe(): string {
    const upstream = new URL(this.upstreamUrl);
    return `proxy: 127.0.0.1:${this.proxy.port} -> the machine's broker ${upstream.hostname}:${upstream.port || 5672} (names ${this.names.exchanges[0]}*)`;
  }

  async stopService(): Promise<void> {
    this.proxy.pause({ newConnections: 'refuse' });
  }

  async startService(): Promise<void> {
    this.proxy.resume();
  }

  async queueStats(queues: string[]): Promise<QueueStats> {
    return this.withChannel(async (channel) => {
      let ready = 0;
      for (const queue of queues) ready += (await channel.checkQueue(queue)).messageCount;
      return { ready, unacked: null };
    });
  }

  async unackedByClientPort(): Promise<null> {
    return null;
  }

  async close(): Promise<void> {
    await this.proxy.close();
    // Only the run's own, uniquely named objects are deleted.
    await this.withChannel(async (channel) => {
      for (const queue of this.names.queues) await channel.deleteQueue(queue);
      for (const exchange of this.names.exchanges) await channel.deleteExchange(exchange);
    });
  }

  /** Straight to the broker, not through the proxy (which may be refusing). Read-only checks and the final clean-up. */
  private async withChannel<T>(work: (channel: import('amqplib').Channel) => Promise<T>): Promise<T> {
    const model = await connect(this.upstreamUrl);
    try {
      return await work(await model.createChannel());
    } finally {
      await model.close().catch(() => undefined);
    }
  }
}
