import { Worker } from 'node:worker_threads';
import { withTimeout, type WaitOptions } from './wait';

/**
 * Worker threads that race on one database file. Each worker posts `{ ready: true }` once it is
 * set up, then waits (on a SharedArrayBuffer it was given) and posts its result. Starts one worker
 * per `workerData`, waits until all are ready, calls `release` (which lets them go at the same
 * instant, e.g. releaseAtOnce), and resolves with their results in the order of `workerData`.
 * Each of the two waits fails after WAIT_MS naming `what`; the workers are then terminated.
 */
export async function raceWorkers<T>(
  script: URL,
  workerData: Array<Record<string, unknown>>,
  what: string,
  release: () => void = () => undefined,
  options: WaitOptions = {},
): Promise<T[]> {
  const workers: Worker[] = [];
  const ready: Array<Promise<void>> = [];
  const results = workerData.map((data) => new Promise<T>((resolve, reject) => {
    const worker = new Worker(script, { workerData: data });
    workers.push(worker);
    ready.push(new Promise((ok) => worker.once('message', () => ok())));
    worker.once('error', reject);
    worker.on('message', (message: T & { ready?: boolean }) => {
      if (!message.ready) resolve(message);
    });
  }));
  try {
    await withTimeout(Promise.all(ready), `${workers.length} ${what} workers to be ready`, options);
    release();
    return await withTimeout(Promise.all(results), `${workers.length} ${what} workers to finish`, options);
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  }
}

/** A start line for raceWorkers: the workers wait on `start` (Atomics.wait on index 0) until released. */
export function startLine(): { start: Int32Array; release: () => void } {
  const start = new Int32Array(new SharedArrayBuffer(4));
  return {
    start,
    release: () => {
      Atomics.store(start, 0, 1);
      Atomics.notify(start, 0);
    },
  };
}
