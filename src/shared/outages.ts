import type { Logger } from './logger';

const RECHECK_MS = 250;

/**
 * Runs an event handler so that a shared service going away does not cost the event its
 * attempts (and, after the last one, its place in the dead letters): when the handler fails while
 * `servicesUp()` says a service is down, it waits for the service and runs the handler again.
 * Handlers are idempotent per event, so running one again after a half-done run is safe.
 *
 * `signal` is shutdown: a handler still waiting for a service that is down is then given up (its
 * event is not acknowledged and comes back later). Giving up cannot rely on the Redis client
 * failing the command: ioredis leaves a command pending forever when it is disconnected while
 * reconnecting (redis/ioredis PR #2197).
 */
export async function handleThroughOutages(run: () => Promise<void>, servicesUp: () => boolean, logger: Logger, signal?: AbortSignal): Promise<void> {
  for (;;) {
    try {
      return await untilShutdownWhileDown(run(), servicesUp, signal);
    } catch (err) {
      if (servicesUp() || signal?.aborted) throw err;
      logger.warn({ err }, 'a shared service is down; the event waits for it instead of failing');
      await waitUntil(servicesUp, signal);
      if (signal?.aborted) throw err;
    }
  }
}

/** The handler's outcome, or a rejection once shutdown begins while a service is down. */
function untilShutdownWhileDown<T>(work: Promise<T>, servicesUp: () => boolean, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const giveUp = () => {
      if (!servicesUp()) reject(new Error('shutting down while a shared service is down; the event will be delivered again'));
    };
    const stopWatching = onAbort(signal, giveUp);
    work.then(resolve, reject).finally(stopWatching);
  });
}

function waitUntil(condition: () => boolean, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let stopWatching = () => {};
    const done = () => {
      clearInterval(timer);
      stopWatching();
      resolve();
    };
    const timer = setInterval(() => {
      if (condition() || signal?.aborted) done();
    }, RECHECK_MS);
    if (signal) stopWatching = onAbort(signal, done);
  });
}

interface AbortWatch {
  callbacks: Set<() => void>;
  listener: () => void;
}

const watches = new WeakMap<AbortSignal, AbortWatch>();

/**
 * Runs `callback` once when `signal` aborts (at once if it has), unless the returned function is
 * called first. Every handler in flight waits on the same shutdown signal (64 at once in shared
 * mode), so they share one 'abort' listener, there only while someone waits: a listener each
 * would pile up on the signal (Node warns past 10), and one never removed would stay for the
 * life of the process.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return () => {};
  }
  let watch = watches.get(signal);
  if (watch === undefined) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      watches.delete(signal);
      for (const waiting of [...callbacks]) waiting();
      callbacks.clear();
    };
    watch = { callbacks, listener };
    watches.set(signal, watch);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { callbacks, listener } = watch;
  // Each registration is its own entry, so the same function registered twice is removed once each.
  const entry = () => callback();
  callbacks.add(entry);
  return () => {
    if (!callbacks.delete(entry) || callbacks.size > 0) return;
    signal.removeEventListener('abort', listener);
    if (watches.get(signal)?.listener === listener) watches.delete(signal);
  };
}
