import { connect, type Channel, type ChannelModel, type SocketOptions } from 'amqplib';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { RabbitMqBus, type BusStatus, type RabbitMqBusOptions } from '../../src/adapters/rabbitmq/RabbitMqBus';
import { SqliteHandledEventLedger } from '../../src/adapters/sqlite/spool/SqliteHandledEventLedger';
import { deleteTopology, resolveTopology, type QueueType, type TopologyOptions } from '../../src/adapters/rabbitmq/topology';
import { AMQP_URL, uniqueName } from './services';
import { makeTempDir } from './tmp';
import { waitFor, type WaitOptions } from './wait';

export const TEST_SHARDS = 4;

/**
 * Everything one test opens against the real broker under names of its own: buses, ledgers
 * (files in a temp dir) and plain channels. cleanup() closes them all and deletes the test's
 * exchanges and queues (dead-letter queue included), leaving the broker as it found it.
 * `topologyOptions` (the queue type, a quorum queue's delivery limit) go to every bus it opens.
 */
export class RabbitTestRig {
  readonly names = { exchange: uniqueName('bus'), queue: '' };
  private readonly tmp = makeTempDir('ringside-rabbit-');
  private readonly buses: RabbitMqBus[] = [];
  private readonly ledgers: SqliteHandledEventLedger[] = [];
  private readonly models: ChannelModel[] = [];

  constructor(private readonly topologyOptions: Pick<TopologyOptions, 'queueType' | 'deliveryLimit'> = {}) {
    this.names.queue = `${this.names.exchange}-queue`;
  }

  get queueType(): QueueType {
    return this.topology.queueType;
  }

  get topology() {
    return resolveTopology({ ...this.names, shards: TEST_SHARDS, ...this.topologyOptions });
  }

  ledgerFile(name = 'ledger'): string {
    return join(this.tmp.dir, `${name}.db`);
  }

  openLedger(name = 'ledger'): SqliteHandledEventLedger {
    const ledger = SqliteHandledEventLedger.open(this.ledgerFile(name));
    this.ledgers.push(ledger);
    return ledger;
  }

  /** A bus on this test's names; small retry delays keep the suite fast. */
  async openBus(options: Partial<RabbitMqBusOptions> = {}): Promise<RabbitMqBus> {
    const bus = await RabbitMqBus.open(this.busOptions(options));
    this.buses.push(bus);
    return bus;
  }

  /** A bus that connects in the background (for an unreachable broker). */
  createBus(options: Partial<RabbitMqBusOptions> = {}): RabbitMqBus {
    const bus = RabbitMqBus.create(this.busOptions(options));
    this.buses.push(bus);
    return bus;
  }

  /** A plain amqplib channel of the test's own, to look at the broker from outside the bus. */
  async channel(): Promise<Channel> {
    const model = await connect(AMQP_URL, { noDelay: true });
    model.on('error', () => undefined);
    this.models.push(model);
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    return channel;
  }

  async cleanup(): Promise<void> {
    try {
      for (const bus of this.buses.splice(0)) await bus.close();
      for (const ledger of this.ledgers.splice(0)) ledger.close();
    } finally {
      // Even when a close failed: the broker is left as the test found it.
      await this.deleteTopology();
      for (const model of this.models.splice(0)) await model.close().catch(() => undefined);
      this.tmp.cleanup();
    }
  }

  private async deleteTopology(): Promise<void> {
    const channel = await this.channel();
    const topology = this.topology;
    await deleteTopology(channel, topology);
  }

  private busOptions(options: Partial<RabbitMqBusOptions>): RabbitMqBusOptions {
    return { url: AMQP_URL, ...this.names, shards: TEST_SHARDS, ...this.topologyOptions, reconnectDelayMs: 5, maxReconnectDelayMs: 50, drainPollMs: 20, ...options };
  }
}

/** A connector whose last connection the test can cut, as a network failure would. */
export function droppableConnector() {
  const models: ChannelModel[] = [];
  return {
    connect: async (url: string, socketOptions: SocketOptions) => {
      const model = await connect(url, socketOptions);
      models.push(model);
      return model;
    },
    /** Destroys the socket under the current connection (amqplib sees a socket error). */
    drop: () => {
      const model = models.at(-1);
      if (!model) throw new Error('no connection to drop');
      (model.connection as unknown as { stream: Socket }).stream.destroy(new Error('connection cut by the test'));
    },
  };
}

/** Resolves when the bus reaches `status` (at once if it is there already); fails after WAIT_MS. */
export function statusReached(bus: RabbitMqBus, status: BusStatus, options: WaitOptions = {}): Promise<void> {
  return waitFor<void>(`the bus to be ${status}`, (resolve) => {
    if (bus.status() === status) return resolve();
    return bus.onStatus((next) => {
      if (next === status) resolve();
    });
  }, { ...options, seen: () => `it is ${bus.status()}` });
}

/**
 * Resolves at the first 'up' that follows a 'down' seen from now on (the bus recovered), with the
 * statuses seen; fails after WAIT_MS (or `timeoutMs`, from the call).
 */
export function recovery(bus: RabbitMqBus, options: WaitOptions = {}): Promise<BusStatus[]> {
  const seen: BusStatus[] = [];
  return waitFor<BusStatus[]>('the bus to go down and come back up', (resolve) => bus.onStatus((status) => {
    seen.push(status);
    if (status === 'up' && seen.includes('down')) resolve(seen);
  }), { ...options, seen: () => `statuses seen: ${seen.join(', ') || 'none'}` });
}
