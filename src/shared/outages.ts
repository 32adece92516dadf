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
    if (signal.aborted) giveUp();
    signal.addEventListener('abort', giveUp, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', giveUp));
  });
}

function waitUntil(condition: () => boolean, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (!condition() && !signal?.aborted) return;
      clearInterval(timer);
      resolve();
    }, RECHECK_MS);
    signal?.addEventListener('abort', () => {
      clearInterval(timer);
      resolve();
    }, { once: true });
  });
}
