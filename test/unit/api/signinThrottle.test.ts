// Failed password sign-ins, slowed down (src/api/signinThrottle.ts): five within a minute per agent
// or per address, then a wait until the oldest of them is a minute old.
import { describe, expect, it } from 'vitest';
import { SigninThrottle } from '../../../src/api/signinThrottle';

describe('SigninThrottle', () => {
  it('lets five failures through, then makes that agent and that address wait until the first is a minute old', () => {
    let now = 1_000_000;
    const throttle = new SigninThrottle(() => now);
    const alice = SigninThrottle.keys('alice', '10.0.0.1');
    for (let i = 0; i < 5; i++) {
      expect(throttle.blockedForMs(alice)).toBe(0);
      throttle.fail(alice);
      now += 1_000;
    }
    // The first failure was 5 s ago: 55 s to go.
    expect(throttle.blockedForMs(alice)).toBe(55_000);
    // Another agent from the same address waits too; the same agent from another address too.
    expect(throttle.blockedForMs(SigninThrottle.keys('bob', '10.0.0.1'))).toBe(55_000);
    expect(throttle.blockedForMs(SigninThrottle.keys('alice', '10.0.0.2'))).toBe(55_000);
    // Another agent from another address does not.
    expect(throttle.blockedForMs(SigninThrottle.keys('bob', '10.0.0.2'))).toBe(0);
    now += 55_000;
    expect(throttle.blockedForMs(alice)).toBe(0);
  });

  it('a correct password starts the agent\'s count again, not the address\'s', () => {
    const now = 0;
    const throttle = new SigninThrottle(() => now);
    const keys = SigninThrottle.keys('alice', '10.0.0.1');
    for (let i = 0; i < 4; i++) throttle.fail(keys);
    throttle.succeeded(keys[0]!);
    throttle.fail(SigninThrottle.keys('alice', '10.0.0.9'));
    expect(throttle.blockedForMs(SigninThrottle.keys('alice', '10.0.0.9'))).toBe(0);
    throttle.fail(keys);
    expect(throttle.blockedForMs(SigninThrottle.keys('carol', '10.0.0.1'))).toBeGreaterThan(0);
  });
});
