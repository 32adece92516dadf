import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosBroker, QueueStats } from './broker';
import { LOCAL_HOST, type Host } from './hosts';
import { freePort, pollUntil, sleep } from './net';
import { isRunning, runCommand, spawnOwned, stopChild, type Cleanup } from './processes';

/**
 * The run's own RabbitMQ node: its own node name, AMQP and distribution ports, its own epmd on
 * a port of its own, its own data, log, config and cookie, all under the run's temp directory,
 * all bound to 127.0.0.1. Nothing it reads or writes is the machine's broker's (rabbit@localhost
 * on 5672 with /etc/rabbitmq): the Debian wrappers in /usr/sbin (which switch to the rabbitmq
 * user and write /var/log/rabbitmq) are bypassed, and every file the node would otherwise take
 * from /etc/rabbitmq is pointed into the temp directory. On a host of the run's own (a network
 * namespace, tools/chaos/hosts.ts) AMQP listens on that host's address, guest may log in from the
 * other hosts, and every command (epmd, the server, rabbitmqctl) runs inside that namespace.
 */
const SCRIPTS_DIR = process.env.CHAOS_RABBITMQ_SCRIPTS ?? '/usr/lib/rabbitmq/bin';
const STARTUP_TIMEOUT_MS = 60_000;

export class PrivateRabbitNode implements ChaosBroker {
  readonly mode = 'private-node' as const;
  private server: ChildProcess | null = null;

  private constructor(
    readonly node: string,
    private readonly ports: { amqp: number; dist: number; epmd: number },
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    readonly host: Host,
  ) {}

  /** Whether this machine has RabbitMQ's own start scripts (not only the Debian wrappers). */
  static available(): boolean {
    return ['rabbitmq-server', 'rabbitmqctl'].every((script) => existsSync(join(SCRIPTS_DIR, script))) && epmdPath() !== null;
  }

  static async start(id: string, dir: string, cleanup: Cleanup, host: Host = LOCAL_HOST): Promise<PrivateRabbitNode> {
    const ports = { amqp: await freePort(), dist: await freePort(), epmd: await freePort() };
    const node = `ringside-chaos-${id}@localhost`;
    const rabbit = new PrivateRabbitNode(node, ports, dir, privateEnv(node, ports, dir), host);
    await rabbit.launch(cleanup);
    return rabbit;
  }

  get amqpUrl(): string {
    return `amqp://guest:guest@${this.host.address}:${this.ports.amqp}`;
  }

  describe(): string {
    return `private node ${this.node}: AMQP ${this.host.address}:${this.ports.amqp}, distribution ${this.ports.dist}, epmd ${this.ports.epmd}`;
  }

  async stopService(): Promise<void> {
    await this.ctl(['stop_app']);
  }

  async startService(): Promise<void> {
    await this.ctl(['start_app']);
    await this.ctl(['await_startup', '--timeout', '60'], 70_000);
  }

  async queueStats(queues: string[]): Promise<QueueStats> {
    const rows = await this.ctlRows(['list_queues', 'name', 'messages_ready', 'messages_unacknowledged']);
    const wanted = new Set(queues);
    let ready = 0;
    let unacked = 0;
    for (const [name, readyText, unackedText] of rows) {
      if (!name || !wanted.has(name)) continue;
      ready += Number(readyText);
      unacked += Number(unackedText);
    }
    return { ready, unacked };
  }

  /**
   * Unacknowledged deliveries per client port: the broker's channels (connection, unacked)
   * joined with its connections (connection, peer port).
   */
  async unackedByClientPort(): Promise<Map<number, number>> {
    const [channels, connections] = await Promise.all([
      this.ctlRows(['list_channels', 'connection', 'messages_unacknowledged']),
      this.ctlRows(['list_connections', 'pid', 'peer_port']),
    ]);
    const portOf = new Map(connections.map(([pid, port]) => [pid, Number(port)]));
    const byPort = new Map<number, number>();
    for (const [connection, unacked] of channels) {
      const port = portOf.get(connection ?? '');
      if (port !== undefined) byPort.set(port, (byPort.get(port) ?? 0) + Number(unacked));
    }
    return byPort;
  }

  /**
   * Each queue's active consumer (single active consumer: the one the broker delivers to), by
   * the client address and port of the connection it came on. The channel's name says
   * `<client address>:<port> -> <server address>:<port> (<number>)`.
   */
  async activeConsumers(): Promise<Map<string, ActiveConsumer>> {
    const [consumers, channels] = await Promise.all([
      this.ctlRows(['list_consumers', 'queue_name', 'channel_pid', 'active']),
      this.ctlRows(['list_channels', 'pid', 'name']),
    ]);
    const clientOf = new Map(channels.map(([pid, name]) => [pid, /^(\S+):(\d+) ->/.exec(name ?? '')]));
    const active = new Map<string, ActiveConsumer>();
    for (const [queue, channel, isActive] of consumers) {
      const client = clientOf.get(channel ?? '');
      if (queue && isActive === 'true' && client) active.set(queue, { address: client[1]!, port: Number(client[2]) });
    }
    return active;
  }

