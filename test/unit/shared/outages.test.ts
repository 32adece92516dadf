import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { handleThroughOutages } from '../../../src/shared/outages';
import { createLogger } from '../../../src/shared/logger';
import { deferred, withTimeout } from '../../support/wait';

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

describe('handleThroughOutages and the shutdown signal', () => {
  const abortListeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

  it('keeps one abort listener on the shutdown signal however many handlers run at once, and none after them', async () => {
    const shutdown = new AbortController();
    let up = true;
    const gates = Array.from({ length: 40 }, (_, i) => deferred(`event ${i} to finish`));
    const handled = gates.map((gate) => handleThroughOutages(() => gate.promise, () => up, logger, shutdown.signal));
    // 40 handlers in flight wait on one signal: one listener between them, not one each.
    expect(abortListeners(shutdown.signal)).toBe(1);
    for (const gate of gates.slice(0, 20)) gate.resolve();
    await withTimeout(Promise.all(handled.slice(0, 20)), 'the first 20 handlers to finish');
    expect(abortListeners(shutdown.signal)).toBe(1);
    // The other 20 are stuck on a service that went down: shutdown gives each of them up.
    up = false;
    shutdown.abort();
    for (const h of handled.slice(20)) await expect(withTimeout(h, 'a stuck handler to be given up')).rejects.toThrow(/shutting down/);
    expect(abortListeners(shutdown.signal)).toBe(0);
  });

  it('leaves no abort listener behind after waiting out an outage', async () => {
    const shutdown = new AbortController();
    let up = false;
    for (let i = 0; i < 3; i++) {
      up = false;
      let runs = 0;
      await withTimeout(handleThroughOutages(async () => {
        if (++runs === 1) {
          setImmediate(() => { up = true; });
          throw new Error('connection lost');
        }
      }, () => up, logger, shutdown.signal), `event ${i} to be handled after the outage`);
      expect(runs).toBe(2);
    }
    expect(abortListeners(shutdown.signal)).toBe(0);
  });
});
