import { afterEach, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../../../src/domain/events/CallEvent';
import { startWebhookListener } from '../../../../src/adapters/webhook/WebhookListener';
import { createLogger } from '../../../../src/shared/logger';
import { createMetrics } from '../../../../src/shared/metrics';
import { deferred, exchange, get, RawClient, startTestListener, TOKEN, type TestListener } from './helpers';

let running: TestListener[] = [];

async function listen(overrides: Parameters<typeof startTestListener>[0] = {}): Promise<TestListener> {
  const l = await startTestListener(overrides);
  running.push(l);
  return l;
}

afterEach(async () => {
  await Promise.all(running.map((l) => l.close()));
  running = [];
});

/** Sends one request and returns the event it produced (asserting a 200 with its id). */
async function eventFor(l: TestListener, head: string | Buffer): Promise<CallEvent> {
  const before = l.events.length;
  const { response, client } = await exchange(l.port, head);
  client.destroy();
  expect(response.status, response.body).toBe(200);
  expect(l.events.length).toBe(before + 1);
  const event = l.events[before]!;
  expect(response.json).toEqual({ status: 'ok', id: event.id });
  return event;
}

/**
 * Sends one bad request: the status, a JSON reason, no call to accept(), and the connection
 * closed by the server once the answer is out (every refusal closes: docs/webhook.md, Answers).
 */
async function refused(l: TestListener, head: string | Buffer, status: number) {
  const { response, client } = await exchange(l.port, head);
  expect(response.status, response.body).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.json).toMatchObject({ status: 'error', reason: expect.any(String) });
  expect(l.acceptCalls()).toBe(0);
  expect(l.events).toEqual([]);
  expect(response.headers['connection']).toBe('close');
  await client.closed;
  expect(client.serverEnded).toBe(true);
  return response;
}

