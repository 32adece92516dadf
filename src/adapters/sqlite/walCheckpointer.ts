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
const { basename, dirname } = require('node:path');
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
// A round follows the writes without a poll while nothing writes (docs/architecture.md, Idle):
// idle, the thread watches the WALs' directories (fs.watch) and sleeps. The first write wakes it,
// and it stops watching: inotify queues an event for every write system call, and the writer pays
// for each one (about 8 % of a desktop seat's event loop under load, issue 15). While writes go on
// it looks at the WALs every pollMs instead: a round intervalMs after the first write since the
// last round, at once for a write that takes a WAL past the limit. Copied late, a busy WAL ran on
// to the hot connections' own checkpoint (about 40 MB: on the event loop), and its writer then
// truncated those 40 MB to the limit when it started it over: a popup waited 15 ms for each. Once
// nothing has changed for intervalMs and no work is left, it watches again.
// Where the file system cannot be watched, it looks every pollMs for as long as it runs.
const walNames = new Map();
for (const { wal } of connections) {
  const dir = dirname(wal);
  if (!walNames.has(dir)) walNames.set(dir, new Set());
  walNames.get(dir).add(basename(wal));
}
const pollMs = Math.min(workerData.pollMs, workerData.intervalMs);
let watchers = [];
let canWatch = true;
let pollTimer = null;
let quickLook = null;
/** When the next round is due (a WAL written since the last one), or null. */
let dueAt = null;
let lastChangeAt = 0;
let workLeft = false;
/** Each WAL's last modification time as last seen (nanoseconds, as a string: exact). */
const seen = new Map();
function stamp(file) {
  try {
    const stat = statSync(file, { bigint: true });
    return { size: Number(stat.size), modified: String(stat.mtimeNs) };
  } catch {
    return { size: 0, modified: 'none' };
  }
}
/** One look at every WAL; a round when one is due. */
function look() {
  const now = Date.now();
  let urgent = false;
  for (const { wal } of connections) {
    const { size, modified } = stamp(wal);
    if (seen.get(wal) === modified) continue;
    seen.set(wal, modified);
    lastChangeAt = now;
    if (dueAt === null) dueAt = now + workerData.intervalMs;
    if (size > workerData.walLimitBytes) urgent = true;
  }
  if (urgent || (dueAt !== null && now >= dueAt)) {
    dueAt = null;
    workLeft = checkpointAll();
    if (workLeft) dueAt = Date.now() + workerData.intervalMs;
  }
  // Past the limit, the writer starts the WAL over only at a commit that finds all of it copied,
  // and commits keep coming while a round copies and syncs. The next look comes at once, not a
  // poll later: every write past the limit meets a round that has just copied what came before it
  // (without it the WAL grew to 40 MB under a sustained load and the writer checkpointed on the event loop).
  if (urgent && quickLook === null) {
    quickLook = setTimeout(() => {
      quickLook = null;
      look();
    }, 1);
  }
  if (pollTimer !== null && canWatch && dueAt === null && !workLeft && now - lastChangeAt >= workerData.intervalMs) sleepUntilWritten();
}
function pollWhileWritten() {
  for (const watcher of watchers) watcher.close();
  watchers = [];
  if (pollTimer === null) pollTimer = setInterval(look, pollMs);
  look();
}
function sleepUntilWritten() {
  if (pollTimer !== null) clearInterval(pollTimer);
  pollTimer = null;
  try {
    for (const [dir, names] of walNames) {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(String(name))) pollWhileWritten();
      });
      // The directory gone (a test's temp dir removed first): nothing left to checkpoint there.
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    }
  } catch {
    canWatch = false;
    pollWhileWritten();
    return;
  }
  // A write between the last look and the watch: seen now rather than at the next write.
  if (connections.some(({ wal }) => seen.get(wal) !== stamp(wal).modified)) pollWhileWritten();
}
for (const { wal } of connections) seen.set(wal, stamp(wal).modified);
// A round for what earlier runs left in the WALs, intervalMs after start as after a write.
dueAt = Date.now() + workerData.intervalMs;
pollWhileWritten();
parentPort.on('message', () => {
  if (quickLook !== null) clearTimeout(quickLook);
  if (pollTimer !== null) clearInterval(pollTimer);
  pollTimer = null;
  for (const watcher of watchers) watcher.close();
  for (const { db } of connections) {
    try { db.pragma('wal_checkpoint(PASSIVE)'); db.close(); } catch { /* closing anyway */ }
  }
  parentPort.postMessage('closed');
});
`;

/**
 * How often the thread looks at the WALs while they are being written. A WAL written at 7 MB/s (a
 * desktop seat under a burst) grows by about 350 KB between two looks past the 4 MiB limit.
 */
const WRITTEN_POLL_MS = 50;

/** Pages after which a hot connection checkpoints itself anyway (about 40 MB of WAL). */
export const HOT_CONNECTION_CHECKPOINT_PAGES = 10_000;

export interface WalCheckpointer {
  close(): Promise<void>;
}

/**
 * `intervalMs`: a WAL written to is checkpointed within it. `quietMs`: how long nothing must have
 * written to a WAL before the thread empties it (default intervalMs). `pollMs`: how often it looks
 * at the WALs while they are written (at most intervalMs).
 */
export function startWalCheckpointer(files: string[], intervalMs = 500, options: { quietMs?: number; pollMs?: number } = {}): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const quietMs = options.quietMs ?? intervalMs;
  const pollMs = options.pollMs ?? WRITTEN_POLL_MS;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, files, intervalMs, quietMs, pollMs, walLimitBytes: JOURNAL_SIZE_LIMIT_BYTES } });
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
