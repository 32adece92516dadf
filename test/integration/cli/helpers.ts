import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TextWatch, waitFor, type WaitOptions } from '../../support/wait';

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

/** How long one CLI run may take to complete (a child process of its own: node, tsx, start-up). */
export const CLI_RUN_MS = 25_000;

/** Runs a command to completion; kills it and fails, naming the command, if it has not exited within `timeoutMs`. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, bin = RINGSIDE_BIN, options: WaitOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  let child: ChildProcess | null = null;
  return waitFor<CliResult>(`${basename(bin)} ${args.join(' ')} to exit`, (resolve, reject) => {
    child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    return () => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
  }, { timeoutMs: options.timeoutMs ?? CLI_RUN_MS, seen: () => `stdout:\n${stdout}\nstderr:\n${stderr}` });
}

export interface RunningCli {
  child: ChildProcess;
  /**
   * Resolves with stdout so far once a line matches, after the line the previous wait matched;
   * rejects if the process ends first, or after WAIT_MS.
   */
  waitForLine(pattern: RegExp, options?: WaitOptions): Promise<string>;
  exited: Promise<CliResult>;
}

/** Starts a long-running command (serve) and lets the test wait for its output lines. */
export function startCli(args: string[], env: NodeJS.ProcessEnv, bin = RINGSIDE_BIN): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const stdout = new TextWatch(`the stdout of ${basename(bin)} ${args.join(' ')}`, () => `stderr:\n${stderr}`);
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stdout.append(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code) => {
      stdout.end(`exited (${code})`);
      resolve({ code, stdout: stdout.output, stderr });
    });
  });
  return {
    child,
    exited,
    waitForLine: async (pattern, options) => {
      await stdout.next(pattern, options);
      return stdout.output;
    },
  };
}