describe('webhook listener: what real phones send', () => {
  it('accepts unencoded spaces and raw UTF-8 in the request line', async () => {
    const l = await listen();
    const event = await eventFor(l, get(`/gs/cti/incoming?display_remote=José Núñez&remote=+923001234567&local=1001&token=${TOKEN}`));
    expect(event).toMatchObject({ type: 'incoming', account: 'acme', displayRemote: 'José Núñez', remote: '+923001234567', local: '1001' });
    expect(event.device.ip).toBe('127.0.0.1');
    expect(event.raw).toEqual({ display_remote: 'José Núñez', remote: '+923001234567', local: '1001' });
  });

  it('accepts the example request line from the spec verbatim', async () => {
    const l = await listen();
    const event = await eventFor(l, `GET /gs/${TOKEN}/cti/incoming?display_remote=John Doe&remote=+923001234567 HTTP/1.1\r\n\r\n`);
    expect([event.displayRemote, event.remote]).toEqual(['John Doe', '+923001234567']);
  });

  it('reads parameters written as a path', async () => {
    const l = await listen();
    const event = await eventFor(l, get(`/gs/cti/incoming/mac=000b82123456&remote=1001&token=${TOKEN}`));
    expect(event.device.mac).toBe('000B82123456');
    expect(event.remote).toBe('1001');
  });

  it('treats a literal $variable as empty', async () => {
    const l = await listen();
    const event = await eventFor(l, get(`/gs/${TOKEN}/cti/hangup?remote=$remote&display_remote=$display_remote&call-id=$call-id&mac=$mac`));
    expect(event).toMatchObject({ remote: '', displayRemote: '', callId: null, device: { mac: null } });
  });

  it('keeps + in numbers, raw and percent-encoded', async () => {
    const l = await listen();
    const event = await eventFor(l, get(`/gs/${TOKEN}/cti/incoming?remote=+923001234567&local=%2B4930123`));
    expect([event.remote, event.local]).toEqual(['+923001234567', '+4930123']);
  });

  it.each(['00:0B:82:12:34:56', '00-0b-82-12-34-56', '000b.8212.3456', '000b82123456'])('normalises the MAC %s', async (mac) => {
    const l = await listen();
    const event = await eventFor(l, get(`/gs/${TOKEN}/cti/boot?mac=${mac}`));
    expect(event.device.mac).toBe('000B82123456');
  });

  it('takes the token from the path or from token=, and never stores it', async () => {
    const l = await listen();
    const a = await eventFor(l, get(`/gs/${TOKEN}/cti/registered`));
    const b = await eventFor(l, get(`/gs/cti/registered?x=1&token=${TOKEN}`));
    expect(a.raw).toEqual({});
    expect(b.raw).toEqual({ x: '1' });
    expect(l.logLines.join('')).not.toContain(TOKEN);
  });

  it.each([
    ['established', 'answered', null],
    ['terminated', 'hangup', null],
    ['blind_transfer', 'transfer', 'blind'],
    ['attended_transfer', 'transfer', 'attended'],
  ])('maps the alias %s', async (alias, type, kind) => {
    const l = await listen();
    const event = await eventFor(l, get(`/gs/${TOKEN}/cti/${alias}?remote=1`));
    expect([event.type, event.transferKind]).toEqual([type, kind]);
  });

  it('accepts every event of the contract', async () => {
    const l = await listen();
    const types = ['incoming', 'outgoing', 'answered', 'hangup', 'rejected', 'missed', 'transfer', 'hold', 'unhold', 'dnd_on', 'dnd_off', 'registered', 'unregistered', 'boot'];
    for (const type of types) expect((await eventFor(l, get(`/gs/${TOKEN}/cti/${type}`))).type).toBe(type);
  });

  it('reads kind= on a transfer', async () => {
    const l = await listen();
    expect((await eventFor(l, get(`/gs/${TOKEN}/cti/transfer?kind=blind`))).transferKind).toBe('blind');
  });

  it('accepts absolute-form targets', async () => {
    const l = await listen();
    expect((await eventFor(l, get(`http://127.0.0.1:${l.port}/gs/${TOKEN}/cti/missed?remote=7`))).type).toBe('missed');
  });

  it('answers HEAD like GET without a body', async () => {
    const l = await listen();
    const client = await RawClient.open(l.port);
    client.send(`HEAD /gs/${TOKEN}/cti/boot HTTP/1.1\r\n\r\n`).send(get(`/gs/${TOKEN}/cti/boot`));
    const head = await client.next(true);
    const after = await client.next();
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify({ status: 'ok', id: l.events[0]!.id })));
    expect(after.json.id).toBe(l.events[1]!.id);
    client.destroy();
  });

  it('answers pipelined keep-alive requests in order, even when accept() finishes out of order', async () => {
    const first = deferred('the first event to become durable');
    const accepted: CallEvent[] = [];
    const l = await listen({
      accept: (event) => {
        accepted.push(event);
        // The first event becomes durable only after the third one has been accepted.
        if (accepted.length === 1) return first.promise;
        if (accepted.length === 3) first.resolve();
        return Promise.resolve();
      },
    });
    const client = await RawClient.open(l.port);
    client.send(
      get(`/gs/${TOKEN}/cti/incoming?remote=1`) +
        get(`/gs/${TOKEN}/cti/hold?remote=1`) +
        get(`/gs/${TOKEN}/cti/answered?remote=1`) +
        `HEAD /gs/${TOKEN}/cti/hold HTTP/1.1\r\n\r\n` +
        get(`/gs/${TOKEN}/cti/hangup?remote=1`),
    );
    const responses = [await client.next(), await client.next(), await client.next(), await client.next(true), await client.next()];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(accepted.map((e) => e.type)).toEqual(['incoming', 'hold', 'answered', 'hold', 'hangup']);
    expect([responses[0]!.json.id, responses[1]!.json.id, responses[2]!.json.id, responses[4]!.json.id]).toEqual([accepted[0]!.id, accepted[1]!.id, accepted[2]!.id, accepted[4]!.id]);
    expect(responses.every((r) => r.headers['connection'] === 'keep-alive')).toBe(true);
    // The ids are ULIDs, increasing in arrival order.
    const ids = accepted.map((e) => e.id);
    expect([...ids].sort()).toEqual(ids);
    client.destroy();
  });

  it('keeps an HTTP/1.0 connection only when asked, and closes on Connection: close', async () => {
    const l = await listen();
    const plain = await RawClient.open(l.port);
    plain.send(`GET /gs/${TOKEN}/cti/boot HTTP/1.0\r\n\r\n`);
    expect((await plain.next()).headers['connection']).toBe('close');
    await plain.closed;

    const keep = await RawClient.open(l.port);
    keep.send(`GET /gs/${TOKEN}/cti/boot HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`);
    expect((await keep.next()).headers['connection']).toBe('keep-alive');
    keep.send(`GET /gs/${TOKEN}/cti/boot HTTP/1.1\r\nConnection: close\r\n\r\n`);
    expect((await keep.next()).headers['connection']).toBe('close');
    await keep.closed;
    expect(l.events).toHaveLength(3);
  });

  it('answers a client that half-closes after its request', async () => {
    const l = await listen();
    const client = await RawClient.open(l.port);
    client.send(get(`/gs/${TOKEN}/cti/boot`)).end();
    const text = await client.allText();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(l.events).toHaveLength(1);
  });

  it('answers more pipelined requests than it keeps in flight, then the half-close', async () => {
    const l = await listen();
    const client = await RawClient.open(l.port);
    client.send(Array.from({ length: 150 }, (_, i) => get(`/gs/${TOKEN}/cti/incoming?remote=${i}`)).join('')).end();
    const text = await client.allText();
    expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(150);
    expect(l.events.map((e) => e.remote)).toEqual(Array.from({ length: 150 }, (_, i) => String(i)));
    const ids = [...text.matchAll(/"id":"([0-9A-Z]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(l.events.map((e) => e.id));
  });

  it('closes idle keep-alive connections after idleTimeoutMs', async () => {
    const l = await listen({ limits: { idleTimeoutMs: 50 } });
    const client = await RawClient.open(l.port);
    client.send(get(`/gs/${TOKEN}/cti/boot`));
    expect((await client.next()).status).toBe(200);
    await client.closed;
    expect(client.serverEnded).toBe(true);
  });

  it('accepts IPv4-mapped peers on a dual-stack listener against IPv4 CIDRs', async () => {
    const l = await listen({ host: '::', allow: ['127.0.0.0/8'] });
    expect(l.listener.url).toBe(`http://[::]:${l.port}`);
    const event = await eventFor(l, get(`/gs/${TOKEN}/cti/boot`));
    expect(event.device.ip).toBe('127.0.0.1');
  });

  it('close() ends idle connections and stops listening', async () => {
    const l = await startTestListener();
    const client = await RawClient.open(l.port);
    client.send(get(`/gs/${TOKEN}/cti/boot`));
    await client.next();
    await l.close();
    await client.closed;
    expect(client.serverEnded).toBe(true);
    const refusedConnection = new RawClient(l.port);
    await refusedConnection.closed;
    expect(refusedConnection.socket.bytesRead).toBe(0);
  });

  it('close() waits for an event in flight and answers it', async () => {
    const durable = deferred('the event to become durable');
    const started = deferred('accept() to be called');
    const l = await startTestListener({
      accept: () => {
        started.resolve();
        return durable.promise;
      },
    });
    const client = await RawClient.open(l.port);
    client.send(get(`/gs/${TOKEN}/cti/boot`));
    await started.wait();
    const closing = l.close();
    durable.resolve();
    const response = await client.next();
    expect(response.status).toBe(200);
    expect(response.headers['connection']).toBe('close');
    await closing;
  });
});

