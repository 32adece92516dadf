import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_LIMITS, startWebhookListener } from '../../../../src/adapters/webhook/WebhookListener';
import { createLogger } from '../../../../src/shared/logger';
import { createMetrics } from '../../../../src/shared/metrics';
import { eventually } from '../../../support/wait';
import { deferred, get, RawClient, startTestListener, TOKEN, type TestListener } from './helpers';

/**
 * Connection limits of the webhook listener (docs/webhook.md, Connection limits): refusals close
 * their connection, connections are capped per source address and in total, and a flood never
 * keeps a phone from another address from being served. Linux routes all of 127.0.0.0/8 to lo,
 * so the tests bind their sockets to 127.0.0.x to be several sources.
 */
let running: TestListener[] = [];
let clients: RawClient[] = [];

async function listen(overrides: Parameters<typeof startTestListener>[0] = {}): Promise<TestListener> {
  const l = await startTestListener(overrides);
  running.push(l);
  return l;
}

async function open(l: TestListener, from: string): Promise<RawClient> {
  const client = await RawClient.open(l.port, '127.0.0.1', from);
  clients.push(client);
  return client;
}

/** `count` connections from `from`, opened 100 at a time, that send nothing. */
async function silent(l: TestListener, from: string, count: number): Promise<RawClient[]> {
  const opened: RawClient[] = [];
  for (let i = 0; i < count; i += 100) {
    opened.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => open(l, from)))));
  }
  return opened;
}

const stillOpen = (list: RawClient[]) => list.filter((c) => !c.isClosed).length;

async function metric(l: TestListener, name: string, limit: string): Promise<number> {
  const text = await l.metrics.registry.metrics();
  const match = new RegExp(`^${name}\\{limit="${limit}"\\} (\\d+)$`, 'm').exec(text);
  return match === null ? Number.NaN : Number(match[1]);
}

function warnings(l: TestListener): Array<Record<string, unknown>> {
  return l.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.level === 40);
}

const TOO_MANY = /^HTTP\/1\.1 503 Service Unavailable\r\n[^]*Connection: close\r\n[^]*Retry-After: 1\r\n\r\n\{"status":"error","reason":"too many connections, retry later"\}$/;

afterEach(async () => {
  for (const client of clients) client.destroy();
  clients = [];
  await Promise.all(running.map((l) => l.close()));
  running = [];
});

describe('webhook listener: refused requests close their connection', () => {
  it('closes after a refusal and reads nothing more from that connection, however long the idle timeout', async () => {
    const l = await listen({ limits: { idleTimeoutMs: 600_000 } });
    const client = await open(l, '127.0.0.1');
    // A wrong token, then a good request pipelined behind it: the second is never read.
    client.send(get('/gs/x/cti/incoming') + get(`/gs/${TOKEN}/cti/incoming?remote=1`));
    const response = await client.next();
    expect(response.status).toBe(401);
    expect(response.headers['connection']).toBe('close');
    await client.closed;
    expect(client.serverEnded).toBe(true);
    expect(client.unread).toBe('');
    expect(l.acceptCalls()).toBe(0);
  });

  it('answers the requests before a refusal in a pipeline, then closes', async () => {
    const l = await listen({ limits: { idleTimeoutMs: 600_000 } });
    const client = await open(l, '127.0.0.1');
    client.send(get(`/gs/${TOKEN}/cti/incoming?remote=1`) + get(`/gs/${TOKEN}/cti/ringing`) + get(`/gs/${TOKEN}/cti/hangup?remote=1`));
    const answers = [await client.next(), await client.next()];
    expect(answers.map((a) => [a.status, a.headers['connection']])).toEqual([[200, 'keep-alive'], [404, 'close']]);
    await client.closed;
    expect(l.events.map((e) => e.type)).toEqual(['incoming']);
  });

  it('closes after a 429, so a source over its rate cannot hold connections either', async () => {
    const l = await listen({ limits: { ratePerSecond: 1, rateBurst: 1, idleTimeoutMs: 600_000 } });
    const first = await open(l, '127.0.0.1');
    first.send(get(`/gs/${TOKEN}/cti/boot`));
    expect((await first.next()).status).toBe(200);
    const second = await open(l, '127.0.0.1');
    second.send(get(`/gs/${TOKEN}/cti/boot`));
    const answer = await second.next();
    expect([answer.status, answer.headers['connection']]).toEqual([429, 'close']);
    await second.closed;
    expect(first.isClosed).toBe(false); // the connection that was served stays for its next request
  });
});

