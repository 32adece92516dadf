import { describe, expect, it } from 'vitest';
import type { TestRingside } from '../../support/ringside';
import { HELPLINE, MAC_A, MAC_B, newCaller, onlyCallFrom, params, phoneSays, useRingside } from './fixtures';

async function helplineWithTwoAgents(r: TestRingside) {
  await r.api('POST', '/api/helplines', { body: { number: HELPLINE, name: 'Support' } });
  const alice = await r.agent('alice', { devices: [MAC_A], name: 'Alice' });
  const bob = await r.agent('bob', { devices: [MAC_B], name: 'Bob' });
  return { alice, bob };
}

async function openMissed(r: TestRingside): Promise<Array<{ callId: string; status: string; targets: string[] }>> {
  const res = await r.api<{ items: Array<{ callId: string; status: string; targets: string[] }> }>('GET', '/api/missed?status=open');
  return res.body.items;
}

describe('rule 3: answered', () => {
  const ringside = useRingside();

  it('the answering agent owns the call and every other agent with the popup is told who answered', async () => {
    const r = ringside();
    const { alice, bob } = await helplineWithTwoAgents(r);
    const caller = newCaller();

    await phoneSays(r, [['incoming', params(MAC_A, caller)], ['incoming', params(MAC_B, caller)], ['answered', params(MAC_B, caller)]]);

    const dismissed = await alice.callMessage('call.dismissed', caller);
    expect(dismissed.answeredBy).toBe('Bob');
    await bob.callMessage('call.answered', caller);
    expect(bob.received('call.dismissed')).toHaveLength(0);
    const call = await onlyCallFrom(r, caller);
    expect(call.status).toBe('in_progress');
    expect(call.agent).toBe('bob');
    expect(call.answeredAt).not.toBeNull();
  });
});

describe('rule 4: missed, with a delay', () => {
  const ringside = useRingside();

  it('a missed event is not a missed call when another device answered, even one that already hung up', async () => {
    const r = ringside();
    await helplineWithTwoAgents(r);
    const caller = newCaller();

    await phoneSays(r, [
      ['incoming', params(MAC_A, caller)], ['incoming', params(MAC_B, caller)],
      ['answered', params(MAC_B, caller)], ['hangup', params(MAC_B, caller)],
      ['missed', params(MAC_A, caller)], // late: the call is already over
    ]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();

    expect(await openMissed(r)).toEqual([]);
    expect((await onlyCallFrom(r, caller)).status).toBe('answered');
  });

  it('exactly one missed record per logical call, raised only after the delay, to every agent who had the popup', async () => {
    const r = ringside();
    const { alice, bob } = await helplineWithTwoAgents(r);
    const caller = newCaller();

    await phoneSays(r, [
      ['incoming', params(MAC_A, caller)], ['incoming', params(MAC_B, caller)],
      ['missed', params(MAC_A, caller)], ['missed', params(MAC_B, caller)],
      ['hangup', params(MAC_A, caller)], ['hangup', params(MAC_B, caller)], // some models send both
    ]);
    expect(await openMissed(r)).toEqual([]); // still inside the grace delay
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();
    await r.settle();

    const missed = await openMissed(r);
    expect(missed).toHaveLength(1);
    // The popup closed once, when the last phone stopped ringing, not once per phone.
    expect(alice.received('call.ended')).toEqual([expect.objectContaining({ outcome: 'unanswered' })]);
    expect(missed[0]!.targets.sort()).toEqual(['alice', 'bob']);
    await alice.callMessage('call.missed', caller);
    await bob.callMessage('call.missed', caller);
    expect(alice.received('call.missed')).toHaveLength(1);
    expect((await onlyCallFrom(r, caller)).status).toBe('missed');
  });

  it('an unanswered call that ends with hangup and no missed event is missed too', async () => {
    const r = ringside();
    const { alice } = await helplineWithTwoAgents(r);
    const caller = newCaller();

    await phoneSays(r, [['incoming', params(MAC_A, caller)], ['hangup', params(MAC_A, caller)]]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();

    await alice.callMessage('call.missed', caller);
    expect(await openMissed(r)).toHaveLength(1);
  });

  it('a device giving up while another still rings does not make a missed call', async () => {
    const r = ringside();
    await helplineWithTwoAgents(r);
    const caller = newCaller();

    await phoneSays(r, [
      ['incoming', params(MAC_A, caller)], ['incoming', params(MAC_B, caller)],
      ['missed', params(MAC_A, caller)], ['answered', params(MAC_B, caller)], ['hangup', params(MAC_B, caller)],
    ]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();

    expect(await openMissed(r)).toEqual([]);
  });
});

describe('rule 5: rejected', () => {
  const ringside = useRingside();

  it('one device rejecting while another still rings is not a missed call; the rejection is recorded', async () => {
    const r = ringside();
    await helplineWithTwoAgents(r);
    const caller = newCaller();

    await phoneSays(r, [
      ['incoming', params(MAC_A, caller)], ['incoming', params(MAC_B, caller)],
      ['rejected', params(MAC_A, caller)], ['answered', params(MAC_B, caller)], ['hangup', params(MAC_B, caller)],
    ]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();

    const call = await onlyCallFrom(r, caller);
    expect(call.status).toBe('answered');
    expect(call.rejectedBy).toBe('alice');
    expect(call.legs.find((l) => l.agent === 'alice')?.state).toBe('rejected');
    expect(await openMissed(r)).toEqual([]);
  });

  it('the only ringing device rejecting leaves a missed call with who rejected it', async () => {
    const r = ringside();
    await helplineWithTwoAgents(r);
    const caller = newCaller();

    await phoneSays(r, [['incoming', params(MAC_A, caller)], ['rejected', params(MAC_A, caller)]]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();

    const call = await onlyCallFrom(r, caller);
    expect(call.status).toBe('missed');
    expect(call.rejectedBy).toBe('alice');
  });
});