describe('webhook listener: refusals', () => {
  it('400 for garbage bytes, and closes', async () => {
    const l = await listen();
    await refused(l, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x0d, 0x0a, 0x0d, 0x0a]), 400);
  });

  it('400 for a malformed request line or version', async () => {
    const l = await listen();
    await refused(l, `GET /gs/${TOKEN}/cti/boot\r\n\r\n`, 400);
    await refused(l, `GET /gs/${TOKEN}/cti/boot HTTP/3\r\n\r\n`, 400);
  });

  it('400 for a request with a body, by length or chunked', async () => {
    const l = await listen();
    const r = await refused(l, get(`/gs/${TOKEN}/cti/boot`, ['Content-Length: 5']) + 'hello', 400);
    expect(r.json.reason).toBe('request bodies are not accepted');
    await refused(l, get(`/gs/${TOKEN}/cti/boot`, ['Transfer-Encoding: chunked']) + '5\r\nhello\r\n0\r\n\r\n', 400);
  });

  it('400 for a mac that is not a MAC', async () => {
    const l = await listen();
    await refused(l, get(`/gs/${TOKEN}/cti/boot?mac=00:0B:82`), 400);
  });

  it('401 for a missing or wrong token', async () => {
    const l = await listen();
    expect((await refused(l, get('/gs/cti/incoming?remote=1'), 401)).json.reason).toBe('missing token');
    expect((await refused(l, get('/gs/cti/incoming?remote=1&token=wrong'), 401)).json.reason).toBe('invalid token');
    await refused(l, get('/gs/wrong/cti/incoming'), 401);
    await refused(l, get(`/gs/${TOKEN}x/cti/incoming`), 401);
  });

  it('403 for a source outside the allow-list, before looking at the request', async () => {
    const l = await listen({ allow: ['10.0.0.0/8', 'fd00::/8'] });
    const r = await refused(l, get(`/gs/${TOKEN}/cti/boot`), 403);
    expect(r.json.reason).toBe('source address not allowed');
    await refused(l, 'complete garbage\r\n\r\n', 403);
  });

  it('404 for an unknown event or path', async () => {
    const l = await listen();
    expect((await refused(l, get(`/gs/${TOKEN}/cti/ringing`), 404)).json.reason).toBe('unknown event');
    expect((await refused(l, get('/api/calls'), 404)).json.reason).toBe('unknown path');
    await refused(l, get(`/gs/${TOKEN}/cti/`), 404);
  });

  it('405 for other methods, with Allow', async () => {
    const l = await listen();
    const r = await refused(l, `POST /gs/${TOKEN}/cti/incoming HTTP/1.1\r\nContent-Length: 0\r\n\r\n`, 405);
    expect(r.headers['allow']).toBe('GET, HEAD');
    const withBody = await refused(l, `PUT /gs/${TOKEN}/cti/incoming HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}`, 405);
    expect(withBody.headers['allow']).toBe('GET, HEAD');
  });

  it('414 for a request line over maxRequestLineBytes', async () => {
    const l = await listen({ limits: { maxRequestLineBytes: 256 } });
    await refused(l, get(`/gs/${TOKEN}/cti/incoming?display_remote=${'x'.repeat(300)}`), 414);
    // Also before the line is complete: the listener does not wait for the rest.
    await refused(l, `GET /gs/${TOKEN}/cti/incoming?x=${'y'.repeat(300)}`, 414);
  });

  it('431 for headers over maxHeaderBytes', async () => {
    const l = await listen({ limits: { maxHeaderBytes: 256 } });
    await refused(l, get(`/gs/${TOKEN}/cti/boot`, [`X-Padding: ${'p'.repeat(300)}`]), 431);
    await refused(l, get(`/gs/${TOKEN}/cti/boot`, Array.from({ length: 40 }, (_, i) => `X-${i}: v`)), 431);
  });

  it('408 when the head does not arrive within headersTimeoutMs', async () => {
    const l = await listen({ limits: { headersTimeoutMs: 50 } });
    await refused(l, `GET /gs/${TOKEN}/cti/boot HTTP/1.1\r\nHost: x\r\n`, 408);
  });

  it('408 for a connection that sends nothing', async () => {
    const l = await listen({ limits: { headersTimeoutMs: 50 } });
    const client = await RawClient.open(l.port);
    const response = await client.next();
    expect(response.status).toBe(408);
    await client.closed;
    expect(l.acceptCalls()).toBe(0);
  });

  it('429 with Retry-After beyond the rate, per source', async () => {
    const l = await listen({ limits: { ratePerSecond: 1, rateBurst: 2 } });
    const client = await RawClient.open(l.port);
    client.send(get(`/gs/${TOKEN}/cti/boot`).repeat(3));
    const responses = [await client.next(), await client.next(), await client.next()];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(Number(responses[2]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(responses[2]!.json).toEqual({ status: 'error', reason: 'rate limit exceeded' });
    expect(l.acceptCalls()).toBe(2);
    client.destroy();
  });

  it('503 when accept() rejects, logged as a warning without personal data, and the connection stays usable', async () => {
    let fail = true;
    const l = await listen({ accept: () => (fail ? Promise.reject(new Error('disk full')) : Promise.resolve()) });
    const client = await RawClient.open(l.port);
    client.send(get(`/gs/${TOKEN}/cti/incoming?remote=+923001234567&display_remote=Jane`));
    const response = await client.next();
    expect(response.status).toBe(503);
    expect(response.json.status).toBe('error');
    const warn = l.logLines.map((line) => JSON.parse(line)).find((entry) => entry.level === 40);
    expect(warn?.err?.message).toBe('disk full');
    expect(l.logLines.join('')).not.toMatch(/923001234567|Jane|test-token/);
    fail = false;
    client.send(get(`/gs/${TOKEN}/cti/boot`));
    expect((await client.next()).status).toBe(200);
    client.destroy();
  });

  it('503 when accept() throws synchronously', async () => {
    const l = await listen({
      accept: () => {
        throw new Error('broken');
      },
    });
    const { response, client } = await exchange(l.port, get(`/gs/${TOKEN}/cti/boot`));
    expect(response.status).toBe(503);
    client.destroy();
  });

  it('counts responses by status in the metrics', async () => {
    const l = await listen();
    await eventFor(l, get(`/gs/${TOKEN}/cti/boot`));
    const { client } = await exchange(l.port, get('/gs/cti/boot'));
    client.destroy();
    const text = await l.metrics.registry.metrics();
    expect(text).toContain('ringside_webhook_requests_total{status="200"} 1');
    expect(text).toContain('ringside_webhook_requests_total{status="401"} 1');
    expect(text).toContain('ringside_events_accepted_total{type="boot"} 1');
  });

  it('stays up after every refusal', async () => {
    const l = await listen({ limits: { maxRequestLineBytes: 128 } });
    for (const bad of ['\u0000\u0001\u0002\r\n\r\n', 'GET\r\n\r\n', `GET /${'a'.repeat(500)} HTTP/1.1\r\n\r\n`]) {
      const client = await RawClient.open(l.port);
      client.send(bad);
      await client.closed;
    }
    await eventFor(l, get(`/gs/${TOKEN}/cti/boot`));
  });
});

describe('startWebhookListener', () => {
  const base = { host: '127.0.0.1', port: 0, token: TOKEN, account: 'a', accept: () => Promise.resolve() };

  it('rejects a bad allow-list entry and an empty token', async () => {
    const logger = createLogger({ level: 'silent' });
    await expect(startWebhookListener({ ...base, allow: ['10.0.0.0/99'], logger, metrics: createMetrics() })).rejects.toThrow(/allow-list/);
    await expect(startWebhookListener({ ...base, token: '', allow: [], logger, metrics: createMetrics() })).rejects.toThrow(/token/);
  });

  it('rejects a negative limit', async () => {
    const logger = createLogger({ level: 'silent' });
    await expect(startWebhookListener({ ...base, allow: [], logger, metrics: createMetrics(), limits: { idleTimeoutMs: -1 } })).rejects.toThrow(/idleTimeoutMs/);
  });

  it('rejects when the port is taken', async () => {
    const l = await listen();
    const logger = createLogger({ level: 'silent' });
    await expect(startWebhookListener({ ...base, port: l.port, allow: [], logger, metrics: createMetrics() })).rejects.toThrow(/EADDRINUSE/);
  });
});
