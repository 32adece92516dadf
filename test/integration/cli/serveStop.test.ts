// `ringside serve` as a process, stopped with SIGTERM while the shared services it is configured
// with do not answer (docs/architecture.md, Failures and outages: a stop is honoured in every state).
import { afterEach, describe, expect, it } from 'vitest';
import { phoneRequest } from '../../support/ringside';
import { AMQP_URL, REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from '../../support/services';
import { startTcpProxy, targetOf, type TcpProxy } from '../../support/tcpProxy';
import { makeTempDir } from '../../support/tmp';
import { withTimeout } from '../../support/wait';
import { cliEnv, startCli, type RunningCli } from './helpers';

const WEBHOOK_TOKEN = 'serve-stop-webhook-token-0123';
const ADMIN_TOKEN = 'serve-stop-admin-token-0123456';
/**
 * How long the process may take to exit after SIGTERM: "a few seconds". It closes at once what
 * waits for a service that is down; before, each step that waited for Redis had 3 s of grace
 * (over 9 s in all), and a start-up stuck on Redis never read the signal at all.
 */
const STOP_WAIT_MS = 7_000;

describe('ringside serve stopped while Redis (and RabbitMQ) are unreachable', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function refusingProxy(url: string, port: number): Promise<TcpProxy> {
    const proxy = await startTcpProxy(targetOf(url, port));
    proxy.pause({ newConnections: 'refuse' });
    cleanups.push(() => proxy.close());
    return proxy;
  }

  function serve(env: Record<string, string>): RunningCli {
    const temp = makeTempDir('ringside-stop-');
    const running = startCli(['serve'], cliEnv({
      RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_WEBHOOK_TOKEN: WEBHOOK_TOKEN, RINGSIDE_ADMIN_TOKEN: ADMIN_TOKEN,
      RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0', RINGSIDE_PHONE_RATE_LIMIT: '0', ...env,
    }));
    cleanups.push(() => {
      if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
      temp.cleanup();
    });
    return running;
  }

  /** The listener's origin from the start-up line. */
  async function webhookOrigin(running: RunningCli): Promise<string> {
    const output = await running.waitForLine(/^agent API on /);
    return /^webhook listening on (\S+)$/m.exec(output)![1]!;
  }

  async function stopsCleanly(running: RunningCli): Promise<void> {
    running.child.kill('SIGTERM');
    const result = await withTimeout(running.exited, `ringside serve to exit after SIGTERM (within ${STOP_WAIT_MS} ms)`, { timeoutMs: STOP_WAIT_MS });
    expect(result.code, result.stderr).toBe(0);
  }

  it('with Redis unreachable since start-up and a handler waiting for it: exits 0 after SIGTERM', async () => {
    const redis = await refusingProxy(REDIS_URL, 6379);
    const running = serve({ RINGSIDE_REDIS_URL: redis.url(REDIS_URL), RINGSIDE_REDIS_CALLS_DB: String(TEST_CALLS_DB), RINGSIDE_REDIS_CACHE_DB: String(TEST_CACHE_DB), RINGSIDE_REDIS_KEY_PREFIX: uniqueName('stop') });
    const origin = await webhookOrigin(running);
    // Acknowledged (spooled); its handler waits for Redis.
    const res = await phoneRequest(origin, 'incoming', { mac: '000B8200000A', remote: '+923001112233', local: '5000' }, WEBHOOK_TOKEN);
    expect(res.status).toBe(200);
    await stopsCleanly(running);
  });

  it('with Redis and RabbitMQ unreachable, events spooled and the relay retrying: exits 0 after SIGTERM', async () => {
    const redis = await refusingProxy(REDIS_URL, 6379);
    const amqp = await refusingProxy(AMQP_URL, 5672);
    const name = uniqueName('stop');
    const running = serve({
      RINGSIDE_REDIS_URL: redis.url(REDIS_URL), RINGSIDE_REDIS_CALLS_DB: String(TEST_CALLS_DB), RINGSIDE_REDIS_CACHE_DB: String(TEST_CACHE_DB), RINGSIDE_REDIS_KEY_PREFIX: name,
      RINGSIDE_AMQP_URL: amqp.url(AMQP_URL), RINGSIDE_AMQP_EXCHANGE: name, RINGSIDE_AMQP_QUEUE: `${name}-queue`,
    });
    const origin = await webhookOrigin(running);
    for (const event of ['incoming', 'answered']) {
      const res = await phoneRequest(origin, event, { mac: '000B8200000A', remote: '+923001112244', local: '5000' }, WEBHOOK_TOKEN);
      expect(res.status).toBe(200);
    }
    await stopsCleanly(running);
  });
});
