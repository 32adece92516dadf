// The one backoff every retry loop uses (src/protocol/backoff.ts), and the timing each caller keeps.
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/protocol/backoff';

describe('backoff', () => {
  it('doubles from the base up to the cap', () => {
    const policy = { baseMs: 100, capMs: 1_000 };
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('treats a negative attempt as the first, and retrying for ever as the cap', () => {
    const policy = { baseMs: 100, capMs: 30_000 };
    expect(backoffDelay(-3, policy)).toBe(100);
    expect(backoffDelay(Infinity, policy)).toBe(30_000);
    expect(backoffDelay(1_000_000, policy)).toBe(30_000);
  });

  it('with equal jitter: half of the capped wait, plus a random share of the other half', () => {
    const policy = { baseMs: 1_000, capMs: 30_000, jitter: 'equal' as const };
    expect(backoffDelay(0, policy, () => 0)).toBe(500);
    expect(backoffDelay(0, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(6_000);
    expect(backoffDelay(20, policy, () => 1)).toBe(30_000);
    expect(backoffDelay(1, { ...policy, jitter: 'none' }, () => 0)).toBe(2_000);
  });

  it('keeps each caller\'s timing', () => {
    // The agent UI's socket: 1 s doubling to 30 s, equal jitter.
    expect([0, 1, 2, 10].map((n) => backoffDelay(n, { baseMs: 1_000, capMs: 30_000 }))).toEqual([1_000, 2_000, 4_000, 30_000]);
    // The shell's feed: 500 ms doubling to 30 s.
    expect([0, 1, 2, 6, 20].map((n) => backoffDelay(n, { baseMs: 500, capMs: 30_000 }))).toEqual([500, 1_000, 2_000, 30_000, 30_000]);
    // Redis: 50 ms doubling to 2 s, equal jitter.
    expect([0, 5, 6, 40].map((n) => backoffDelay(n, { baseMs: 50, capMs: 2_000, jitter: 'equal' }, () => 1))).toEqual([50, 1_600, 2_000, 2_000]);
  });
});
