// The call-back queue (src/domain/callback/CallbackQueue.ts) on the embedded adapters: who may
// take which missed call, helpline membership as it is when the call is taken, and items queued
// by an older version (a helpline call for anyone) put right by reconcile.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteQueues } from '../../../../src/adapters/sqlite/SqliteQueues';
import { CALLBACK_QUEUE, CallbackQueue } from '../../../../src/domain/callback/CallbackQueue';
import { createLogger } from '../../../../src/shared/logger';
import { callStart, ev, legStart, makeHarness, MAC_A, MAC_B, T0, type Harness } from '../../adapters/sqlite/calllog/helpers';

let h: Harness;
let queues: SqliteQueues;
let callbacks: CallbackQueue;

beforeEach(async () => {
  h = makeHarness();
  queues = new SqliteQueues(h.db);
  callbacks = new CallbackQueue({ queues, log: h.log, logger: createLogger({ level: 'silent' }), clock: () => T0 });
  // h1: a call of helpline 600 offered to bob only; d1: bob's direct call; n1: a call that rang nobody.
  const calls = [
    { id: 'h1', line: 'helpline' as const, helpline: '600', mac: MAC_B, agent: 'bob', targets: ['bob'] },
    { id: 'd1', line: 'direct' as const, helpline: null, mac: MAC_B, agent: 'bob', targets: ['bob'] },
    { id: 'n1', line: 'direct' as const, helpline: null, mac: MAC_A, agent: null, targets: [] },
  ];
  for (const [i, c] of calls.entries()) {
    const at = T0 + i * 1_000;
    await h.log.recordRinging(ev(), { call: callStart({ id: c.id, remote: `+92300123450${i}`, line: c.line, helpline: c.helpline, startedAt: at }), leg: legStart(c.mac, c.agent, at), targets: c.targets });
    const missed = await h.log.recordMissedCall({ callId: c.id, account: 'acme', at: at + 30_000 });
    await callbacks.enqueue(missed.value!);
  }
});
afterEach(() => h.cleanup());

const taken = async (agent: string, helplines: string[]) => {
  const got: string[] = [];
  for (let m = await callbacks.takeNext('acme', { agent, helplines }, T0); m; m = await callbacks.takeNext('acme', { agent, helplines }, T0)) got.push(m.callId);
  return got;
};

describe('taking the next missed call to call back', () => {
  it("an agent takes their helplines' calls and those that rang nobody, never another helpline's or another agent's direct call", async () => {
    expect(await taken('alice', ['700'])).toEqual(['n1']);
    expect(await taken('alice', ['600'])).toEqual(['h1']);
    expect(await taken('bob', [])).toEqual(['d1']);
    expect(await queues.length('acme', CALLBACK_QUEUE)).toBe(0);
  });

  it('reconcile queues an item of an older version (a helpline call for anyone) again for its audience', async () => {
    await queues.remove('acme', CALLBACK_QUEUE, 'h1');
    await queues.add('acme', CALLBACK_QUEUE, { id: 'h1', score: T0 + 30_000, data: {}, audience: null });
    await callbacks.reconcile('acme');
    expect((await queues.items('acme', CALLBACK_QUEUE)).map((i) => [i.id, i.audience])).toEqual([
      ['h1', ['bob', 'helpline:600']], ['d1', ['bob']], ['n1', null],
    ]);
    expect(await taken('alice', [])).toEqual(['n1']);
  });
});
