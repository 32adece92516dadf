import { randomBytes } from 'node:crypto';
import { runCommand } from './processes';

/**
 * Machines for the multi-host scenario (docs/architecture.md, Several servers): a services host
 * (Redis, RabbitMQ, PostgreSQL) and two Ringside hosts, each a Linux network namespace with an
 * address of its own on one bridge. This process (the phones, the checks) stays in the machine's
 * own namespace and reaches them through the bridge's address, .254.
 *
 * Where namespaces cannot be made (not root, no `ip`), the same scenario runs on loopback
 * addresses: 127.0.0.1 for the services, 127.0.0.2 and 127.0.0.3 for the servers.
 *
 * Every name carries the run's id (`rsmh-<id>-…`), and the id carries the PID of the run that
 * made it: a run cleans up what runs that are gone left behind (a killed test, a crashed chaos
 * run), and never touches the names of a run still alive.
 */
export interface Host {
  /** `services`, `a`, `b`. */
  name: string;
  /** The address its services listen on and its servers' clients come from. */
  address: string;
  /** The network namespace, or null on loopback. */
  namespace: string | null;
  /** The argv that runs `command args` on this host (`ip netns exec <ns> …`). */
  command(command: string, args: string[]): [string, string[]];
}

export interface Hosts {
  mode: 'namespaces' | 'loopback';
  /** One line: why the loopback fallback is used, or null. */
  fallbackReason: string | null;
  /** The run's subnet in CIDR (PostgreSQL trusts it). */
  subnet: string;
  services: Host;
  servers: [Host, Host];
  /** Stops whatever still runs in the namespaces and removes them and the bridge. */
  teardown(): Promise<void>;
}

/** This machine, loopback: what the single-host chaos run and the fallback use. */
export const LOCAL_HOST: Host = loopbackHost('local', '127.0.0.1');

const PREFIX = 'rsmh-';
const NAMES = ['services', 'a', 'b'] as const;
/** Host part of each host's address in the run's /24 (the bridge in this namespace is .254). */
const HOST_NUMBERS = { services: 1, a: 11, b: 12 } as const;
const BRIDGE_NUMBER = 254;

export interface HostOptions {
  /** Skip the namespaces (CHAOS_HOSTS=loopback): the fallback, on purpose. */
  loopbackOnly?: boolean;
  say?: (line: string) => void;
}

export async function makeHosts(options: HostOptions = {}): Promise<Hosts> {
  const say = options.say ?? (() => undefined);
  if (options.loopbackOnly) {
    say('hosts: loopback addresses as asked (CHAOS_HOSTS=loopback): 127.0.0.1 for the services, 127.0.0.2 and 127.0.0.3 for the servers');
    return loopbackHosts('asked for (CHAOS_HOSTS=loopback)');
  }
  const unavailable = await namespacesUnavailable();
  if (unavailable === null) {
    await removeLeftovers(say);
    try {
      return await makeNamespaces(say);
    } catch (error) {
      say(`network namespaces could not be made (${(error as Error).message}): running on loopback addresses instead`);
      return loopbackHosts((error as Error).message);
    }
  }
  say(`network namespaces not available (${unavailable}): running on loopback addresses 127.0.0.1, 127.0.0.2 and 127.0.0.3 instead`);
  return loopbackHosts(unavailable);
}

function loopbackHost(name: string, address: string): Host {
  return { name, address, namespace: null, command: (command, args) => [command, args] };
}

function loopbackHosts(reason: string): Hosts {
  return {
    mode: 'loopback', fallbackReason: reason, subnet: '127.0.0.0/8',
    services: loopbackHost('services', '127.0.0.1'),
    servers: [loopbackHost('a', '127.0.0.2'), loopbackHost('b', '127.0.0.3')],
    teardown: async () => undefined,
  };
}

