import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../../unit/adapters/webhook/helpers';
import { startTestRingside, TEST_WEBHOOK_TOKEN, type TestRingside } from '../../support/ringside';
import { eventually } from '../../support/wait';

/**
 * The webhook connection caps as configured reach the listener of a real Ringside
 * (RINGSIDE_WEBHOOK_MAX_CONNECTIONS[_PER_ADDRESS], docs/webhook.md, Connection limits), and
 * what they did shows in /metrics.
 */
describe('webhook connection caps in a running Ringside', () => {
  let r: TestRingside | null = null;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await r?.stop();
    r = null;
  });

  it('holds no more connections from one address than configured, and serves another address', async () => {
    r = await startTestRingside({ webhook: { host: '127.0.0.1', port: 0, maxConnections: 8, maxConnectionsPerAddress: 2 } });
    const port = Number(new URL(r.instance.webhookUrl).port);
    const open = async (from: string) => {
      const client = await RawClient.open(port, '127.0.0.1', from);
      clients.push(client);
      return client;
    };
    const silent = [await open('127.0.0.3'), await open('127.0.0.3'), await open('127.0.0.3')];
    // The third took the place of the first, which was told to retry.
    await silent[0]!.closed;
    expect(silent[0]!.unread).toMatch(/^HTTP\/1\.1 503 [^]*Retry-After: 1\r\n[^]*too many connections/);
    expect(silent.slice(1).map((c) => c.isClosed)).toEqual([false, false]);

    const phone = await open('127.0.0.2');
    phone.send(`GET /gs/${TEST_WEBHOOK_TOKEN}/cti/boot?mac=000b82123456 HTTP/1.1\r\nHost: phone\r\n\r\n`);
    expect((await phone.next()).status).toBe(200);

    const metrics = await eventually('the reclaimed connection in /metrics', async () => (await r!.api<{ text: string }>('GET', '/metrics')).body.text,
      (text) => /^ringside_webhook_connections_reclaimed_total\{limit="per_address"\} 1$/m.test(text));
    expect(metrics).toMatch(/^ringside_webhook_connections_refused_total\{limit="total"\} 0$/m);
  });
});