describe('webhook listener: connection caps', () => {
  it('serves a phone from another address while one address opens 1,000 connections, and holds no more than its cap of them', async () => {
    // The head deadline is far away: only the caps can close the flood's connections here.
    const l = await listen({ limits: { headersTimeoutMs: 600_000 } });
    const cap = DEFAULT_WEBHOOK_LIMITS.maxConnectionsPerAddress;
    const flood = await silent(l, '127.0.0.1', 1000);

    const phone = await open(l, '127.0.0.2');
    phone.send(get(`/gs/${TOKEN}/cti/incoming?remote=+923001234567&mac=000b82123456`));
    const answer = await phone.next();
    expect(answer.status, answer.body).toBe(200);
    expect(l.events.map((e) => e.device.ip)).toEqual(['127.0.0.2']);

    // The newest connections are kept, the ones waiting longest were told to retry and closed.
    await eventually('the flood to be cut to the per-address cap', () => stillOpen(flood), (n) => n <= cap + 1);
    for (const client of flood.filter((c) => c.isClosed && c.unread !== '')) expect(client.unread).toMatch(TOO_MANY);
    expect(stillOpen(flood.slice(-cap))).toBe(cap);
    const gauge = await eventually('the open-connections gauge to follow', async () => /^ringside_webhook_connections (\d+)$/m.exec(await l.metrics.registry.metrics())?.[1], (v) => v !== undefined && Number(v) <= cap + 2);
    expect(Number(gauge)).toBeGreaterThanOrEqual(cap + 1); // the flood's newest and the phone's keep-alive connection
    expect(await metric(l, 'ringside_webhook_connections_reclaimed_total', 'per_address')).toBeGreaterThanOrEqual(1000 - cap - 1);
    expect(await metric(l, 'ringside_webhook_connections_reclaimed_total', 'total')).toBe(0);

    // One warning for the whole flood, naming the source; not one per connection.
    const warned = warnings(l).filter((w) => String(w.msg).startsWith('webhook connection limit reached'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ sources: [{ ip: '127.0.0.1' }], maxConnectionsPerAddress: cap });
  });

  it('keeps a flood from many addresses within the total cap, and still serves a phone', async () => {
    const l = await listen({ limits: { headersTimeoutMs: 600_000, maxConnections: 20, maxConnectionsPerAddress: 5 } });
    const flood: RawClient[] = [];
    for (let source = 1; source <= 8; source++) flood.push(...(await silent(l, `127.0.1.${source}`, 5)));
    const phone = await open(l, '127.0.0.2');
    phone.send(get(`/gs/${TOKEN}/cti/boot`));
    expect((await phone.next()).status).toBe(200);
    await eventually('the flood to be cut to the total cap', () => stillOpen(flood), (n) => n <= 19);
    expect(await metric(l, 'ringside_webhook_connections_reclaimed_total', 'total')).toBeGreaterThanOrEqual(21);
  });

  it('answers 503 with Retry-After and closes when every connection of the total has a request in flight; those are still answered', async () => {
    const durable = deferred('the events in flight to become durable');
    let accepted = 0;
    const l = await listen({
      limits: { maxConnections: 4, maxConnectionsPerAddress: 2 },
      accept: () => {
        accepted++;
        return durable.promise;
      },
    });
    const busy = [await open(l, '127.0.0.3'), await open(l, '127.0.0.3'), await open(l, '127.0.0.4'), await open(l, '127.0.0.4')];
    for (const client of busy) client.send(get(`/gs/${TOKEN}/cti/boot`));
    await eventually('the four requests to be in flight', () => accepted, (n) => n === 4);

    const refused = await open(l, '127.0.0.5');
    await refused.closed;
    expect(refused.serverEnded).toBe(true);
    expect(refused.unread).toMatch(TOO_MANY);
    expect(await metric(l, 'ringside_webhook_connections_refused_total', 'total')).toBe(1);
    expect(await metric(l, 'ringside_webhook_connections_refused_total', 'per_address')).toBe(0);
    expect(await l.metrics.registry.metrics()).not.toContain('ringside_webhook_requests_total{status="503"}'); // not a request

    durable.resolve();
    for (const client of busy) expect((await client.next()).status).toBe(200);
    // Idle now: a new connection takes the place of one of them.
    const later = await open(l, '127.0.0.5');
    later.send(get(`/gs/${TOKEN}/cti/boot`));
    expect((await later.next()).status).toBe(200);
  });

  it('answers 503 to one more connection from an address whose connections all have requests in flight, and serves another address', async () => {
    const slow = deferred('the slow events to become durable');
    const l = await listen({
      limits: { maxConnections: 10, maxConnectionsPerAddress: 2 },
      accept: (event) => (event.remote === 'slow' ? slow.promise : Promise.resolve()),
    });
    const busy = [await open(l, '127.0.0.3'), await open(l, '127.0.0.3')];
    for (const client of busy) client.send(get(`/gs/${TOKEN}/cti/incoming?remote=slow`));
    await eventually('both slow requests to be in flight', () => l.acceptCalls(), (n) => n === 2);

    const third = await open(l, '127.0.0.3');
    await third.closed;
    expect(third.unread).toMatch(TOO_MANY);
    expect(await metric(l, 'ringside_webhook_connections_refused_total', 'per_address')).toBe(1);

    const phone = await open(l, '127.0.0.2');
    phone.send(get(`/gs/${TOKEN}/cti/incoming?remote=1001`));
    expect((await phone.next()).status).toBe(200);
    slow.resolve();
    for (const client of busy) expect((await client.next()).status).toBe(200);
  });

  it('makes room by closing the connection that has waited longest, an idle keep-alive one without an answer', async () => {
    const l = await listen({ limits: { maxConnections: 3, maxConnectionsPerAddress: 3, headersTimeoutMs: 600_000 } });
    const idle = await open(l, '127.0.0.3');
    idle.send(get(`/gs/${TOKEN}/cti/boot`));
    expect((await idle.next()).status).toBe(200);
    const waiting = [await open(l, '127.0.0.4'), await open(l, '127.0.0.4')];
    const phone = await open(l, '127.0.0.2');
    phone.send(get(`/gs/${TOKEN}/cti/boot`));
    expect((await phone.next()).status).toBe(200);
    await idle.closed;
    expect(idle.unread).toBe(''); // closed as an idle timeout would: nothing to misread as an answer
    expect(waiting.map((c) => c.isClosed)).toEqual([false, false]);
  });
});

describe('startWebhookListener: connection caps', () => {
  const base = { host: '127.0.0.1', port: 0, token: TOKEN, account: 'a', allow: [], accept: () => Promise.resolve() };

  it.each([
    [{ maxConnections: 0 }, /maxConnections: 0/],
    [{ maxConnections: 2.5 }, /maxConnections: 2\.5/],
    [{ maxConnectionsPerAddress: 0 }, /maxConnectionsPerAddress: 0/],
    [{ maxConnections: 8, maxConnectionsPerAddress: 9 }, /maxConnectionsPerAddress: 9 .*maxConnections, 8/],
  ])('rejects the caps %j', async (limits, message) => {
    const logger = createLogger({ level: 'silent' });
    await expect(startWebhookListener({ ...base, logger, metrics: createMetrics(), limits })).rejects.toThrow(message);
  });
});
