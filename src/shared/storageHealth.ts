// Whether Ringside can write its files now (docs/architecture.md, Failures and outages: a full
// disk): the spool (spool.db, every phone event's durable write) and the database (the call log,
// the directory and, embedded, the call state). A failed write marks its store down with the
// reason; the store is up again at its next successful write (the failed writes are retried in
// the background, so that comes without a restart).
import { onAbort } from './outages';

/** spool: spool.db (the phone's 200 waits for it). database: the call log and directory file, and state.db. */
export type StorageStore = 'spool' | 'database';

export const STORAGE_STORES: readonly StorageStore[] = ['spool', 'database'];

/** What `/healthz` and the `health` message carry (src/protocol/views.ts, storageHealth). */
export interface StorageReport {
  state: 'up' | 'down';
  /** `disk full`, `read-only`, or the error code (e.g. SQLITE_IOERR_WRITE); null while up. */
  reason: string | null;
  /** The stores whose last write failed. */
  failing: StorageStore[];
  /** When the first of the failing stores failed (epoch ms); null while up. */
  since: number | null;
}

const DISK_FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);
const READ_ONLY = new Set(['EROFS']);
/** Errors of the file or the disk under it, as opposed to a bug in a statement (SQLITE_CONSTRAINT…). */
const STORAGE_CODES = /^(SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PERM|BUSY|NOLFS)(_[A-Z_]+)?|ENOSPC|EDQUOT|EROFS|EIO|EACCES|EPERM|EFBIG)$/;

function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : null;
}

/**
 * The reason a write failed, in the words health reports use: `disk full` (SQLITE_FULL, ENOSPC,
 * EDQUOT), `read-only` (SQLITE_READONLY*, EROFS), or the error's code; `write failed` for an
 * error without one.
 */
export function storageReason(error: unknown): string {
  const code = codeOf(error);
  if (code === null) return 'write failed';
  if (DISK_FULL.has(code) || code.startsWith('SQLITE_FULL')) return 'disk full';
  if (READ_ONLY.has(code) || code.startsWith('SQLITE_READONLY')) return 'read-only';
  return code;
}

/** True for an error of the storage (disk full, read-only file system, I/O error, locked file), not of the statement or the data. */
export function isStorageError(error: unknown): boolean {
  const code = codeOf(error);
  return code !== null && STORAGE_CODES.test(code);
}

interface Failure {
  reason: string;
  since: number;
}

/** What a writer tells about its writes to one store (StorageHealth.watch). */
export interface StorageWatch {
  failed(error: unknown): void;
  succeeded(): void;
}

/** The metrics StorageHealth keeps (src/shared/metrics.ts: ringside_storage_up, ringside_storage_failures_total). */
interface StorageMetrics {
  storageUp: { set(labels: { store: StorageStore }, value: number): void };
  storageFailures: { inc(labels: { store: StorageStore; reason: string }): void };
}

/** One per process: the stores' last write outcomes; listeners hear every change of state. */
export class StorageHealth {
  private readonly failures = new Map<StorageStore, Failure>();
  private readonly listeners = new Set<(store: StorageStore, reason: string | null) => void>();
  private readonly clock: () => number;
  private readonly metrics: StorageMetrics | null;

  constructor(options: { clock?: () => number; metrics?: StorageMetrics } = {}) {
    this.clock = options.clock ?? Date.now;
    this.metrics = options.metrics ?? null;
    for (const store of STORAGE_STORES) this.metrics?.storageUp.set({ store }, 1);
  }

  /** A write to `store` failed: the store is down with the error's reason (the first failure's time is kept). */
  failed(store: StorageStore, error: unknown): string {
    const reason = storageReason(error);
    const previous = this.failures.get(store);
    this.failures.set(store, { reason, since: previous?.since ?? this.clock() });
    this.metrics?.storageFailures.inc({ store, reason });
    this.metrics?.storageUp.set({ store }, 0);
    if (previous?.reason !== reason) this.emit(store, reason);
    return reason;
  }

  /** A write to `store` succeeded: it is up. */
  succeeded(store: StorageStore): void {
    if (!this.failures.delete(store)) return;
    this.metrics?.storageUp.set({ store }, 1);
    this.emit(store, null);
  }

  /** The writer's side of one store. */
  watch(store: StorageStore): StorageWatch {
    return { failed: (error) => void this.failed(store, error), succeeded: () => this.succeeded(store) };
  }

  isUp(store?: StorageStore): boolean {
    return store === undefined ? this.failures.size === 0 : !this.failures.has(store);
  }

  report(): StorageReport {
    const failing = STORAGE_STORES.filter((store) => this.failures.has(store));
    if (failing.length === 0) return { state: 'up', reason: null, failing: [], since: null };
    const first = failing.map((store) => this.failures.get(store)!).sort((a, b) => a.since - b.since)[0]!;
    return { state: 'down', reason: first.reason, failing, since: first.since };
  }

  /** Called with the store and its reason when it goes down (or its reason changes), with null when it is up again. */
  listen(listener: (store: StorageStore, reason: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(store: StorageStore, reason: string | null): void {
    for (const listener of this.listeners) listener(store, reason);
  }
}

/**
 * Runs `run` until it does not fail for a storage error (isStorageError): each such failure marks
 * `store` down and waits `retryDelay(attempt)` before the next run (the write retried is what finds
 * out that space is back); the first success marks it up. Any other error is thrown at once, and
 * so is the storage error once `signal` aborts (shutdown: the work is not acknowledged and comes
 * back later). `run` must be safe to run again (event handlers are idempotent per event).
 */
export async function retryThroughStorageFailures(
  run: () => Promise<void>,
  options: { health: StorageHealth; store: StorageStore; retryDelay: (attempt: number) => number; signal?: AbortSignal; onFailure?: (error: unknown, reason: string, attempt: number) => void },
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await run();
      options.health.succeeded(options.store);
      return;
    } catch (error) {
      if (!isStorageError(error) || options.signal?.aborted) throw error;
      const reason = options.health.failed(options.store, error);
      options.onFailure?.(error, reason, attempt);
      await pause(options.retryDelay(attempt), options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}

/** Waits `ms`, or less when `signal` aborts (one shared abort listener however many wait: onAbort). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let stopWatching = () => {};
    const done = () => {
      clearTimeout(timer);
      stopWatching();
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (signal) stopWatching = onAbort(signal, done);
  });
}
