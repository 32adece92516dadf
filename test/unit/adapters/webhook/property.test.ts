import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_EVENT_TYPES, EVENT_ALIASES } from '../../../../src/domain/events/CallEvent';
import { evaluateBytes, type Outcome, type PipelineContext } from '../../../../src/adapters/webhook/pipeline';
import { createTokenCheck } from '../../../../src/adapters/webhook/token';
import { get, RawClient, startTestListener, TOKEN, type TestListener } from './helpers';

/**
 * Whatever bytes arrive, the pipeline answers with a 2xx-4xx status and never throws. Three
 * sources of input: arbitrary text, arbitrary bytes, and near-valid Action URL requests with
 * arbitrary parameters (the ones most likely to reach deep into the code).
 */
const limits = { maxRequestLineBytes: 1024, maxHeaderBytes: 2048 };
let ids = 0;
const ctx: PipelineContext = {
  account: 'acme',
  checkToken: createTokenCheck(TOKEN),
  sourceIp: '::ffff:192.0.2.1',
  receivedAt: 1_700_000_000_000,
  nextId: () => `ID${ids++}`,
};

const eventNames = [...CALL_EVENT_TYPES, ...Object.keys(EVENT_ALIASES)];
const paramKeys = ['callId', 'call_id', 'call-id', 'remote', 'local', 'display_remote', 'display_local', 'active_user', 'mac', 'phone_ip', 'product', 'program_version', 'token', 'kind', 'TOKEN'];
const tricky = ['$remote', '$call-id', '+923001234567', '00:0B:82:12:34:56', '000b.8212.3456', '%', '%zz', '%C3%A9', '%FF%FE', 'José Núñez', TOKEN, 'sip:1001@pbx', '::1', ' ', '&', '=', '?', '/', 'blind'];

const text = (max: number) => fc.string({ unit: 'binary', maxLength: max });
const value = fc.oneof(text(40), fc.constantFrom(...tricky));
const param = fc.tuple(fc.oneof(fc.constantFrom(...paramKeys), text(12)), value).map(([k, v]) => `${k}=${v}`);

/** Mostly `good`, sometimes `bad`: near-valid requests must often get all the way through. */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: good, weight: 5 }, { arbitrary: bad, weight: 1 });
}

const nearValidRequest = fc
  .record({
    method: mostly(fc.constantFrom('GET', 'HEAD'), fc.oneof(fc.constantFrom('POST', 'get', 'OPTIONS'), text(8))),
    prefix: mostly(
      fc.constantFrom('/gs/cti/', `/gs/${TOKEN}/cti/`, `http://h:1/gs/${TOKEN}/cti/`, '/GS/CTI/'),
      fc.constantFrom('/gs/wrong/cti/', '/', '', '*', '/gs//cti/'),
    ),
    event: mostly(fc.constantFrom(...eventNames), text(12)),
    separator: mostly(fc.constantFrom('?', '/'), fc.constantFrom('', '??', '/?')),
    params: fc.array(param, { maxLength: 8 }),
    token: mostly(fc.constantFrom(`&token=${TOKEN}`), fc.constantFrom('', '&token=nope', '&token=')),
    version: mostly(fc.constantFrom('HTTP/1.1', 'HTTP/1.0'), fc.constantFrom('HTTP/2', 'http/1.1', '', 'HTTP/1.1 ')),
    headers: fc.array(
      mostly(
        fc.constantFrom('Host: x', 'Connection: close', 'Content-Length: 0', 'Connection: keep-alive', 'User-Agent: Grandstream GXP2170'),
        fc.oneof(fc.constantFrom('Content-Length: 3', 'Transfer-Encoding: chunked', 'Bad Header: x'), text(30)),
      ),
      { maxLength: 4 },
    ),
    eol: fc.constantFrom('\r\n', '\n'),
  })
  .map((r) => {
    const target = `${r.prefix}${r.event}${r.separator}${r.params.join('&')}${r.token}`;
    const head = [`${r.method} ${target} ${r.version}`, ...r.headers].join(r.eol);
    return Buffer.from(`${head}${r.eol}${r.eol}`, 'utf8');
  });

const anyBytes = fc.oneof(
  text(300).map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  // Arbitrary bytes that at least end like a head, so they reach the parser.
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.concat([Buffer.from(a), Buffer.from('\r\n\r\n')])),
);

function statusOf(outcome: Outcome): number {
  return outcome.kind === 'event' ? 200 : outcome.error.status;
}

function checkOutcome(bytes: Buffer): void {
  const outcome = evaluateBytes(bytes, limits, ctx);
  const status = statusOf(outcome);
  expect(status).toBeGreaterThanOrEqual(200);
  expect(status).toBeLessThan(500);
  if (outcome.kind === 'event') {
    const event = outcome.event;
    expect(CALL_EVENT_TYPES).toContain(event.type);
    expect(Object.keys(event.raw).some((k) => k.toLowerCase() === 'token')).toBe(false);
    expect(event.device.mac === null || /^[0-9A-F]{12}$/.test(event.device.mac)).toBe(true);
    expect(event.callId === null || event.callId.length > 0).toBe(true);
    expect(event.device.ip).not.toMatch(/^::ffff:/);
  } else {
    expect(outcome.error.reason.length).toBeGreaterThan(0);
  }
}

describe('property: the parsing pipeline', () => {
  it('answers near-valid requests with arbitrary parameters with 200..499', () => {
    fc.assert(fc.property(nearValidRequest, checkOutcome), { numRuns: 1500 });
  });

  it('answers arbitrary text and bytes with 200..499', () => {
    fc.assert(fc.property(anyBytes, checkOutcome), { numRuns: 1500 });
  });

  it('finds some valid events among the near-valid requests (the generator is not all noise)', () => {
    const samples = fc.sample(nearValidRequest, { numRuns: 500, seed: 42 });
    const events = samples.filter((b) => evaluateBytes(b, limits, ctx).kind === 'event');
    expect(events.length).toBeGreaterThan(samples.length / 20);
  });
});

describe('property: over a real socket', () => {
  let l: TestListener;
  beforeAll(async () => {
    l = await startTestListener({ limits: { ...limits, ratePerSecond: 0 } });
  });
  afterAll(async () => {
    await l.close();
  });

  it('answers every request with 200..499 and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nearValidRequest, anyBytes), async (bytes) => {
        const client = await RawClient.open(l.port);
        client.send(bytes).end();
        const reply = await client.allText();
        const statuses = [...reply.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
        for (const status of statuses) {
          expect(status).toBeGreaterThanOrEqual(200);
          expect(status).toBeLessThan(500);
        }
        const onlyBlank = bytes.every((b) => b === 0x0d || b === 0x0a);
        if (!onlyBlank) expect(statuses.length).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
    const client = await RawClient.open(l.port);
    client.send(get(`/gs/${TOKEN}/cti/boot`));
    expect((await client.next()).status).toBe(200);
    client.destroy();
  });
});