async function namespacesUnavailable(): Promise<string | null> {
  if (process.platform !== 'linux') return `${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return 'not root';
  const probe = await runCommand('ip', ['netns', 'list'], process.env, 5_000);
  return probe.code === 0 ? null : `ip netns list: ${(probe.stderr || `exit ${probe.code}`).trim().split('\n')[0]}`;
}

/** `<pid, base 36><two random characters>`: short enough for interface names (15 characters). */
function newRunId(): string {
  return `${process.pid.toString(36)}${randomBytes(2).toString('hex').slice(0, 2)}`;
}

async function makeNamespaces(say: (line: string) => void): Promise<Hosts> {
  const id = newRunId();
  const octet = await freeSecondOctet();
  const addressOf = (n: number) => `10.${octet}.0.${n}`;
  const bridge = `${PREFIX}${id}-br`;
  const namespaces = NAMES.map((name) => `${PREFIX}${id}-${name === 'services' ? 'svc' : name}`);
  const teardown = () => removeRun(id, say);
  try {
    await ip(['link', 'add', bridge, 'type', 'bridge']);
    await ip(['addr', 'add', `${addressOf(BRIDGE_NUMBER)}/24`, 'dev', bridge]);
    await ip(['link', 'set', bridge, 'up']);
    for (const [index, name] of NAMES.entries()) {
      const namespace = namespaces[index]!;
      const outside = `${PREFIX}${id}-${name[0]}`;
      await ip(['netns', 'add', namespace]);
      await ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
      await ip(['link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
      await ip(['link', 'set', outside, 'master', bridge, 'up']);
      await ip(['-n', namespace, 'addr', 'add', `${addressOf(HOST_NUMBERS[name])}/24`, 'dev', 'eth0']);
      await ip(['-n', namespace, 'link', 'set', 'eth0', 'up']);
    }
  } catch (error) {
    await teardown();
    throw error;
  }
  const host = (index: number): Host => {
    const namespace = namespaces[index]!;
    return { name: NAMES[index]!, address: addressOf(HOST_NUMBERS[NAMES[index]!]), namespace, command: (command, args) => ['ip', ['netns', 'exec', namespace, command, ...args]] };
  };
  say(`hosts: network namespaces ${namespaces.join(', ')} on bridge ${bridge} (10.${octet}.0.0/24; this process is .${BRIDGE_NUMBER})`);
  return { mode: 'namespaces', fallbackReason: null, subnet: `10.${octet}.0.0/24`, services: host(0), servers: [host(1), host(2)], teardown };
}

/** 10.<x>.0.0/24 with no address or route of this machine in 10.<x>. */
async function freeSecondOctet(): Promise<number> {
  const taken = (await ip(['-4', 'route', 'show', 'table', 'all'])) + (await ip(['-4', '-o', 'addr', 'show']));
  for (let attempt = 0; attempt < 50; attempt++) {
    const octet = 200 + randomBytes(1)[0]! % 50;
    if (!taken.includes(`10.${octet}.`)) return octet;
  }
  throw new Error('no free 10.x.0.0/24 subnet among 10.200-249');
}

async function ip(args: string[]): Promise<string> {
  const result = await runCommand('ip', args, process.env, 10_000);
  if (result.code !== 0) throw new Error(`ip ${args.join(' ')}: ${(result.stderr || `exit ${result.code}`).trim().split('\n')[0]}`);
  return result.stdout;
}

/** The run ids of this prefix's namespaces and links, each with whether the run that made it still lives. */
async function runsLeftBehind(): Promise<string[]> {
  const names = [
    ...(await ip(['netns', 'list']).catch(() => '')).split('\n').map((line) => line.split(' ')[0] ?? ''),
    ...(await ip(['-o', 'link', 'show']).catch(() => '')).split('\n').map((line) => (line.split(': ')[1] ?? '').split('@')[0]!),
  ];
  const ids = new Set(names.map((name) => new RegExp(`^${PREFIX}([0-9a-z]+)-`).exec(name)?.[1]).filter((id): id is string => id !== undefined));
  return [...ids].filter((id) => !runIsAlive(id));
}

function runIsAlive(id: string): boolean {
  const pid = parseInt(id.slice(0, -2), 36);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function removeLeftovers(say: (line: string) => void): Promise<void> {
  for (const id of await runsLeftBehind()) {
    say(`hosts: removing the namespaces of an earlier run that is gone (${PREFIX}${id}-*)`);
    await removeRun(id, say);
  }
}

/**
 * Kills what still runs in the run's namespaces (only that run's processes live there), deletes
 * the namespaces (which takes their veth ends, and so the pairs) and the bridge.
 */
async function removeRun(id: string, say: (line: string) => void): Promise<void> {
  for (const name of NAMES) {
    const namespace = `${PREFIX}${id}-${name === 'services' ? 'svc' : name}`;
    const pids = (await ip(['netns', 'pids', namespace]).catch(() => '')).split('\n').map(Number).filter((pid) => pid > 0);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    if (pids.length > 0) say(`  killed ${pids.length} processes left in ${namespace}`);
    await ip(['netns', 'del', namespace]).catch(() => undefined);
    await ip(['link', 'del', `${PREFIX}${id}-${name[0]}`]).catch(() => undefined);
  }
  await ip(['link', 'del', `${PREFIX}${id}-br`]).catch(() => undefined);
}
