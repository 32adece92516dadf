import type { Logger } from './logger';

const RECHECK_MS = 250;

/**
 * Runs an event handler so that a shared service going away does not cost the event its
 * attempts (and, after the last one, its place in the dead letters): when the handler fails while
 * `servicesUp()` says a service is down, it waits for the service and runs the handler again.
 * Handlers are idempotent per event, so running one again after a half-done run is safe.
 * `signal` ends the wait (shutdown); the failure then propagates and the event is redelivered later.
 */
export async function handleThroughOutages(run: () => Promise<void>, servicesUp: () => boolean, logger: Logger, signal?: AbortSignal): Promise<void> {
  for (;;) {
    try {
      return await run();
    } catch (err) {
      if (servicesUp() || signal?.aborted) throw err;
      logger.warn({ err }, 'a shared service is down; the event waits for it instead of failing');
      await waitUntil(servicesUp, signal);
      if (signal?.aborted) throw err;
    }
  }
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
