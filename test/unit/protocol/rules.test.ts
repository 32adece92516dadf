// The message rules the Electron shell and the agent UI share (src/protocol/rules.ts).
import { describe, expect, it } from 'vitest';
import { endsRinging, isMissedCallFor, ringingEndedFor, RINGING_ENDS } from '../../../src/protocol/rules';
import { callView, message, missedCall, ringing } from './fixtures';

describe('whose missed call it is', () => {
  it('is mine when it rang for me, when it came in on a helpline, or when it rang for nobody in particular', () => {
    expect(isMissedCallFor(missedCall({ targets: ['alice'] }), 'alice')).toBe(true);
    expect(isMissedCallFor(missedCall({ targets: ['bob', 'alice'] }), 'alice')).toBe(true);
    expect(isMissedCallFor(missedCall({ line: 'helpline', helpline: '5000', targets: ['bob'] }), 'alice')).toBe(true);
    expect(isMissedCallFor(missedCall({ targets: [] }), 'alice')).toBe(true);
  });

  it("is not mine when it rang on another agent's direct line", () => {
    expect(isMissedCallFor(missedCall({ targets: ['bob'] }), 'alice')).toBe(false);
  });

  it("with the agent's helplines: a helpline call is mine only on a helpline I belong to, or when it rang me", () => {
    const mine = ['5000'];
    expect(isMissedCallFor(missedCall({ line: 'helpline', helpline: '5000', targets: ['bob'] }), 'alice', mine)).toBe(true);
    expect(isMissedCallFor(missedCall({ line: 'helpline', helpline: '6000', targets: ['bob'] }), 'alice', mine)).toBe(false);
    expect(isMissedCallFor(missedCall({ line: 'helpline', helpline: '6000', targets: [] }), 'alice', mine)).toBe(false);
    expect(isMissedCallFor(missedCall({ line: 'helpline', helpline: '6000', targets: ['alice'] }), 'alice', mine)).toBe(true);
    expect(isMissedCallFor(missedCall({ targets: [] }), 'alice', [])).toBe(true);
    expect(isMissedCallFor(missedCall({ targets: ['bob'] }), 'alice', mine)).toBe(false);
  });
});

describe('which messages end a call ringing here', () => {
  const call = callView({ id: 'c7' });

  it('answered here or elsewhere, ended, missed, or transferred away: the popup closes and the card stops ringing', () => {
    const ends = [
      message('call.answered', { call }),
      message('call.dismissed', { call, answeredBy: 'Bob', answeredByAgent: 'bob' }),
      message('call.ended', { call, outcome: 'unanswered', endedAt: 1 }),
      message('call.missed', { call, missed: missedCall({ callId: 'c7' }) }),
      message('call.transferred', { call, kind: 'blind' }),
    ];
    expect(ends.map((m) => m.type)).toEqual([...RINGING_ENDS]);
    for (const m of ends) {
      expect(endsRinging(m), m.type).toBe(true);
      expect(ringingEndedFor(m), m.type).toBe('c7');
    }
  });

  it('not the ringing itself, nor messages about no call', () => {
    for (const m of [
      ringing(call),
      message('missed.claimed', { missed: missedCall({ callId: 'c7' }) }),
      message('presence.changed', { agent: 'bob', status: 'away' }),
      message('error', { reason: 'no' }),
    ]) {
      expect(endsRinging(m), m.type).toBe(false);
      expect(ringingEndedFor(m), m.type).toBeNull();
    }
  });

  it('a call.missed whose call the log no longer has ends nothing in particular', () => {
    expect(ringingEndedFor(message('call.missed', { call: null, missed: missedCall({ callId: 'c7' }) }))).toBeNull();
  });
});