  /**
   * A disk alarm on purpose (a free-disk limit no disk meets): the broker blocks every publishing
   * connection, while consumers still get their deliveries, as when its disk is full. The servers'
   * outboxes then keep what their phones send (docs/architecture.md, Several servers).
   */
  async blockPublishers(): Promise<void> {
    await this.ctl(['set_disk_free_limit', String(2 ** 60)]);
  }

  /** Back to a limit the disk meets: the alarm clears and blocked publishers go on. */
  async unblockPublishers(): Promise<void> {
    await this.ctl(['set_disk_free_limit', '50MB']);
  }

  /** Shuts the node down (graceful first), then its epmd; every step by what this run started. */
  async close(): Promise<void> {
    if (this.server && isRunning(this.server)) {
      await this.ctl(['shutdown'], 20_000).catch(() => undefined);
      await stopChild(this.server, 'SIGTERM', 10_000);
    }
    this.killLeftoverVm();
  }

  private async launch(cleanup: Cleanup): Promise<void> {
    writePrivateFiles(this.dir, this.ports.amqp, this.host.address);
    const epmd = spawnOwned(...this.host.command(epmdPath()!, ['-port', String(this.ports.epmd)]), { env: this.env, logFile: join(this.dir, 'epmd.log') });
    cleanup.add(`epmd (pid ${epmd.pid})`, () => stopChild(epmd, 'SIGTERM', 3_000));
    await sleep(200);
    this.server = spawnOwned(...this.host.command(join(SCRIPTS_DIR, 'rabbitmq-server'), []), { env: this.env, logFile: join(this.dir, 'rabbitmq-server.log'), cwd: this.dir });
    cleanup.add(`RabbitMQ node ${this.node}`, () => this.close());
    const started = await pollUntil(async () => {
      if (!this.server || !isRunning(this.server)) throw new Error('rabbitmq-server exited');
      return (await this.run(['await_startup', '--timeout', '10'], 15_000)).code === 0;
    }, STARTUP_TIMEOUT_MS, 500);
    if (!started) throw new Error(`private RabbitMQ node ${this.node} did not start within ${STARTUP_TIMEOUT_MS} ms (see ${this.dir})`);
  }

  /**
   * The beam VM is the child of the start script this run started; the script stops it on
   * SIGTERM. Should it still run (the script was killed first), it is killed by the PID the node
   * itself wrote into the run's pid file, after checking the PID is still this node's VM.
   */
  private killLeftoverVm(): void {
    const pidFile = join(this.dir, 'rabbit.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(this.node)) process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }

  private async ctl(args: string[], timeoutMs = 30_000): Promise<string> {
    const result = await this.run(args, timeoutMs);
    if (result.code !== 0) throw new Error(`rabbitmqctl ${args[0]} failed (${result.code}): ${(result.stderr || result.stdout).trim().split('\n')[0]}`);
    return result.stdout;
  }

  private async ctlRows(args: string[]): Promise<string[][]> {
    const output = await this.ctl([...args, '--quiet', '--no-table-headers']);
    return output.split('\n').filter((line) => line.trim() !== '').map((line) => line.split('\t'));
  }

  private run(args: string[], timeoutMs: number) {
    return runCommand(...this.host.command(join(SCRIPTS_DIR, 'rabbitmqctl'), ['-n', this.node, ...args]), this.env, timeoutMs);
  }
}

export interface ActiveConsumer {
  address: string;
  port: number;
}

function epmdPath(): string | null {
  for (const candidate of ['/usr/bin/epmd', '/usr/lib/erlang/bin/epmd', '/usr/local/bin/epmd']) if (existsSync(candidate)) return candidate;
  return null;
}

/** The environment of the node and of every rabbitmqctl call: nothing inherited from a RabbitMQ or Erlang setting of this shell. */
function privateEnv(node: string, ports: { amqp: number; dist: number; epmd: number }, dir: string): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(RABBITMQ_|ERL_)/.test(name)));
  const loopbackOnly = '-kernel inet_dist_use_interface {127,0,0,1}';
  return {
    ...inherited,
    // The Erlang cookie is read from and written to $HOME: the run's own.
    HOME: join(dir, 'home'),
    ERL_EPMD_PORT: String(ports.epmd),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_FLAGS: loopbackOnly,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(ports.amqp),
    RABBITMQ_DIST_PORT: String(ports.dist),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: loopbackOnly,
  };
}

function writePrivateFiles(dir: string, amqpPort: number, address: string): void {
  for (const sub of ['home', 'mnesia', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'home', '.erlang.cookie'), `ringsidechaos${Date.now()}`, { mode: 0o400 });
  // Empty on purpose: /etc/rabbitmq/rabbitmq-env.conf names the machine's node.
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  // guest is loopback-only unless the node is on a host of the run's own, where the servers come from other hosts.
  const guestFromLoopbackOnly = address.startsWith('127.');
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.1 = ${address}:${amqpPort}\nloopback_users.guest = ${guestFromLoopbackOnly}\n`);
  // No plugins: the management plugin would listen on 15672 like the machine's.
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
}
