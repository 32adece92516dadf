import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir } from '../shared/privateFiles';
import type { RingsideConfig } from '../app/config/schema';

/** What `<data dir>/ringside.pid` holds while a `ringside serve` runs on that data directory. */
export interface InstanceRecord {
  pid: number;
  webhookPort: number;
  apiPort: number;
  /** The agent API's address once it listens (null while starting). */
  apiUrl: string | null;
  startedAt: string;
}

/** Another Ringside runs on this data directory: exit 1 with this one line. */
export class AlreadyRunningError extends Error {}

export const PID_FILE = 'ringside.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function read(file: string): InstanceRecord | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<InstanceRecord>;
    return typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0 ? (parsed as InstanceRecord) : null;
  } catch {
    return null;
  }
}

export function alreadyRunningMessage(record: InstanceRecord, dataDir: string): string {
  const where = record.apiUrl ? `; its agent UI: ${record.apiUrl}/` : '';
  return `Ringside is already running (pid ${record.pid}, ports ${record.webhookPort} for phones and ${record.apiPort} for the agent API, data directory ${dataDir})${where}; `
    + 'sign in with: npx ringside signin; stop it first to start another one here';
}

/**
 * One `ringside serve` per data directory: `<data dir>/ringside.pid` (pid, ports), created
 * exclusively at start and removed at stop. A file left by a process that is gone (killed, a
 * crash) is stale and replaced.
 */
export class InstanceLock {
  private constructor(private readonly file: string, private record: InstanceRecord) {}

  static acquire(config: RingsideConfig): InstanceLock {
    // A data directory named but not there yet is made (private): with both tokens given as
    // settings nothing else has written to it before this file (deploy/ringside.env.example).
    makePrivateDir(config.dataDir);
    const file = join(config.dataDir, PID_FILE);
    const record: InstanceRecord = { pid: process.pid, webhookPort: config.webhook.port, apiPort: config.api.port, apiUrl: null, startedAt: new Date().toISOString() };
    for (let attempt = 0; ; attempt++) {
      try {
        writeFileSync(file, `${JSON.stringify(record)}\n`, { flag: 'wx', mode: 0o600 });
        return new InstanceLock(file, record);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      }
      const running = read(file);
      if (running !== null && running.pid !== process.pid && alive(running.pid)) throw new AlreadyRunningError(alreadyRunningMessage(running, config.dataDir));
      // Stale (its process is gone) or unreadable: replaced.
      try {
        unlinkSync(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }

  /** Once listening: the ports bound (port 0 picks one) and the agent API's address. */
  listening(webhookPort: number, apiPort: number, apiUrl: string): void {
    this.record = { ...this.record, webhookPort, apiPort, apiUrl };
    if (read(this.file)?.pid === process.pid) writeFileSync(this.file, `${JSON.stringify(this.record)}\n`, { mode: 0o600 });
  }

  /** At stop: removes the file if it is still this process's. */
  release(): void {
    if (read(this.file)?.pid !== process.pid) return;
    try {
      unlinkSync(this.file);
    } catch {
      // already gone
    }
  }
}

/** Which setting chooses a port that is taken, for the EADDRINUSE message. */
export function portInUseMessage(error: NodeJS.ErrnoException & { port?: number; address?: string }, config: RingsideConfig): string | null {
  if (error.code !== 'EADDRINUSE') return null;
  const port = error.port;
  const setting = port === config.api.port
    ? 'the agent API: api.port, RINGSIDE_API_PORT, --api-port'
    : port === config.webhook.port
      ? 'the phone listener: webhook.port, RINGSIDE_WEBHOOK_PORT, --webhook-port'
      : null;
  const address = error.address ? `${error.address}:${port}` : `port ${port}`;
  return `${address} is already in use${setting ? ` (${setting})` : ''}: another Ringside (with another data directory) or another program listens there; stop it, or choose another port`;
}
