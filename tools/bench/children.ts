import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The command name in /proc/<pid>/stat and the fields after it (field 3 onwards; the name may hold
 * spaces, so fields are counted after its closing parenthesis); null once the process is gone.
 */
function statOf(pid: number, file = `/proc/${pid}/stat`): { name: string; fields: string[] } | null {
  try {
    const stat = readFileSync(file, 'utf8');
    return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), fields: stat.slice(stat.lastIndexOf(')') + 2).split(' ') };
  } catch {
    return null;
  }
}

/** User + system CPU time of a process so far (all its threads), in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  return busyTicks(pid);
}

/** User + system time (fields 14 and 15) from a process's or one of its threads' stat file. */
function busyTicks(pid: number, file?: string): number {
  const stat = statOf(pid, file);
  if (!stat) throw new Error(`process ${pid} is gone`);
  return Number(stat.fields[11]) + Number(stat.fields[12]);
}

/** The parent pid of a process (field 4 of /proc/<pid>/stat), or null once it is gone. */
function parentOf(pid: number): number | null {
  const stat = statOf(pid);
  return stat ? Number(stat.fields[1]) : null;
}

/** A process and all its descendants, read from every /proc/<pid>/stat's parent pid. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop()!;
    tree.push(next);
    pending.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** Sums a per-process reading over a tree, leaving out a process gone meanwhile. */
function sumOverTree(pid: number, read: (pid: number) => number): number {
  let total = 0;
  for (const member of processTree(pid)) {
    try {
      total += read(member);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/**
 * cpuTicks of a process and all its descendants (a `ringside serve` with RINGSIDE_WORKERS runs
 * its worker processes as children). A descendant that exits between the reads is left out (its
 * ticks go to its parent's cutime, which this does not count): a bench compares trees whose
 * processes live through the load.
 */
export function treeCpuTicks(pid: number): number {
  return sumOverTree(pid, cpuTicks);
}

/**
 * CPU ticks of a service the machine runs (every process with this command name, e.g. PostgreSQL's
 * `postgres`): the live processes' user + system time, plus what the service's own parent process
 * reaped from children that have exited (cutime + cstime: a connection's backend ends when its
 * client disconnects). Only meaningful while nothing else uses the service.
 */
export function serviceCpuTicks(name: string): number {
  const members = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((entry) => {
    const stat = statOf(Number(entry));
    return stat && stat.name === name ? [stat] : [];
  });
  let total = 0;
  for (const { fields } of members) {
    total += Number(fields[11]) + Number(fields[12]);
    const parent = statOf(Number(fields[1]));
    if (parent?.name !== name) total += Number(fields[13]) + Number(fields[14]);
  }
  return total;
}

/** CPU ticks of a process's main thread alone (its JavaScript event loop; /proc/<pid>/task/<pid>/stat). */
export function mainThreadTicks(pid: number): number {
  return busyTicks(pid, `/proc/${pid}/task/${pid}/stat`);
}

export interface WriteCounts { calls: number; bytes: number }

/**
 * Write system calls and bytes written (files and sockets alike) by a process tree so far, from
 * /proc/<pid>/io (syscw, wchar). Counts, not times: they hold still on a noisy machine, where a
 * CPU figure moves by a fifth from one run to the next.
 */
export function treeWrites(pid: number): WriteCounts {
  const field = (io: string, name: string) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? 0);
  const reads = processTree(pid).flatMap((member) => {
    try {
      return [readFileSync(`/proc/${member}/io`, 'utf8')];
    } catch {
      return [];
    }
  });
  return { calls: reads.reduce((n, io) => n + field(io, 'syscw'), 0), bytes: reads.reduce((n, io) => n + field(io, 'wchar'), 0) };
}

export interface ChildServer {
  process: ChildProcess;
  urls: Record<string, string>;
  /** Resident memory of the child, from /proc (Linux) or null. */
  rssBytes(): number | null;
  stop(): Promise<void>;
}

const URL_LINES: Array<[key: string, pattern: RegExp]> = [
  ['webhookUrl', /^webhook listening on (\S+)/],
  ['apiUrl', /^agent API on (\S+)/],
];

/**
 * Servers started here and not exited yet. Should the bench process end without stopping one (an
 * error thrown outside the awaited chain ends it at once, past every `finally`), it is sent
 * SIGTERM on the way out, so no server runs on holding the machine's CPU and its RabbitMQ queues.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

/**
 * Starts a server in its own process and reads its URLs from what it prints once listening:
 * a JSON line, or `ringside serve`'s start-up lines.
 */
export async function startChild(args: string[], env: Record<string, string> = {}, expect: string[] = ['webhookUrl']): Promise<ChildServer> {
  // BENCH_CHILD_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof': a profile of each server, written when it stops.
  const nodeFlags = process.env.BENCH_CHILD_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeFlags, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', process.env.BENCH_CHILD_STDERR ? 'inherit' : 'ignore'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const lines = createInterface({ input: child.stdout! });
  const output: string[] = [];
  const urls: Record<string, string> = {};
  // Lines arrive in bursts: every one is read by the listener, none between two awaits.
  await new Promise<void>((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line);
      if (line.startsWith('{')) Object.assign(urls, JSON.parse(line) as Record<string, string>);
      for (const [key, pattern] of URL_LINES) {
        const match = pattern.exec(line);
        if (match) urls[key] = match[1]!;
      }
      if (expect.every((key) => key in urls)) {
        lines.off('line', onLine);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`server exited (${String(code)}) before listening: ${output.join('\n')}`));
    lines.on('line', onLine);
    child.once('exit', onExit);
  });
  return {
    process: child,
    urls,
    rssBytes: () => {
      try {
        const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        return kb ? Number(kb) * 1024 : null;
      } catch {
        return null;
      }
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
