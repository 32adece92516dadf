import { describe, expect, it } from 'vitest';
import { apiRequest, startTestRingside } from '../../support/ringside';
import { withTimeout } from '../../support/wait';
import { MAC_A, newCaller, params } from './fixtures';

/**
 * docs/architecture.md, Failures and outages (Stopping): a stop begins with the drain window
 * (RINGSIDE_DRAIN_MS), in which /healthz answers 503 `draining` while both listeners still serve,
 * so a load balancer takes the server out before they close.
 */

interface Health {
  status: string;
  listener: string;
}

describe('a stop behind a load balancer', () => {
  it('answers /healthz 503 draining from the moment a stop begins, serves phones meanwhile, then closes the listeners', async () => {
    const ringside = await startTestRingside({ drainMs: 60_000 });
    try {
      const before = await ringside.api<Health>('GET', '/healthz', { token: undefined });
      expect([before.status, before.body.status]).toEqual([200, 'ok']);

      const stopping = ringside.instance.close();
      const during = await ringside.api<Health>('GET', '/healthz', { token: undefined });
      expect(during.status).toBe(503);
      expect(during.body).toMatchObject({ status: 'draining', listener: 'up' });
      // Whatever still reaches the server in the window is served: a phone's event is accepted and handled.
      const caller = newCaller();
      expect((await ringside.phone('incoming', params(MAC_A, caller))).status).toBe(200);
      await withTimeout(ringside.instance.drained(), 'the event sent in the drain window to be handled');
      const calls = await ringside.api<{ items: Array<{ remote: string }> }>('GET', `/api/calls?remote=${encodeURIComponent(caller)}`);
      expect(calls.body.items.map((call) => call.remote)).toContain(caller);

      // Cut short (the test does not wait the minute out): the listeners close and the stop ends.
      await withTimeout(ringside.instance.close({ drain: false }), 'the stop to end once its drain window is cut short');
      await withTimeout(stopping, 'the first close() to resolve with the stop');
      await expect(apiRequest(ringside.instance.apiUrl, 'GET', '/healthz', {})).rejects.toThrow();
    } finally {
      await ringside.instance.close({ drain: false });
      await ringside.stop();
    }
  });
});
