import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LOCAL_HOST, type Host } from './hosts';
import { assertLoopbackUrl, httpGet } from './net';
import { isRunning, killHard, spawnOwned, stopChild, type Cleanup } from './processes';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 60_000;

export interface Health {
  spoolDepth: number;
  redis: string;
  rabbitmq: string;
}

/**
 * One `ringside serve` child in shared mode. It keeps its data directory (its outbox) and its
 * ports across a `kill -9` and restart, as a server restarted by its supervisor would, so the
 * phones keep sending to the same address. On a host of the run's own (tools/chaos/hosts.ts) it
 * runs inside that host's network namespace; its listeners must be on that host's address.
 */
export class RingsideProcess {
  private child: ChildProcess | null = null;
  private unregister: (() => void) | null = null;
  webhookUrl = '';
  apiUrl = '';

  private constructor(
    readonly name: string,
    readonly dataDir: string,
    private readonly env: Record<string, string>,
    readonly token: string,
    private readonly cleanup: Cleanup,
    readonly host: Host,
  ) {}

  static async start(name: string, dataDir: string, env: Record<string, string>, cleanup: Cleanup, host: Host = LOCAL_HOST): Promise<RingsideProcess> {
    const ringside = new RingsideProcess(name, dataDir, env, env.RINGSIDE_ADMIN_TOKEN!, cleanup, host);
    await ringside.launch({ RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0' });
    return ringside;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && isRunning(this.child);
  }

  async kill9(): Promise<void> {
    if (this.child) await killHard(this.child);
    this.forget();
  }

  /** Same data dir (its outbox still holds what it acknowledged), same ports. */
  restart(): Promise<void> {
    return this.launch({ RINGSIDE_WEBHOOK_PORT: new URL(this.webhookUrl).port, RINGSIDE_API_PORT: new URL(this.apiUrl).port });
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child, 'SIGTERM', 15_000);
    this.forget();
  }

  async health(): Promise<Health | null> {
    const answer = await httpGet(`${this.apiUrl}/healthz`, { timeoutMs: 2_000 });
    if (answer.status !== 200) return null;
    const { spoolDepth, redis, rabbitmq } = answer.body as { spoolDepth?: unknown; redis?: unknown; rabbitmq?: unknown };
    return typeof spoolDepth === 'number' ? { spoolDepth, redis: String(redis), rabbitmq: String(rabbitmq) } : null;
  }

  /** Events this process's handlers ran since it started (ringside_events_handled_total), or null when it does not answer. */
  async handledEvents(): Promise<number | null> {
    const answer = await httpGet(`${this.apiUrl}/metrics`, { token: this.token, timeoutMs: 2_000 });
    const text = typeof answer.body.text === 'string' ? answer.body.text : null;
    if (answer.status !== 200 || text === null) return null;
    let total = 0;
    for (const match of text.matchAll(/^ringside_events_handled_total\{[^}]*\} (\d+)/gm)) total += Number(match[1]);
    return total;
  }

  /** Local ports of this process's TCP sockets (to recognise its connections in the broker's list). */
  clientPorts(): Set<number> {
    return this.pid === undefined ? new Set() : tcpPortsOf(this.pid);
  }

  private async launch(ports: Record<string, string>): Promise<void> {
    const child = spawnOwned(...this.host.command(process.execPath, ['bin/ringside.js', 'serve']), {
      env: { ...this.env, ...ports }, logFile: join(this.dataDir, '..', `${this.name}.log`), pipeStdout: true, cwd: REPO_ROOT,
    });
    this.child = child;
    this.unregister = this.cleanup.add(`${this.name} (pid ${child.pid})`, () => stopChild(child, 'SIGTERM', 15_000), 'process');
    const urls = await readStartupLines(child);
    const runAddresses = this.host === LOCAL_HOST ? [] : [this.host.address];
    assertLoopbackUrl(urls.webhook, `${this.name} webhook`, runAddresses);
    assertLoopbackUrl(urls.api, `${this.name} agent API`, runAddresses);
    this.webhookUrl = urls.webhook;
    this.apiUrl = urls.api;
  }

  private forget(): void {
    this.unregister?.();
    this.unregister = null;
    this.child = null;
  }
}

/** `webhook listening on URL` and `agent API on URL`, which `ringside serve` prints once listening. */
function readStartupLines(child: ChildProcess): Promise<{ webhook: string; api: string }> {
  const lines = createInterface({ input: child.stdout! });
  let webhook = '';
  let api = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`ringside serve printed no URLs within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: string | null) => finish(new Error(`ringside serve exited (${code ?? signal}) before listening`));
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      lines.off('line', onLine);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve({ webhook, api });
    };
    const onLine = (line: string) => {
      webhook = /^webhook listening on (\S+)/.exec(line)?.[1] ?? webhook;
      api = /^agent API on (\S+)/.exec(line)?.[1] ?? api;
      if (webhook && api) finish(null);
    };
    lines.on('line', onLine);
    child.once('exit', onExit);
  });
}

/** Local ports of a process's TCP sockets: its socket inodes (/proc/PID/fd) looked up in /proc/PID/net/tcp{,6}. */
function tcpPortsOf(pid: number): Set<number> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const target = safeReadlink(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    }
  } catch {
    return new Set();
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const inode = fields[9];
      if (local && inode && inodes.has(inode)) ports.add(parseInt(local.split(':')[1]!, 16));
    }
  }
  return ports;
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
