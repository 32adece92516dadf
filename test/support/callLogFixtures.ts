import type { CallStart, LegStart } from '../../src/domain/calllog/CallLog';

/** What call-log tests build calls from (the contract suite, test/contracts/callLogContract.ts, and the SQLite-only tests). */

/** 2024-03-10T09:00:00Z: a fixed clock for every test. */
export const T0 = Date.UTC(2024, 2, 10, 9, 0, 0);
export const DAY = 24 * 60 * 60 * 1000;

export function callStart(overrides: Partial<CallStart> = {}): CallStart {
  return {
    id: 'call-1',
    account: 'acme',
    direction: 'in',
    remote: '+923001234567',
    remoteName: 'Customer',
    local: '600',
    line: 'helpline',
    helpline: '600',
    startedAt: T0,
    parentId: null,
    transferredFrom: null,
    agent: null,
    ...overrides,
  };
}

export function legStart(mac: string, agent: string | null, at: number, overrides: Partial<LegStart> = {}): LegStart {
  return { mac, agent, at, transfer: false, transferredFrom: null, ...overrides };
}

export const MAC_A = '000B82000001';
export const MAC_B = '000B82000002';
export const MAC_C = '000B82000003';

let counter = 0;
/** A fresh event id. */
export function ev(label = 'e'): string {
  counter += 1;
  return `${label}-${counter}`;
}
