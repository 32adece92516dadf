import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JOURNAL_SIZE_LIMIT_BYTES } from '../../src/adapters/sqlite/database';
import { makeTempDir } from '../../test/support/tmp';
import { startChild, type ChildServer } from './children';
import { CONNECTIONS, TOKEN_ENV } from './measure';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** The product as the README runs it: `ringside serve`, from the built bundle when there is one, on free ports. */
export function ringsideCommand(): { args: string[]; built: boolean; env: Record<string, string> } {
  const built = existsSync(here('../../out/server/ringside.mjs'));
  return {
    args: [here('../../bin/ringside.js'), 'serve'],
    built,
    env: {
      RINGSIDE_USE_BUILD: built ? '1' : '0', RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0',
      RINGSIDE_LOG_LEVEL: 'warn',
      // The load comes from one address over BENCH_CONNECTIONS keep-alive connections (plus the
      // latency probe's): the per-address cap must not be what the bench measures.
      RINGSIDE_WEBHOOK_MAX_CONNECTIONS: String(Math.max(512, CONNECTIONS + 16)),
      RINGSIDE_WEBHOOK_MAX_CONNECTIONS_PER_ADDRESS: String(Math.max(128, CONNECTIONS + 16)),
    },
  };
}

export interface EmbeddedRingside {
  server: ChildServer;
  built: boolean;
  /** Its data directory (SQLite files, tokens, secrets key). */
  dataDir: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** `ringside serve` in the embedded single-seat topology (SQLite in a fresh directory), with the bench's admin token and no phone rate limit. */
export async function startEmbeddedRingside(): Promise<EmbeddedRingside> {
  const temp = makeTempDir('ringside-bench-');
  const { args, built, env } = ringsideCommand();
  try {
    const server = await startChild(args, { ...env, RINGSIDE_DATA_DIR: temp.dir, ...TOKEN_ENV, RINGSIDE_PHONE_RATE_LIMIT: '0' }, ['webhookUrl', 'apiUrl']);
    return {
      server,
      built,
      dataDir: temp.dir,
      stop: async () => {
        try {
          await server.stop();
        } finally {
          temp.cleanup();
        }
      },
    };
  } catch (error) {
    temp.cleanup();
    throw error;
  }
}

/**
 * What a data directory holds on disk: the total and each file, largest first
 * (`data directory: 9.1 MB (ringside.db 5.2 MB, spool.db-wal 2.0 MB, …)`). The files must stay
 * bounded under load: the spool gives back what it prunes, WAL files are truncated after checkpoints.
 */
export function dataDirSize(dir: string): string {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => ({ name: entry.name, bytes: statSync(join(dir, entry.name)).size }))
    .sort((a, b) => b.bytes - a.bytes);
  const total = files.reduce((sum, file) => sum + file.bytes, 0);
  const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `data directory: ${megabytes(total)} (${files.map((file) => `${file.name} ${megabytes(file.bytes)}`).join(', ')})`;
}

/**
 * dataDirSize once the server has caught up and every WAL is back under the journal size limit
 * (a checkpoint copied it back and truncated it), or what it is after `deadlineMs`, said so.
 */
export async function dataDirSizeOnceIdle(dir: string, deadlineMs = 15_000): Promise<string> {
  const started = performance.now();
  const walsSmall = () => readdirSync(dir).filter((name) => name.endsWith('-wal')).every((name) => statSync(join(dir, name)).size <= JOURNAL_SIZE_LIMIT_BYTES);
  while (!walsSmall() && performance.now() - started < deadlineMs) await new Promise((resolve) => setTimeout(resolve, 200));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return `${dataDirSize(dir)} ${walsSmall() ? `once idle (${seconds} s after the load)` : `${seconds} s after the load, WAL files still above ${JOURNAL_SIZE_LIMIT_BYTES / 1024 / 1024} MiB`}`;
}
