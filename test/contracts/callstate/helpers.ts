import { ulid } from 'ulid';
import type { CallStateStore, LegOutcome, RingingInput } from '../../../src/domain/callstate/CallStateStore';

export const ACCOUNT = 'acme';
export const OTHER_ACCOUNT = 'globex';
export const REMOTE = '+15550100';
export const DEV_A = '000B82000A01';
export const DEV_B = '000B82000B02';
export const DEV_C = '000B82000C03';
export const WINDOW = 120_000;

export function ringInput(overrides: Partial<RingingInput> & { now: number }): RingingInput {
  return {
    remote: REMOTE,
    mac: DEV_A,
    eventId: ulid(),
    candidateCallId: ulid(),
    direction: 'in',
    transferWindowMs: WINDOW,
    ...overrides,
  };
}

/** Shorthands bound to one store and account. */
export function calls(store: CallStateStore, account = ACCOUNT, remote = REMOTE) {
  return {
    ring: (mac: string, now: number, overrides: Partial<RingingInput> = {}) =>
      store.ringing(account, ringInput({ remote, mac, now, ...overrides })),
    answer: (mac: string, now: number, eventId = ulid()) => store.answered(account, { remote, mac, eventId, now }),
    end: (mac: string, now: number, outcome: LegOutcome = 'hangup') => store.legEnded(account, { remote, mac, outcome, now }),
    active: () => store.getActiveCall(account, remote),
  };
}
