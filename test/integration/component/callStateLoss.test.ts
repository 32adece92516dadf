import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TTL_MS } from '../../../src/domain/callstate/ttl';
import { AgentClient, startTestRingside, type TestRingside } from '../../support/ringside';
import { makeTempDir } from '../../support/tmp';
import { HELPLINE, MAC_A, MAC_B, callsFrom, newCaller, onlyCallFrom, params, phoneSays } from './fixtures';

/**
 * docs/call-lifecycle.md, Recovery after a call-state loss: Redis may restart without persistence, and an embedded state.db may be lost while
 * ringside.db survives. Either way the call state forgets calls the call log still shows open.
 * Here the loss is real: Ringside is closed, state.db is deleted, and Ringside starts again on
 * the same data dir (the spool and the call log survive); the agents' UIs connect again.
 */
describe('calls continue after the call state was lost', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let r: TestRingside;
  const clients: AgentClient[] = [];

  beforeEach(async () => {
    temp = makeTempDir();
    r = await startTestRingside({}, temp.dir);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await r.stop();
    temp.cleanup();
  });

  async function connect(agent: string): Promise<AgentClient> {
    const session = await r.api<{ token: string }>('POST', '/api/session', { body: { agent } });
    const client = await AgentClient.connect(r.instance.apiUrl, session.body.token);
    clients.push(client);
    return client;
  }

  /** Alice (phone A) and Bob (phone B) answer the helpline: a call to it rings both phones. */
  async function helpline(): Promise<void> {
    await r.api('POST', '/api/helplines', { body: { number: HELPLINE, name: 'Support' } });
    await r.agent('alice', { devices: [MAC_A], name: 'Alice' });
    await r.agent('bob', { devices: [MAC_B], name: 'Bob' });
  }

  /** Everything sent so far is handled; then Ringside goes down, its call state is deleted, and it comes back. */
  async function loseCallState(): Promise<{ alice: AgentClient; bob: AgentClient }> {
    await r.settle();
    for (const client of clients.splice(0)) client.close();
    await r.stop();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(temp.dir, `state.db${suffix}`), { force: true });
    r = await startTestRingside({}, temp.dir);
    return { alice: await connect('alice'), bob: await connect('bob') };
  }

  /** The phone stamps events with the wall clock: wait until it has moved past `ms`, so a talk time cannot be 0. */
  async function clockPast(ms: number): Promise<void> {
    while (Date.now() <= ms) await new Promise((resolve) => setImmediate(resolve));
  }

  async function openMissed(): Promise<Array<{ callId: string; targets: string[] }>> {
    return (await r.api<{ items: Array<{ callId: string; targets: string[] }> }>('GET', '/api/missed?status=open')).body.items;
  }

  async function afterGraceDelay(): Promise<void> {
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();
  }

  it('ring, [loss], answered, hangup: one call row, answered, with talk time, and call.ended reaches the agents', async () => {
    await helpline();
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller)]]);
    const { alice, bob } = await loseCallState();

    await phoneSays(r, [['answered', params(MAC_A, caller)]]);
    await clockPast((await onlyCallFrom(r, caller)).answeredAt!);
    await phoneSays(r, [['hangup', params(MAC_A, caller)]]);

    const call = await onlyCallFrom(r, caller);
    expect(call).toMatchObject({ status: 'answered', agent: 'alice' });
    expect(call.talkMs).toBeGreaterThan(0);
    expect(call.legs.map((l) => [l.mac, l.state])).toEqual([['000B8200000A', 'ended']]);
    expect((await alice.callMessage('call.ended', caller)).outcome).toBe('answered');
    expect((await bob.callMessage('call.dismissed', caller)).answeredBy).toBe('Alice');
    const stats = await r.api<{ items: Array<{ agent: string; offered: number; answered: number; missed: number }> }>('GET', '/api/stats?agent=alice');
    expect(stats.body.items).toEqual([expect.objectContaining({ offered: 1, answered: 1, missed: 0 })]);
  });

  it('ring on both phones of a ring group, [loss], missed on both: exactly one missed call, after the grace delay', async () => {
    await helpline();
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller)], ['incoming', params(MAC_B, caller)]]);
    const { alice, bob } = await loseCallState();

    await phoneSays(r, [['missed', params(MAC_A, caller)], ['missed', params(MAC_B, caller)]]);
    expect(await openMissed()).toEqual([]); // still inside the grace delay
    expect((await alice.callMessage('call.ended', caller)).outcome).toBe('unanswered');
    await afterGraceDelay();

    const missed = await openMissed();
    expect(missed).toHaveLength(1);
    expect(missed[0]!.targets.sort()).toEqual(['alice', 'bob']);
    await alice.callMessage('call.missed', caller);
    await bob.callMessage('call.missed', caller);
    expect(alice.received('call.missed')).toHaveLength(1);
    expect(alice.received('call.ended')).toHaveLength(1);
    const call = await onlyCallFrom(r, caller);
    expect(call.status).toBe('missed');
    expect(call.legs.map((l) => l.state)).toEqual(['missed', 'missed']);
  });

  it('ring, answered, [loss], hangup: finished as answered (not missed), even after the stale-call reaper ran meanwhile', async () => {
    await helpline();
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller)], ['answered', params(MAC_A, caller)]]);
    const { alice } = await loseCallState();
    // Longer than an unanswered call's claim lives: the reaper looks at the call, and must leave it alone.
    r.advance(TTL_MS.ring + 60_000);
    await r.settle();
    expect((await onlyCallFrom(r, caller)).status).toBe('in_progress');

    await clockPast((await onlyCallFrom(r, caller)).answeredAt!);
    await phoneSays(r, [['hangup', params(MAC_A, caller)]]);
    await afterGraceDelay();

    const call = await onlyCallFrom(r, caller);
    expect(call).toMatchObject({ status: 'answered', agent: 'alice' });
    expect(call.talkMs).toBeGreaterThan(0);
    expect(await openMissed()).toEqual([]);
    expect((await alice.callMessage('call.ended', caller)).outcome).toBe('answered');
  });

  it('an unanswered call ends after the loss, and the same caller rings again within the grace delay: two calls, the first one missed', async () => {
    await helpline();
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller)]]);
    const { alice } = await loseCallState();

    await phoneSays(r, [['hangup', params(MAC_A, caller)]]);
    const [first] = await callsFrom(r, caller);
    expect(first!.status).toBe('ringing'); // waiting for the grace delay
    await phoneSays(r, [['incoming', params(MAC_A, caller)], ['answered', params(MAC_A, caller)], ['hangup', params(MAC_A, caller)]]);
    await afterGraceDelay();

    const calls = await callsFrom(r, caller);
    expect(calls.map((c) => [c.id, c.status])).toEqual([[expect.not.stringMatching(first!.id), 'answered'], [first!.id, 'missed']]);
    expect(calls.map((c) => c.legs.length)).toEqual([1, 1]);
    expect((await openMissed()).map((m) => m.callId)).toEqual([first!.id]);
    await alice.callMessage('call.missed', caller);
    expect(alice.received('call.missed')).toHaveLength(1);
  });

  it('the loss comes while an ended call waits for its grace delay: the next call from that caller is its own, the first still becomes one missed call', async () => {
    await helpline();
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller)], ['hangup', params(MAC_A, caller)]]);
    await loseCallState(); // the pending missed call was queued in the lost state

    await phoneSays(r, [['incoming', params(MAC_A, caller)]]);
    const [second, first] = await callsFrom(r, caller);
    expect(second).toMatchObject({ status: 'ringing' });
    expect(second!.legs).toHaveLength(1);
    await phoneSays(r, [['answered', params(MAC_A, caller)], ['hangup', params(MAC_A, caller)]]);
    // Nothing is queued for the first call any more: the stale-call reaper queues it again once
    // its claim would have expired, and the grace delay after its end has long passed by then.
    r.advance(TTL_MS.ring + r.config.missedDelayMs);
    await r.settle();
    await r.settle();

    expect((await callsFrom(r, caller)).map((c) => [c.id, c.status])).toEqual([[second!.id, 'answered'], [first!.id, 'missed']]);
    expect((await openMissed()).map((m) => m.callId)).toEqual([first!.id]);
  });

  it('events the phone repeats after the recovery change nothing: one row, one answer, one end', async () => {
    await helpline();
    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller)]]);
    const { alice, bob } = await loseCallState();

    await phoneSays(r, [
      ['incoming', params(MAC_A, caller)], ['answered', params(MAC_A, caller)], ['answered', params(MAC_A, caller)],
    ]);
    const answered = await onlyCallFrom(r, caller);
    await clockPast(answered.answeredAt!);
    await phoneSays(r, [['hangup', params(MAC_A, caller)], ['hangup', params(MAC_A, caller)], ['missed', params(MAC_A, caller)]]);
    const ended = await onlyCallFrom(r, caller);
    // And once more after another loss: the call is over, nothing reopens it.
    await loseCallState();
    await phoneSays(r, [['hangup', params(MAC_A, caller)]]);
    await afterGraceDelay();

    const call = await onlyCallFrom(r, caller);
    expect(call).toMatchObject({ status: 'answered', answeredAt: answered.answeredAt, endedAt: ended.endedAt, talkMs: ended.talkMs });
    expect(call.legs).toHaveLength(1);
    expect(await openMissed()).toEqual([]);
    // (A repeated "answered" re-sends call.answered and call.dismissed, as it does without a loss.)
    expect(alice.received('call.ended')).toHaveLength(1);
    expect(bob.received('call.ended')).toHaveLength(1);
    expect([...alice.received('call.ringing'), ...bob.received('call.ringing')]).toEqual([]);
  });
});
