import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOffice, type Office } from '../../support/office';
import type { AgentClient, TestRingside } from '../../support/ringside';
import { AMQP_URL } from '../../support/services';
import { startTcpProxy, targetOf, type TcpProxy } from '../../support/tcpProxy';
import { MAC_A, MAC_B, callsFrom, helplineOnTwoSeats, missedCallsFrom, newCaller, params, unappliedEvents, type MissedBody } from './fixtures';

/**
 * One ring-group call whose phones report to different seats, and whose events reach RabbitMQ
 * out of order: seat Y (Bob's phone) cannot reach RabbitMQ (a TCP proxy this test owns is
 * paused), so its events wait in its outbox while seat X (Alice's phone) forwards hers at once.
 * Alice's phone rings and stops; by the time Bob's events arrive, the call is over for the
 * handlers. His ring happened while it was ringing, so it is the same call, and the missed-call
 * grace runs from when the end was handled, so his answer still comes in time.
 */

const MISSED_DELAY_MS = 60_000;
const A = MAC_A.replaceAll(':', '');
const B = MAC_B.replaceAll(':', '');

describe('an office whose seats relay one call out of order', () => {
  let office: Office | null = null;
  let yAmqp: TcpProxy;
  let acknowledged: string[];

  beforeEach(async () => {
    yAmqp = await startTcpProxy(targetOf(AMQP_URL, 5672));
    acknowledged = [];
  });
  afterEach(async () => {
    yAmqp.resume();
    try {
      await office?.stop();
    } finally {
      office = null;
      await yAmqp.close();
    }
  });

  /** Seat X reaches RabbitMQ directly, seat Y through the proxy. */
  async function open(): Promise<{ o: Office; x: TestRingside; y: TestRingside; alice: AgentClient; bob: AgentClient }> {
    const o = await startOffice(2, { missedDelayMs: MISSED_DELAY_MS }, { amqpUrl: (seat) => (seat === 1 ? yAmqp.url(AMQP_URL) : AMQP_URL) });
    office = o;
    return { o, ...(await helplineOnTwoSeats(o)) };
  }

  async function ok(seat: TestRingside, event: string, p: Record<string, string>): Promise<void> {
    const res = await seat.phone(event, p);
    expect(res.status, `${event}: ${JSON.stringify(res.body)}`).toBe(200);
    acknowledged.push(String(res.body.id));
  }

  /** Cuts seat Y off RabbitMQ; returns once its clients have noticed (they reconnected into the held proxy). */
  async function cutSeatY(): Promise<void> {
    const cut = yAmqp.pause({ newConnections: 'hold' });
    expect(cut).toBeGreaterThan(0);
    await yAmqp.arrivals(cut);
  }

  /** Alice's phone rang and stopped: the handlers have ended the call (her popup closes). */
  async function aliceMissedItFirst(x: TestRingside, alice: AgentClient, caller: string): Promise<void> {
    await ok(x, 'missed', params(MAC_A, caller));
    const ended = await alice.callMessage('call.ended', caller);
    expect(ended.outcome).toBe('unanswered');
  }

  const missedPushes = (client: AgentClient, caller: string) =>
    client.received('call.missed').filter((m) => (m.call as { remote: string }).remote === caller);

  it("Bob's phone answers the call Alice's phone already reported missed: one row answered by Bob with both legs, no missed call", async () => {
    const { o, x, y, alice, bob } = await open();
    const caller = newCaller();
    await cutSeatY();

    await ok(x, 'incoming', params(MAC_A, caller));
    await ok(y, 'incoming', params(MAC_B, caller));
    await aliceMissedItFirst(x, alice, caller);
    await ok(y, 'answered', params(MAC_B, caller));
    await ok(y, 'hangup', params(MAC_B, caller));
    expect(await callsFrom(x, caller)).toEqual([expect.objectContaining({ status: 'ringing' })]);

    yAmqp.resume();
    await o.settle();
    o.advance(MISSED_DELAY_MS * 2);
    await o.settle();

    expect(unappliedEvents(o, acknowledged)).toEqual([]);
    const calls = await callsFrom(x, caller);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: 'answered', agent: 'bob' });
    expect(calls[0]!.legs.map((l) => [l.mac, l.state]).sort()).toEqual([[A, 'missed'], [B, 'ended']]);
    expect(await missedCallsFrom(x, caller)).toEqual([]);
    expect([missedPushes(alice, caller), missedPushes(bob, caller)]).toEqual([[], []]);
    expect((await bob.callMessage('call.answered', caller)).call).toMatchObject({ id: calls[0]!.id });
  });

  it('nobody answers: one row with both legs, and one missed call for both agents', async () => {
    const { o, x, y, alice, bob } = await open();
    const caller = newCaller();
    await cutSeatY();

    await ok(x, 'incoming', params(MAC_A, caller));
    await ok(y, 'incoming', params(MAC_B, caller));
    await aliceMissedItFirst(x, alice, caller);
    await ok(y, 'missed', params(MAC_B, caller));

    yAmqp.resume();
    await o.settle();
    expect(await missedCallsFrom(x, caller)).toEqual([]);
    o.advance(MISSED_DELAY_MS + 1_000);
    await o.settle();

    expect(unappliedEvents(o, acknowledged)).toEqual([]);
    const calls = await callsFrom(y, caller);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: 'missed' });
    expect(calls[0]!.legs.map((l) => [l.mac, l.state]).sort()).toEqual([[A, 'missed'], [B, 'missed']]);
    const records = await missedCallsFrom(y, caller);
    expect(records).toEqual([expect.objectContaining({ callId: calls[0]!.id, status: 'open' })]);
    expect(records[0]!.targets.sort()).toEqual(['alice', 'bob']);
    await Promise.all([alice.callMessage('call.missed', caller), bob.callMessage('call.missed', caller)]);
    expect([missedPushes(alice, caller).length, missedPushes(bob, caller).length]).toEqual([1, 1]);
  });

  it("Bob's answer arrives after the grace: the missed call already raised is closed as answered by Bob, and the row is answered", async () => {
    const { o, x, y, alice, bob } = await open();
    const caller = newCaller();
    await cutSeatY();

    await ok(x, 'incoming', params(MAC_A, caller));
    await ok(y, 'incoming', params(MAC_B, caller));
    await aliceMissedItFirst(x, alice, caller);
    await ok(y, 'answered', params(MAC_B, caller));
    await ok(y, 'hangup', params(MAC_B, caller));
    // The outage outlasts the grace: the missed call is raised from what seat X forwarded.
    o.advance(MISSED_DELAY_MS + 1_000);
    await x.instance.housekeeping();
    await alice.callMessage('call.missed', caller);

    yAmqp.resume();
    await o.settle();

    expect(unappliedEvents(o, acknowledged)).toEqual([]);
    const calls = await callsFrom(x, caller);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: 'answered', agent: 'bob' });
    expect(calls[0]!.legs.map((l) => [l.mac, l.state]).sort()).toEqual([[A, 'missed'], [B, 'ended']]);
    expect(await missedCallsFrom(x, caller)).toEqual([expect.objectContaining({ callId: calls[0]!.id, status: 'closed', closedBy: 'bob' })]);
    const claimed = await alice.next((m) => m.type === 'missed.claimed' && (m.missed as MissedBody).remote === caller, `missed.claimed for ${caller}`);
    expect(claimed.missed).toMatchObject({ status: 'closed', closedBy: 'bob' });
    // Both were offered the call (the helpline rang both phones), both were told of the missed call once.
    await bob.callMessage('call.missed', caller);
    expect([missedPushes(alice, caller).length, missedPushes(bob, caller).length]).toEqual([1, 1]);
    const stats = await x.api<{ items: Array<{ agent: string; answered: number; missed: number }> }>('GET', '/api/stats');
    expect(Object.fromEntries(stats.body.items.map((s) => [s.agent, [s.answered, s.missed]]))).toMatchObject({ alice: [0, 0], bob: [1, 0] });
  });
});
