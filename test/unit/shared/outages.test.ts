import { describe, expect, it } from 'vitest';
import { handleThroughOutages } from '../../../src/shared/outages';
import { createLogger } from '../../../src/shared/logger';

const logger = createLogger({ level: 'silent' });

describe('handleThroughOutages', () => {
  it('runs a handler that failed while a service was down again once it is back, without spending an attempt', async () => {
    let up = false;
    let runs = 0;
    const handled = handleThroughOutages(async () => {
      runs++;
      if (runs === 1) {
        // The service dies under the first run; it comes back while the event waits.
        setImmediate(() => { up = true; });
        throw new Error('connection lost');
      }
    }, () => up, logger);
    await expect(handled).resolves.toBeUndefined();
    expect(runs).toBe(2);
  });

  it('lets a failure with every service up through (that is the handler failing, not an outage)', async () => {
    await expect(handleThroughOutages(async () => {
      throw new Error('bug');
    }, () => true, logger)).rejects.toThrow('bug');
  });

  it('gives up a handler stuck on a service that is down when shutdown begins, even if the command never fails', async () => {
    const shutdown = new AbortController();
    const stuck = new Promise<void>(() => undefined);
    const handled = handleThroughOutages(() => stuck, () => false, logger, shutdown.signal);
    shutdown.abort();
    await expect(handled).rejects.toThrow(/shutting down while a shared service is down/);
  });

  it('lets a handler in flight finish at shutdown while the services are up', async () => {
    const shutdown = new AbortController();
    let finish!: () => void;
    const running = new Promise<void>((resolve) => { finish = resolve; });
    const handled = handleThroughOutages(() => running, () => true, logger, shutdown.signal);
    shutdown.abort();
    finish();
    await expect(handled).resolves.toBeUndefined();
  });
});
