import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Logger } from '../shared/logger';
import { backoffDelay } from '../protocol/backoff';
import { settlesWithin } from '../shared/settlesWithin';

/** The variable that makes `ringside serve` a worker process, with its index (1 .. workers-1). */
export const WORKER_INDEX_VARIABLE = 'RINGSIDE_WORKER_INDEX';

/** What a worker tells its serve process over the IPC channel: its events' outcomes since the last message. */
export interface WorkerMessage {
  handled: Array<[type: string, outcome: 'ok' | 'error', count: number]>;
}

export interface WorkerSupervisorOptions {
  /** The server's processes in all (RINGSIDE_WORKERS): workers 1 .. count-1 are started here. */
  count: number;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** How a worker is started: by default this very command again (node, its flags, the entry, `serve` and its arguments). */
  command?: { file: string; args: string[] };
  /** A worker's events, counted into the serve process's metrics. */
  onHandled(type: string, outcome: 'ok' | 'error', count: number): void;
  /** How long a stopping worker gets before SIGKILL (default 15 s: its own stop takes seconds at most). */
  stopGraceMs?: number;
}

export interface WorkerSupervisor {
  /** Worker processes running now (not counting the serve process). */
  running(): number;
  /** SIGTERM to every worker, each awaited (SIGKILL after the grace); none is restarted after. */
  stop(): Promise<void>;
}

/** A worker that ran this long before dying is restarted at once again (the backoff starts over). */
const STABLE_MS = 30_000;
const RESTART_BACKOFF = { baseMs: 500, capMs: 30_000, jitter: 'equal' } as const;
const STOP_GRACE_MS = 15_000;
/** pino's numeric levels, for relaying a worker's lines at their own level. */
const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * Starts and keeps up the worker processes of `ringside serve` (RINGSIDE_WORKERS; docs/architecture.md,
 * Several workers on one server). A worker that exits unexpectedly is restarted with backoff; what
 * it held unacknowledged, RabbitMQ gives to the next consumer of its shard queues (its successor).
 * Its JSON log lines go through this process's logger (stderr and the log file), with `worker` and `workerPid`.
 */
export function startWorkerSupervisor(options: WorkerSupervisorOptions): WorkerSupervisor {
  const command = options.command ?? { file: process.execPath, args: [...process.execArgv, ...process.argv.slice(1)] };
  const children = new Map<number, ChildProcess>();
  const restarts = new Map<number, NodeJS.Timeout>();
  let stopping = false;

  const start = (index: number, attempt: number) => {
    const startedAt = Date.now();
    const child = spawn(command.file, command.args, {
      env: { ...options.env, [WORKER_INDEX_VARIABLE]: String(index) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    children.set(index, child);
    const log = options.logger.child({ worker: index, workerPid: child.pid });
    for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => relay(log, line));
    child.on('message', (message: WorkerMessage) => {
      for (const [type, outcome, count] of message.handled ?? []) options.onHandled(type, outcome, count);
    });
    child.on('error', (err) => log.error({ err }, 'worker process could not be started'));
    child.once('exit', (code, signal) => {
      children.delete(index);
      if (stopping) return;
      const next = Date.now() - startedAt >= STABLE_MS ? 0 : attempt + 1;
      const delayMs = Math.round(backoffDelay(next, RESTART_BACKOFF));
      log.warn({ code, signal, delayMs }, `worker ${index} exited unexpectedly; restarting it`);
      restarts.set(index, setTimeout(() => {
        restarts.delete(index);
        if (!stopping) start(index, next);
      }, delayMs));
    });
  };
  for (let index = 1; index < options.count; index++) start(index, -1);

  return {
    running: () => children.size,
    stop: async () => {
      stopping = true;
      for (const timer of restarts.values()) clearTimeout(timer);
      restarts.clear();
      await Promise.all([...children.values()].map((child) => stopChild(child, options.stopGraceMs ?? STOP_GRACE_MS)));
    },
  };
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  if (await settlesWithin(exited, graceMs)) return;
  child.kill('SIGKILL');
  await exited;
}

/** A worker's line into this process's log: its JSON fields at its level, anything else as a warning. */
function relay(log: Logger, line: string): void {
  if (line.trim() === '') return;
  let parsed: Record<string, unknown> | null = null;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // not one of its log lines: a crash's stack trace, say
  }
  if (parsed === null) {
    log.warn({ output: line.slice(0, 2_000) }, 'worker output');
    return;
  }
  const { level, msg, time: _time, pid: _pid, hostname: _hostname, name: _name, ...fields } = parsed;
  log[LEVELS[Number(level)] ?? 'info'](fields, typeof msg === 'string' ? msg : '');
}
