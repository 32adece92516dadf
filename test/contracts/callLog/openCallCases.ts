import { describe, expect, it } from 'vitest';
import type { CallLogContext } from '../callLogContract';
import { callStart, ev, legStart, MAC_A, MAC_B, T0 } from '../../support/callLogFixtures';

export function openCallCases(ctx: CallLogContext): void {
  const { h } = ctx;

  const REMOTE = '+923001234567';
  const SINCE = T0 - 60_000;

  async function ring(id: string, mac: string, at: number, overrides: Parameters<typeof callStart>[0] = {}): Promise<void> {
    await h().log.recordRinging(ev(), { call: callStart({ id, startedAt: at, ...overrides }), leg: legStart(mac, null, at), targets: [] });
  }

  async function openId(input: { remote?: string; since?: number; mac?: string; account?: string } = {}): Promise<string | null> {
    const call = await h().log.openCallOf(input.account ?? 'acme', { remote: input.remote ?? REMOTE, since: input.since ?? SINCE, mac: input.mac });
    return call?.id ?? null;
  }

  describe('openCallOf: the call a handler continues when the call state has forgotten it', () => {
    it('is the newest ringing or in-progress call of the remote, with its legs', async () => {
      await ring('older', MAC_A, T0);
      await ring('newer', MAC_A, T0 + 1_000);
      await h().log.recordRinging(ev(), { call: callStart({ id: 'newer', startedAt: T0 + 1_000 }), leg: legStart(MAC_B, 'bob', T0 + 1_200), targets: [] });

      const call = await h().log.openCallOf('acme', { remote: REMOTE, since: SINCE });
      expect(call).toMatchObject({ id: 'newer', status: 'ringing', remote: REMOTE });
      expect(call!.legs.map((l) => [l.mac, l.state])).toEqual([[MAC_A, 'ringing'], [MAC_B, 'ringing']]);

      await h().log.recordAnswered(ev(), { callId: 'newer', account: 'acme', mac: MAC_B, agent: 'bob', at: T0 + 5_000, owner: true });
      expect(await h().log.openCallOf('acme', { remote: REMOTE, since: SINCE })).toMatchObject({ id: 'newer', status: 'in_progress', device: MAC_B });
    });

    it('skips calls that have ended, whatever their status', async () => {
      await ring('answered', MAC_A, T0);
      await h().log.recordAnswered(ev(), { callId: 'answered', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 1_000, owner: true });
      await h().log.finaliseCall(ev(), { callId: 'answered', account: 'acme', status: 'answered', endedAt: T0 + 9_000 });
      expect(await openId()).toBeNull();

      await ring('missed', MAC_A, T0 + 10_000);
      expect(await openId()).toBe('missed');
      await h().log.recordMissedCall({ callId: 'missed', account: 'acme', at: T0 + 20_000 });
      expect(await openId()).toBeNull();

      await ring('out', MAC_A, T0 + 30_000, { direction: 'out', agent: 'alice' });
      await h().log.finaliseCall(ev(), { callId: 'out', account: 'acme', status: 'no_answer', endedAt: T0 + 40_000 });
      expect(await openId()).toBeNull();
    });

    it('still finds an unanswered call whose legs have all ended while its missed-call delay runs (the handlers tell it apart)', async () => {
      await ring('grace', MAC_A, T0);
      await h().log.recordLegEnded(ev(), { callId: 'grace', account: 'acme', mac: MAC_A, agent: null, outcome: 'hangup', at: T0 + 3_000 });
      const call = await h().log.openCallOf('acme', { remote: REMOTE, since: SINCE });
      expect(call).toMatchObject({ id: 'grace', status: 'ringing', endedAt: null });
      expect(call!.legs.map((l) => l.state)).toEqual(['ended']);
    });

    it('finds a transferred call that was reopened by its continuation', async () => {
      await ring('t', MAC_A, T0);
      await h().log.recordAnswered(ev(), { callId: 't', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 1_000, owner: true });
      await h().log.recordTransfer(ev(), { callId: 't', account: 'acme', mac: MAC_A, at: T0 + 5_000 });
      await h().log.finaliseCall(ev(), { callId: 't', account: 'acme', status: 'answered', endedAt: T0 + 6_000 });
      expect(await openId()).toBeNull();
      await h().log.recordRinging(ev(), { call: callStart({ id: 't' }), leg: legStart(MAC_B, 'bob', T0 + 7_000, { transfer: true, transferredFrom: 'alice' }), targets: ['bob'] });
      expect(await openId()).toBe('t');
    });

    it('matches the remote exactly as sent, within the account, and not before `since`', async () => {
      await ring('c1', MAC_A, T0, { remote: '0300-1234567' });
      await ring('c2', MAC_A, T0, { account: 'other' });
      expect(await openId({ remote: '03001234567' })).toBeNull(); // same number normalised, not the same key
      expect(await openId({ remote: '0300-1234567' })).toBe('c1');
      expect(await openId({ account: 'other' })).toBe('c2');
      expect(await openId()).toBeNull();
      expect(await openId({ remote: '0300-1234567', since: T0 + 1 })).toBeNull();
      expect(await openId({ remote: '0300-1234567', since: T0 })).toBe('c1');
    });

    it('with a device, only a call that has a leg on it (callers without a number are told apart by device)', async () => {
      await ring('on-a', MAC_A, T0, { remote: '' });
      await ring('on-b', MAC_B, T0 + 1_000, { remote: '' });
      expect(await openId({ remote: '' })).toBe('on-b');
      expect(await openId({ remote: '', mac: MAC_A })).toBe('on-a');
      expect(await openId({ remote: '', mac: MAC_B })).toBe('on-b');
      expect(await openId({ remote: '', mac: '000B82000099' })).toBeNull();
    });
  });

  describe('recordRinging on a call the log already has (how a recovered call is started again)', () => {
    it('merges: same row with its original start and line, the device keeps its open leg, targets are added once', async () => {
      await h().log.recordRinging(ev(), { call: callStart({ id: 'c' }), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
      await h().log.recordAnswered(ev(), { callId: 'c', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 2_000, owner: true });
      const again = callStart({ id: 'c', startedAt: T0 + 60_000, line: 'direct', helpline: null });
      const first = await h().log.recordRinging('again', { call: again, leg: legStart(MAC_A, 'alice', T0 + 60_000), targets: ['alice', 'bob'] });
      const repeat = await h().log.recordRinging('again', { call: again, leg: legStart(MAC_A, 'alice', T0 + 60_000), targets: ['alice', 'bob'] });

      expect([first.applied, repeat.applied]).toEqual([true, false]);
      expect(await h().count('cl_calls')).toBe(1);
      expect(first.value).toMatchObject({ status: 'in_progress', startedAt: T0, line: 'helpline', helpline: '600', agent: 'alice' });
      expect(first.value.legs.map((l) => [l.mac, l.state, l.ringAt])).toEqual([[MAC_A, 'answered', T0]]);
      expect(await h().log.targetsOf('acme', 'c')).toEqual(['alice', 'bob']);
    });
  });
}
