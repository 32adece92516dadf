import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { JOURNAL_SIZE_LIMIT_BYTES } from './database';

/**
 * Moves WAL checkpoints off the event loop. With synchronous=NORMAL a commit only appends to
 * the WAL; the checkpoint that copies it back into the database is where SQLite waits for the
 * disk (fsync). Run by the connection that happens to cross the auto-checkpoint threshold, it
 * stalls whichever request is in flight for milliseconds, so the hot connections raise their
 * threshold (a bound if this worker is gone) and a worker thread checkpoints on its own
 * connection, which SQLite allows concurrently with readers and the writer (PASSIVE mode).
 *
 * The WAL file itself stays small: a writer truncates it to JOURNAL_SIZE_LIMIT_BYTES when it
 * starts it over after a checkpoint (database.ts). A WAL left large by a burst with no write after
 * it (an idle seat) is truncated here: once a checkpoint has copied all of it back and nothing has
 * written to it for quietMs, a TRUNCATE checkpoint that does not wait (busy_timeout 0: given up at
 * once if anyone reads or writes) empties it. Never while it is being written: that checkpoint
 * holds the write lock, and the writes that meet it wait.
 */
const WORKER_SOURCE = `
const { statSync, watch } = require('node:fs');
const { basename, dirname, join } = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const connections = workerData.files.map((file) => {
  const db = new Database(file);
  db.pragma('busy_timeout = 1000');
  return { db, wal: file + '-wal' };
});
function walSize(file) {
  try { return statSync(file).size; } catch { return 0; }
}
/**
 * Nothing has written to the WAL for quietMs. A TRUNCATE checkpoint holds the write lock while it
 * empties the file, and a write that meets it sleeps in SQLite's busy handler (1, 2, 5, 10 ms...):
 * the popup of a call arriving then waited 20 ms and more. A WAL still being written is left to its
 * writer, which truncates it itself when it starts it over (journal_size_limit).
 */
function quiet(file) {
  try { return Date.now() - statSync(file).mtimeMs >= workerData.quietMs; } catch { return true; }
}
/** One round over every file; true when one has work left (busy, or a large WAL not yet emptied). */
function checkpointAll() {
  let left = false;
  for (const { db, wal } of connections) {
    try {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)');
      const copied = result && result.busy === 0 && result.log === result.checkpointed;
      if (!copied) { left = true; continue; }
      if (walSize(wal) > workerData.walLimitBytes) {
        if (!quiet(wal)) { left = true; continue; }
        db.pragma('busy_timeout = 0');
        try { db.pragma('wal_checkpoint(TRUNCATE)'); } finally { db.pragma('busy_timeout = 1000'); }
        if (walSize(wal) > workerData.walLimitBytes) left = true;
      }
    } catch { left = true; /* busy: the next round takes it */ }
  }
  return left;
}
let timer = null;
let timerUrgent = false;
let poll = null;
/**
 * A round within intervalMs, or at once (urgent) for a WAL written past the limit. Copied late, a
 * busy WAL ran on to the hot connections' own checkpoint (about 40 MB: on the event loop), and its
 * writer then truncated those 40 MB to the limit when it started it over: a popup waited 15 ms for
 * each. Kept near the limit, the WAL is started over with little or nothing to cut off.
 */
function soon(urgent = false) {
  if (timer !== null && (timerUrgent || !urgent)) return;
  if (timer !== null) clearTimeout(timer);
  timerUrgent = urgent;
  timer = setTimeout(() => {
    timer = null;
    if (checkpointAll()) soon();
  }, urgent ? 0 : workerData.intervalMs);
}
// A round follows the writes: a WAL written to (seen by watching its directory, no polling) is
// checkpointed within intervalMs (at once past the limit), and an idle process does not wake
// (docs/architecture.md, Idle).
// Where the file system cannot be watched, rounds run every intervalMs as before.
const walNames = new Map();
for (const { wal } of connections) {
  const dir = dirname(wal);
  if (!walNames.has(dir)) walNames.set(dir, new Set());
  walNames.get(dir).add(basename(wal));
}
const watchers = [];
try {
  for (const [dir, names] of walNames) {
    const watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name === null || names.has(String(name))) soon(name !== null && walSize(join(dir, String(name))) > workerData.walLimitBytes);
    });
    // The directory gone (a test's temp dir removed first): nothing left to checkpoint there.
    watcher.on('error', () => watcher.close());
    watchers.push(watcher);
  }
  soon();
} catch {
  for (const watcher of watchers) watcher.close();
  poll = setInterval(checkpointAll, workerData.intervalMs);
}
parentPort.on('message', () => {
  if (timer !== null) clearTimeout(timer);
  if (poll !== null) clearInterval(poll);
  for (const watcher of watchers) watcher.close();
  for (const { db } of connections) {
    try { db.pragma('wal_checkpoint(PASSIVE)'); db.close(); } catch { /* closing anyway */ }
  }
  parentPort.postMessage('closed');
});
`;

/** Pages after which a hot connection checkpoints itself anyway (about 40 MB of WAL). */
export const HOT_CONNECTION_CHECKPOINT_PAGES = 10_000;

export interface WalCheckpointer {
  close(): Promise<void>;
}

/**
 * `intervalMs`: a WAL written to is checkpointed within it. `quietMs`: how long nothing must have
 * written to a WAL before the thread empties it (default intervalMs).
 */
export function startWalCheckpointer(files: string[], intervalMs = 500, options: { quietMs?: number } = {}): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const quietMs = options.quietMs ?? intervalMs;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, files, intervalMs, quietMs, walLimitBytes: JOURNAL_SIZE_LIMIT_BYTES } });
  worker.unref();
  return {
    close: () =>
      new Promise<void>((resolve) => {
        worker.once('message', () => void worker.terminate().then(() => resolve()));
        worker.once('error', () => resolve());
        worker.once('exit', () => resolve());
        worker.postMessage('close');
      }),
  };
}
