import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

/**
 * Every process the chaos run starts, and every private service, is registered here with a way
 * to stop it; the run stops them all, newest first, on success, failure, Ctrl-C or its own
 * deadline. Processes are only ever signalled by the PID this run got when it started them.
 */
export class Cleanup {
  private readonly tasks: Array<{ name: string; run: () => Promise<void>; stage: CleanupStage }> = [];
  private running: Promise<void> | null = null;

  /**
   * Registers a stop step; returns a function that unregisters it (the thing was stopped
   * normally). Ringside processes ('process') stop before the services ('service') whatever the
   * order they were (re)started in: a Ringside process whose Redis is gone cannot shut down cleanly.
   */
  add(name: string, run: () => Promise<void>, stage: CleanupStage = 'service'): () => void {
    const task = { name, run, stage };
    this.tasks.push(task);
    return () => {
      const index = this.tasks.indexOf(task);
      if (index >= 0) this.tasks.splice(index, 1);
    };
  }

  /** Runs every registered step once, processes first, newest first; a step that fails or hangs does not stop the others. */
  runAll(say: (line: string) => void = () => undefined): Promise<void> {
    this.running ??= (async () => {
      for (let task = this.takeNext(); task; task = this.takeNext()) {
        const started = Date.now();
        try {
          await withTimeout(task.run(), CLEANUP_STEP_MS, `stopping ${task.name}`);
          say(`  stopped ${task.name} (${Date.now() - started} ms)`);
        } catch (error) {
          say(`  cleanup: ${(error as Error).message}`);
        }
      }
    })();
    return this.running;
  }

  /** The newest process step, or else the newest service step. */
  private takeNext(): { name: string; run: () => Promise<void> } | undefined {
    const stage: CleanupStage = this.tasks.some((task) => task.stage === 'process') ? 'process' : 'service';
    const index = this.tasks.map((task) => task.stage).lastIndexOf(stage);
    return index >= 0 ? this.tasks.splice(index, 1)[0] : undefined;
  }
}

export type CleanupStage = 'process' | 'service';

/** Longer than any stop step's own escalation (RabbitMQ: shutdown, then SIGTERM, then SIGKILL). */
const CLEANUP_STEP_MS = 45_000;

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here (kept across restarts of the same service). */
  logFile: string;
  /** Keep stdout readable by the caller (it is still copied to the log). */
  pipeStdout?: boolean;
  cwd?: string;
}

/**
 * Starts a child in a process group of its own: a Ctrl-C in the terminal then reaches only the
 * chaos run, which stops its children itself, in order (Redis and RabbitMQ last, so Ringside
 * never sees them vanish during its own shutdown).
 */
export function spawnOwned(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  copyInto(child, log, options.pipeStdout ?? false);
  child.once('exit', () => log.end());
  child.on('error', (error) => log.write(`chaos: ${command} failed to start: ${error.message}\n`));
  return child;
}

function copyInto(child: ChildProcess, log: WriteStream, keepStdout: boolean): void {
  child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
  if (keepStdout) child.stdout!.on('data', (chunk: Buffer) => log.write(chunk));
  else child.stdout!.pipe(log, { end: false });
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends `signal` to the child (by its PID) and waits for it to exit; escalates to SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (!isRunning(child)) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => {
    if (isRunning(child)) child.kill('SIGKILL');
  }, graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** `kill -9` and wait until the process is gone. */
export function killHard(child: ChildProcess): Promise<void> {
  return stopChild(child, 'SIGKILL', 0);
}

/** Runs a command to completion; resolves with its exit code and output, never rejects. */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
