// The call log with group commit (shared mode): the writes of one turn share one transaction, and
// each still behaves as its own (idempotency, isolation of a failing write, nothing before commit).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callStart, ev, legStart, makeHarness, MAC_A, MAC_B, T0, type Harness } from './helpers';

let h: Harness;
beforeEach(() => {
  h = makeHarness({ groupCommit: true });
});
afterEach(() => h.cleanup());

describe('call log with group commit', () => {
  it('the first write of a turn runs at once; the rest of the turn are committed together, none before its caller is told', async () => {
    const other = h.second();
    const writes = Array.from({ length: 20 }, (_, i) =>
      h.log.recordRinging(ev('ring'), { call: callStart({ id: `call-${i}`, remote: `+9230000000${String(i).padStart(2, '0')}` }), leg: legStart(MAC_A, 'alice', T0 + i), targets: ['alice'] }));
    // The first ran at once (a lone write waits for nothing); the other 19 wait for the end of the turn.
    expect(other.db.prepare('SELECT COUNT(*) FROM cl_calls').pluck().get()).toBe(1);
    const results = await Promise.all(writes);
    expect(results.every((r) => r.applied)).toBe(true);
    expect(other.db.prepare('SELECT COUNT(*) FROM cl_calls').pluck().get()).toBe(20);
  });

  it('one event id twice in the same turn applies once; the handled marker is written with the group', async () => {
    const id = ev('ring');
    const input = { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] };
    const [first, second, marked] = await Promise.all([h.log.recordRinging(id, input), h.log.recordRinging(id, { ...input, leg: legStart(MAC_B, 'bob', T0 + 1) }), h.log.markProcessed(`${id}:handled`)]);
    expect([first.applied, second.applied, marked]).toEqual([true, false, true]);
    expect(h.count('cl_legs')).toBe(1);
    expect(await h.log.hasProcessed(`${id}:handled`)).toBe(true);
  });

  it('a write that fails is rolled back alone: the others of its group are committed', async () => {
    const good = h.log.recordRinging(ev('ring'), { call: callStart({ id: 'call-ok' }), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
    // Its call row goes in, then its leg breaks a NOT NULL constraint: the call row must go too.
    const bad = h.log.recordRinging(ev('ring'), { call: callStart({ id: 'call-bad', remote: '+923008888888' }), leg: legStart(null as unknown as string, 'bob', T0), targets: ['bob'] });
    const later = h.log.recordRinging(ev('ring'), { call: callStart({ id: 'call-later', remote: '+923009999999' }), leg: legStart(MAC_B, 'bob', T0 + 5), targets: ['bob'] });
    await expect(bad).rejects.toThrow();
    expect((await good).applied).toBe(true);
    expect((await later).applied).toBe(true);
    expect(h.db.prepare('SELECT id FROM cl_calls ORDER BY id').pluck().all()).toEqual(['call-later', 'call-ok']);
    expect(h.db.prepare("SELECT COUNT(*) FROM cl_legs WHERE call_id = 'call-bad'").pluck().get()).toBe(0);
  });

  it('a group of one write that fails is rolled back; the write that ran at once stays', async () => {
    const first = h.log.recordRinging(ev('ring'), { call: callStart({ id: 'call-ok' }), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
    const bad = h.log.recordRinging(ev('ring'), { call: callStart({ id: 'call-bad', remote: '+923008888888' }), leg: legStart(null as unknown as string, 'bob', T0), targets: ['bob'] });
    await expect(bad).rejects.toThrow();
    expect((await first).applied).toBe(true);
    expect(h.db.prepare('SELECT id FROM cl_calls ORDER BY id').pluck().all()).toEqual(['call-ok']);
  });
});
