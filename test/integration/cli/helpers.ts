import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const RINGSIDE_BIN = fileURLToPath(new URL('../../../bin/ringside.js', import.meta.url));
export const START_BIN = fileURLToPath(new URL('../../../bin/start.js', import.meta.url));

/**
 * The environment of a CLI child: this process's, minus every setting Ringside reads, plus the
 * test's own. No provisioning file from this machine leaks in.
 */
export function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(RINGSIDE_|REDIS_|AMQP_URL$|ELECTRON_|DISPLAY$|WAYLAND_DISPLAY$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, RINGSIDE_PROVISIONING_FILE: '/nonexistent/ringside.json', RINGSIDE_LOG_LEVEL: 'warn', ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, bin = RINGSIDE_BIN): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves with stdout so far once a line matches; rejects if the process ends first. */
  waitForLine(pattern: RegExp): Promise<string>;
  exited: Promise<CliResult>;
}

/** Starts a long-running command (serve) and lets the test wait for its output lines. */
export function startCli(args: string[], env: NodeJS.ProcessEnv, bin = RINGSIDE_BIN): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let closed = false;
  const waiters: Array<{ pattern: RegExp; resolve: (out: string) => void; reject: (e: Error) => void }> = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (stdout.split('\n').some((line) => waiter.pattern.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(stdout);
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code) => {
      closed = true;
      for (const waiter of waiters.splice(0)) {
        waiter.reject(new Error(`exited (${code}) before printing ${waiter.pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }
      resolve({ code, stdout, stderr });
    });
  });
  return {
    child,
    exited,
    waitForLine: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
        if (closed && waiters.some((w) => w.pattern === pattern)) {
          waiters.splice(waiters.findIndex((w) => w.pattern === pattern), 1);
          reject(new Error(`exited before printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }
      }),
  };
}
