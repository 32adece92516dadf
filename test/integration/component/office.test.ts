import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOffice, type Office } from '../../support/office';
import type { TestRingside } from '../../support/ringside';
import { MAC_A, MAC_B, helplineOnTwoSeats, newCaller, params, type CallBody } from './fixtures';

async function ok(seat: TestRingside, event: string, p: Record<string, string>): Promise<void> {
  const res = await seat.phone(event, p);
  expect(res.status, `${event}: ${JSON.stringify(res.body)}`).toBe(200);
}

async function callsFrom(seat: TestRingside, remote: string): Promise<CallBody[]> {
  const res = await seat.api<{ items: CallBody[] }>('GET', `/api/calls?remote=${encodeURIComponent(remote)}`);
  return res.body.items;
}

describe('an office: two seats on one Redis and one RabbitMQ', () => {
  let office: Office;
  beforeEach(async () => {
    office = await startOffice(2, { missedDelayMs: 60_000 });
  });
  afterEach(async () => {
    await office.stop();
  });

  it('a helpline call ringing phones of both seats is one call; the answer on one seat dismisses the popup on the other', async () => {
    const { x, y, alice, bob } = await helplineOnTwoSeats(office);
    const caller = newCaller();

    // Alice's phone reports to seat X, Bob's to seat Y: the two halves meet only in Redis and RabbitMQ.
    await ok(x, 'incoming', params(MAC_A, caller));
    await ok(y, 'incoming', params(MAC_B, caller));
    const [aliceRing, bobRing] = await Promise.all([alice.callMessage('call.ringing', caller), bob.callMessage('call.ringing', caller)]);
    expect((aliceRing.call as CallBody).id).toBe((bobRing.call as CallBody).id);

    await ok(x, 'answered', params(MAC_A, caller));
    const dismissed = await bob.callMessage('call.dismissed', caller);
    expect(dismissed.answeredBy).toBe('Alice');
    await alice.callMessage('call.answered', caller);

    // Bob's phone stops ringing and reports missed late, through seat Y: not a missed call.
    await ok(y, 'missed', params(MAC_B, caller));
    await ok(x, 'hangup', params(MAC_A, caller));
    await alice.callMessage('call.ended', caller);
    office.advance(120_000);
    await office.settle();

    for (const seat of [x, y]) {
      const calls = await callsFrom(seat, caller);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ status: 'answered', agent: 'alice' });
      expect(calls[0]!.legs.map((l) => l.mac).sort()).toEqual([MAC_A, MAC_B].map((m) => m.replaceAll(':', '')).sort());
      const missed = await seat.api<{ items: unknown[] }>('GET', '/api/missed');
      expect(missed.body.items).toEqual([]);
    }
    expect(bob.received('call.missed')).toEqual([]);
  });

  it('an unanswered helpline call on both seats becomes exactly one missed call, pushed to both agents', async () => {
    const { x, y, alice, bob } = await helplineOnTwoSeats(office);
    const caller = newCaller();

    await ok(x, 'incoming', params(MAC_A, caller));
    await ok(y, 'incoming', params(MAC_B, caller));
    await ok(x, 'missed', params(MAC_A, caller));
    await ok(y, 'missed', params(MAC_B, caller));
    await office.settle();
    office.advance(61_000);
    await office.settle();

    await Promise.all([alice.callMessage('call.missed', caller), bob.callMessage('call.missed', caller)]);
    const missed = await y.api<{ items: Array<{ remote: string }> }>('GET', '/api/missed');
    expect(missed.body.items.filter((m) => m.remote === caller)).toHaveLength(1);
    expect(await callsFrom(x, caller)).toHaveLength(1);
  });

  it('reports Redis and RabbitMQ as up, with the outbox depth, in /healthz and /metrics', async () => {
    const [x] = office.seats as [TestRingside];
    const health = await x.api<Record<string, unknown>>('GET', '/healthz');
    expect(health.body).toMatchObject({ status: 'ok', redis: 'up', rabbitmq: 'up', spoolDepth: 0 });
    const metrics = await x.api<{ text: string }>('GET', '/metrics');
    expect(metrics.body.text).toMatch(/ringside_service_up\{service="redis"\} 1/);
    expect(metrics.body.text).toMatch(/ringside_service_up\{service="rabbitmq"\} 1/);
    expect(metrics.body.text).toMatch(/ringside_outbox_depth 0/);
  });
});
