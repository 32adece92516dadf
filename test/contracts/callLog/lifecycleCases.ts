import { describe, expect, it } from 'vitest';
import type { CallLogContext } from '../callLogContract';
import { callStart, ev, legStart, MAC_A, MAC_B, MAC_C, T0 } from '../../support/callLogFixtures';

export function lifecycleCases(ctx: CallLogContext): void {
  const { h } = ctx;

  function dailyRows(): Promise<Array<Record<string, unknown>>> {
    return h().query('SELECT agent, day, offered, answered, missed, ring_ms_total, ring_count, talk_ms_total, talk_count FROM cl_agent_daily_stats ORDER BY agent');
  }

  describe('ring group', () => {
    it('is one call with a leg per device; the answering agent owns it; ring, talk and hold times add up', async () => {
      const targets = ['alice', 'bob', 'carol'];
      const first = await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets });
      expect(first.applied).toBe(true);
      expect(first.value.status).toBe('ringing');
      await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_B, 'bob', T0 + 100), targets });
      await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_C, 'carol', T0 + 200), targets });

      const answered = await h().log.recordAnswered(ev(), { callId: 'call-1', account: 'acme', mac: MAC_B, agent: 'bob', at: T0 + 8_000, owner: true });
      expect(answered.value).toMatchObject({ status: 'in_progress', agent: 'bob', device: MAC_B, answeredAt: T0 + 8_000 });
      await h().log.recordLegEnded(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, agent: 'alice', outcome: 'missed', at: T0 + 8_100 });
      await h().log.recordLegEnded(ev(), { callId: 'call-1', account: 'acme', mac: MAC_C, agent: 'carol', outcome: 'hangup', at: T0 + 8_100 });
      await h().log.recordHold(ev(), { callId: 'call-1', account: 'acme', mac: MAC_B, on: true, at: T0 + 20_000 });
      await h().log.recordHold(ev(), { callId: 'call-1', account: 'acme', mac: MAC_B, on: false, at: T0 + 30_000 });
      expect(await h().log.agentsOnCall('acme')).toEqual(['bob']);
      await h().log.recordLegEnded(ev(), { callId: 'call-1', account: 'acme', mac: MAC_B, agent: 'bob', outcome: 'hangup', at: T0 + 68_000 });
      const done = await h().log.finaliseCall(ev(), { callId: 'call-1', account: 'acme', status: 'answered', endedAt: T0 + 68_000 });

      expect(await h().count('cl_calls')).toBe(1);
      expect(done.value).toMatchObject({ status: 'answered', agent: 'bob', ringMs: 8_000, talkMs: 50_000, holdMs: 10_000, endedAt: T0 + 68_000 });
      expect(done.value!.legs.map((l) => [l.mac, l.agent, l.state])).toEqual([
        [MAC_A, 'alice', 'missed'],
        [MAC_B, 'bob', 'ended'],
        [MAC_C, 'carol', 'ended'],
      ]);
      expect(done.value!.legs[1]).toMatchObject({ answeredAt: T0 + 8_000, endedAt: T0 + 68_000, holdMs: 10_000 });
      expect(await h().log.targetsOf('acme', 'call-1')).toEqual(targets);
      expect(await h().log.agentsOnCall('acme')).toEqual([]);
      expect(await h().log.stats('acme', {})).toEqual([
        { agent: 'alice', offered: 1, answered: 0, missed: 0, avgRingMs: null, avgTalkMs: null, ringMsTotal: 0, ringCount: 0, talkMsTotal: 0, talkCount: 0, outgoing: 0, outgoingAnswered: 0, outgoingTalkMsTotal: 0 },
        { agent: 'bob', offered: 1, answered: 1, missed: 0, avgRingMs: 8_000, avgTalkMs: 50_000, ringMsTotal: 8_000, ringCount: 1, talkMsTotal: 50_000, talkCount: 1, outgoing: 0, outgoingAnswered: 0, outgoingTalkMsTotal: 0 },
        { agent: 'carol', offered: 1, answered: 0, missed: 0, avgRingMs: null, avgTalkMs: null, ringMsTotal: 0, ringCount: 0, talkMsTotal: 0, talkCount: 0, outgoing: 0, outgoingAnswered: 0, outgoingTalkMsTotal: 0 },
      ]);
    });

    it('the same device ringing again is the same leg; targets are deduplicated', async () => {
      await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_A, null, T0), targets: ['alice'] });
      const again = await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_A, 'alice', T0 + 50), targets: ['alice', 'bob'] });
      expect(again.value.legs).toHaveLength(1);
      expect(again.value.legs[0]).toMatchObject({ agent: 'alice', ringAt: T0 });
      expect(await h().log.targetsOf('acme', 'call-1')).toEqual(['alice', 'bob']);
    });

    it('a rejection is recorded on the call while the others still ring', async () => {
      await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: ['alice', 'bob'] });
      await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_B, 'bob', T0), targets: ['alice', 'bob'] });
      const rejected = await h().log.recordLegEnded(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, agent: 'alice', outcome: 'rejected', at: T0 + 2_000 });
      expect(rejected.value).toMatchObject({ status: 'ringing', rejectedBy: 'alice' });
      expect(rejected.value!.legs.map((l) => l.state)).toEqual(['rejected', 'ringing']);
    });

    it('a device without an agent rejecting is named by its MAC; an unseen device ending gets a leg', async () => {
      await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_A, null, T0), targets: [] });
      const r = await h().log.recordLegEnded(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, agent: null, outcome: 'rejected', at: T0 + 1 });
      expect(r.value!.rejectedBy).toBe(MAC_A);
      const unseen = await h().log.recordLegEnded(ev(), { callId: 'call-1', account: 'acme', mac: MAC_C, agent: 'carol', outcome: 'missed', at: T0 + 2 });
      expect(unseen.value!.legs.find((l) => l.mac === MAC_C)).toMatchObject({ state: 'missed', agent: 'carol', ringAt: T0 + 2, endedAt: T0 + 2 });
    });

    it('an unanswered ring group finalised as missed counts a miss for every target', async () => {
      await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: ['alice', 'bob'] });
      await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_B, 'bob', T0), targets: ['alice', 'bob'] });
      const done = await h().log.finaliseCall(null, { callId: 'call-1', account: 'acme', status: 'missed', endedAt: T0 + 30_000 });
      expect(done.value).toMatchObject({ status: 'missed', ringMs: null, talkMs: null, holdMs: 0 });
      expect(done.value!.legs.map((l) => [l.state, l.endedAt])).toEqual([
        ['missed', T0 + 30_000],
        ['missed', T0 + 30_000],
      ]);
      expect(await dailyRows()).toEqual([
        { agent: 'alice', day: '2024-03-10', offered: 1, answered: 0, missed: 1, ring_ms_total: 0, ring_count: 0, talk_ms_total: 0, talk_count: 0 },
        { agent: 'bob', day: '2024-03-10', offered: 1, answered: 0, missed: 1, ring_ms_total: 0, ring_count: 0, talk_ms_total: 0, talk_count: 0 },
      ]);
    });
  });

  describe('transfer continuation', () => {
    async function answeredThenTransferred(): Promise<void> {
      await h().log.recordRinging(ev(), { call: callStart({ line: 'direct', helpline: null }), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
      await h().log.recordAnswered(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 5_000, owner: true });
      await h().log.recordTransfer(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, at: T0 + 65_000 });
      await h().log.finaliseCall(ev(), { callId: 'call-1', account: 'acme', status: 'answered', endedAt: T0 + 65_000 });
    }

    it('reopens the ended call with a second leg, and finalising again replaces its statistics', async () => {
      await answeredThenTransferred();
      expect(await dailyRows()).toEqual([
        { agent: 'alice', day: '2024-03-10', offered: 1, answered: 1, missed: 0, ring_ms_total: 5_000, ring_count: 1, talk_ms_total: 60_000, talk_count: 1 },
      ]);

      const reopened = await h().log.recordRinging(ev(), {
        call: callStart({ line: 'direct', helpline: null }),
        leg: legStart(MAC_B, 'bob', T0 + 66_000, { transfer: true, transferredFrom: 'alice' }),
        targets: ['bob'],
      });
      expect(reopened.value).toMatchObject({ status: 'ringing', endedAt: null, transferredFrom: 'alice', agent: 'alice' });
      expect(reopened.value.legs.map((l) => [l.mac, l.state, l.transfer])).toEqual([
        [MAC_A, 'transferred', false],
        [MAC_B, 'ringing', true],
      ]);
      expect(await h().log.agentsOnCall('acme')).toEqual([]);

      await h().log.recordAnswered(ev(), { callId: 'call-1', account: 'acme', mac: MAC_B, agent: 'bob', at: T0 + 70_000, owner: true });
      expect(await h().log.agentsOnCall('acme')).toEqual(['bob']);
      await h().log.recordLegEnded(ev(), { callId: 'call-1', account: 'acme', mac: MAC_B, agent: 'bob', outcome: 'hangup', at: T0 + 130_000 });
      // the transferring phone's late hangup does not touch its transferred leg
      await h().log.recordLegEnded(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, agent: 'alice', outcome: 'hangup', at: T0 + 131_000 });
      const done = await h().log.finaliseCall(ev(), { callId: 'call-1', account: 'acme', status: 'answered', endedAt: T0 + 130_000 });

      expect(await h().count('cl_calls')).toBe(1);
      expect(done.value).toMatchObject({ status: 'answered', agent: 'bob', device: MAC_B, ringMs: 5_000, talkMs: 120_000, transferredFrom: 'alice' });
      expect(done.value!.legs.map((l) => [l.mac, l.state, l.endedAt])).toEqual([
        [MAC_A, 'transferred', T0 + 65_000],
        [MAC_B, 'ended', T0 + 130_000],
      ]);
      expect(await dailyRows()).toEqual([
        { agent: 'alice', day: '2024-03-10', offered: 1, answered: 1, missed: 0, ring_ms_total: 5_000, ring_count: 1, talk_ms_total: 60_000, talk_count: 1 },
        { agent: 'bob', day: '2024-03-10', offered: 1, answered: 1, missed: 0, ring_ms_total: 4_000, ring_count: 1, talk_ms_total: 60_000, talk_count: 1 },
      ]);
      expect(await h().count('cl_stat_contrib')).toBe(2);
    });

    it('finalising the same call again (any number of times) leaves the statistics as one contribution', async () => {
      await answeredThenTransferred();
      const before = await dailyRows();
      await h().log.finaliseCall(null, { callId: 'call-1', account: 'acme', status: 'answered', endedAt: T0 + 65_000 });
      await h().log.finaliseCall(ev(), { callId: 'call-1', account: 'acme', status: 'answered', endedAt: T0 + 65_000 });
      expect(await dailyRows()).toEqual(before);
    });

    it('a transfer back to the first device is a new leg on that device', async () => {
      await answeredThenTransferred();
      const call = callStart({ line: 'direct', helpline: null });
      await h().log.recordRinging(ev(), { call, leg: legStart(MAC_B, 'bob', T0 + 66_000, { transfer: true, transferredFrom: 'alice' }), targets: ['bob'] });
      await h().log.recordAnswered(ev(), { callId: 'call-1', account: 'acme', mac: MAC_B, agent: 'bob', at: T0 + 67_000, owner: true });
      await h().log.recordTransfer(ev(), { callId: 'call-1', account: 'acme', mac: MAC_B, at: T0 + 80_000 });
      const back = await h().log.recordRinging(ev(), { call, leg: legStart(MAC_A, 'alice', T0 + 81_000, { transfer: true, transferredFrom: 'bob' }), targets: ['alice'] });
      expect(back.value.transferredFrom).toBe('bob');
      expect(back.value.legs.map((l) => [l.mac, l.state])).toEqual([
        [MAC_A, 'transferred'],
        [MAC_B, 'transferred'],
        [MAC_A, 'ringing'],
      ]);
      const sequences = await h().query<{ sequence: number }>('SELECT sequence FROM cl_legs WHERE mac = ? ORDER BY sequence', [MAC_A]);
      expect(sequences.map((r) => r.sequence)).toEqual([1, 2]);
    });
  });

  describe('hold', () => {
    it('an off without on is ignored, a second on keeps the first start, an open hold closes when the call ends', async () => {
      await h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_A, 'alice', T0), targets: ['alice'] });
      await h().log.recordAnswered(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, agent: 'alice', at: T0 + 1_000, owner: true });
      const ignored = await h().log.recordHold(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, on: false, at: T0 + 2_000 });
      expect(ignored.value!.legs[0]!.holdMs).toBe(0);
      await h().log.recordHold(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, on: true, at: T0 + 3_000 });
      await h().log.recordHold(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, on: true, at: T0 + 4_000 });
      await h().log.recordHold(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, on: false, at: T0 + 5_000 });
      await h().log.recordHold(ev(), { callId: 'call-1', account: 'acme', mac: MAC_A, on: true, at: T0 + 9_000 });
      const done = await h().log.finaliseCall(ev(), { callId: 'call-1', account: 'acme', status: 'answered', endedAt: T0 + 11_000 });
      expect(done.value).toMatchObject({ holdMs: 4_000, talkMs: 6_000, ringMs: 1_000 });
    });
  });

  describe('outgoing', () => {
    it('is owned by the dialling agent from the start, busy while ringing out, and counts only as the owner\'s outgoing calls', async () => {
      const call = callStart({ id: 'out-1', direction: 'out', agent: 'alice', remote: '+441234567890', line: 'direct', helpline: null });
      const ringing = await h().log.recordRinging(ev(), { call, leg: legStart(MAC_A, 'alice', T0), targets: [] });
      expect(ringing.value).toMatchObject({ direction: 'out', agent: 'alice', device: MAC_A, status: 'ringing' });
      expect(await h().log.agentsOnCall('acme')).toEqual(['alice']);
      const answered = await h().log.recordAnswered(ev(), { callId: 'out-1', account: 'acme', mac: MAC_A, agent: null, at: T0 + 4_000, owner: true });
      expect(answered.value).toMatchObject({ agent: 'alice', status: 'in_progress' });
      await h().log.finaliseCall(ev(), { callId: 'out-1', account: 'acme', status: 'answered', endedAt: T0 + 64_000 });
      const noAnswer = callStart({ id: 'out-2', direction: 'out', agent: 'alice', remote: '+441234567891', startedAt: T0 + 100_000 });
      await h().log.recordRinging(ev(), { call: noAnswer, leg: legStart(MAC_A, 'alice', T0 + 100_000), targets: [] });
      const na = await h().log.finaliseCall(ev(), { callId: 'out-2', account: 'acme', status: 'no_answer', endedAt: T0 + 130_000 });
      expect(na.value).toMatchObject({ status: 'no_answer', ringMs: null, talkMs: null });
      expect(await h().log.agentsOnCall('acme')).toEqual([]);
      // Not offered, answered or missed (those are incoming calls that rang her): two outgoing, one answered, its talk time.
      expect(await h().log.stats('acme', {})).toEqual([
        { agent: 'alice', offered: 0, answered: 0, missed: 0, avgRingMs: null, avgTalkMs: null, ringMsTotal: 0, ringCount: 0, talkMsTotal: 0, talkCount: 0, outgoing: 2, outgoingAnswered: 1, outgoingTalkMsTotal: 60_000 },
      ]);
      expect((await h().log.getCall('acme', 'out-1'))!.talkMs).toBe(60_000);
    });
  });

  describe('the view a mutation returns', () => {
    it('is the call exactly as a read after it gives it, through every kind of change', async () => {
      const key = { callId: 'call-1', account: 'acme' };
      const steps: Array<() => Promise<{ value: unknown }>> = [
        () => h().log.recordRinging(ev(), { call: callStart({ remoteName: '' }), leg: legStart(MAC_A, null, T0), targets: ['alice'] }),
        // The name the first ring lacked, a second device, an agent for the first leg; already offered to someone.
        () => h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_B, 'bob', T0 + 100), targets: ['bob'] }),
        () => h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_A, 'alice', T0 + 150), targets: [] }),
        () => h().log.recordAnswered(ev(), { ...key, mac: MAC_B, agent: 'bob', at: T0 + 200, owner: false }),
        () => h().log.recordAnswered(ev(), { ...key, mac: MAC_A, agent: 'alice', at: T0 + 300, owner: true }),
        () => h().log.recordHold(ev(), { ...key, mac: MAC_A, on: true, at: T0 + 1_000 }),
        () => h().log.recordHold(ev(), { ...key, mac: MAC_A, on: false, at: T0 + 2_000 }),
        () => h().log.recordLegEnded(ev(), { ...key, mac: MAC_B, agent: 'bob', outcome: 'rejected', at: T0 + 2_500 }),
        () => h().log.recordTransfer(ev(), { ...key, mac: MAC_A, at: T0 + 3_000 }),
        () => h().log.finaliseCall(ev(), { ...key, status: 'answered', endedAt: T0 + 3_000 }),
        // A transfer continuation brings the ended call back; a device never seen ringing ends a leg.
        () => h().log.recordRinging(ev(), { call: callStart(), leg: legStart(MAC_C, 'carol', T0 + 4_000, { transfer: true, transferredFrom: 'alice' }), targets: ['carol'] }),
        () => h().log.recordLegEnded(ev(), { ...key, mac: MAC_B, agent: null, outcome: 'hangup', at: T0 + 4_500 }),
        () => h().log.recordLegEnded(ev(), { ...key, mac: '000B8200000F', agent: null, outcome: 'hangup', at: T0 + 5_000 }),
        () => h().log.finaliseCall(ev(), { ...key, status: 'answered', endedAt: T0 + 6_000 }),
      ];
      for (const [i, step] of steps.entries()) {
        const returned = (await step()).value;
        expect(returned, `step ${i}`).toEqual(await h().log.getCall('acme', 'call-1'));
      }
    });
  });

  describe('unknown calls', () => {
    it('mutations on an unknown call change nothing and leave no idempotency marker', async () => {
      const id = ev();
      const base = { callId: 'nope', account: 'acme', mac: MAC_A, at: T0 };
      expect(await h().log.recordAnswered(id, { ...base, agent: 'alice', owner: true })).toEqual({ applied: false, value: null });
      expect(await h().log.recordLegEnded(id, { ...base, agent: null, outcome: 'hangup' })).toEqual({ applied: false, value: null });
      expect(await h().log.recordHold(id, { ...base, on: true })).toEqual({ applied: false, value: null });
      expect(await h().log.recordTransfer(id, base)).toEqual({ applied: false, value: null });
      expect(await h().log.finaliseCall(id, { callId: 'nope', account: 'acme', status: 'answered', endedAt: T0 })).toEqual({ applied: false, value: null });
      expect(await h().log.hasProcessed(id)).toBe(false);
      expect(await h().log.getCall('acme', 'nope')).toBeNull();
    });
  });
}
