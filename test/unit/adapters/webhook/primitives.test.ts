import { describe, expect, it } from 'vitest';
import { createAllowList, normaliseAddress } from '../../../../src/adapters/webhook/allowList';
import { parseMac } from '../../../../src/protocol/mac';
import { createRateLimiter } from '../../../../src/adapters/webhook/rateLimit';
import { createTokenCheck } from '../../../../src/adapters/webhook/token';

describe('parseMac', () => {
  it.each(['00:0B:82:12:34:56', '00-0b-82-12-34-56', '000b.8212.3456', '000b82123456', '000B82123456', ' 00:0b:82:12:34:56 '])('normalises %s', (mac) => {
    expect(parseMac(mac)).toBe('000B82123456');
  });

  it.each(['', '00:0B:82:12:34', '00:0B:82:12:34:5G', '00:0B-82:12:34:56', '000b82123456a', '0:0B:82:12:34:56:', '000b:8212:3456', 'hello'])('rejects %j', (mac) => {
    expect(parseMac(mac)).toBeNull();
  });
});

describe('createAllowList', () => {
  it('allows everything when empty', () => {
    expect(createAllowList([]).allows('203.0.113.1')).toBe(true);
  });

  it('matches IPv4 and IPv6 CIDRs and single addresses', () => {
    const list = createAllowList(['10.0.0.0/8', '192.168.1.5', 'fd00::/8']);
    expect(list.allows('10.200.1.1')).toBe(true);
    expect(list.allows('11.0.0.1')).toBe(false);
    expect(list.allows('192.168.1.5')).toBe(true);
    expect(list.allows('192.168.1.6')).toBe(false);
    expect(list.allows('fd12::1')).toBe(true);
    expect(list.allows('fe80::1')).toBe(false);
    expect(list.allows('garbage')).toBe(false);
  });

  it('matches IPv4-mapped IPv6 peers against IPv4 CIDRs', () => {
    const list = createAllowList(['127.0.0.0/8']);
    expect(list.allows('::ffff:127.0.0.1')).toBe(true);
    expect(list.allows('::FFFF:10.0.0.1')).toBe(false);
  });

  it('refuses invalid entries at startup', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'fd00::/129', 'host.example', '10.0.0.0/x']) {
      expect(() => createAllowList([bad]), bad).toThrow(/allow-list/);
    }
  });

  it('normalises addresses', () => {
    expect(normaliseAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normaliseAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normaliseAddress('::ffff:abcd')).toBe('::ffff:abcd');
  });
});

describe('createRateLimiter', () => {
  it('allows a burst, then refills at the rate, per source', () => {
    const limiter = createRateLimiter(2, 3);
    const t = 1_000_000;
    expect([limiter.take('a', t), limiter.take('a', t), limiter.take('a', t)]).toEqual([0, 0, 0]);
    expect(limiter.take('a', t)).toBe(1);
    expect(limiter.take('b', t)).toBe(0);
    expect(limiter.take('a', t + 500)).toBe(0); // one token back after 1/2 s at 2/s
    expect(limiter.take('a', t + 500)).toBeGreaterThanOrEqual(1);
  });

  it('prunes sources whose bucket is full again', () => {
    const limiter = createRateLimiter(10, 5);
    limiter.take('a', 0);
    limiter.take('b', 0);
    expect(limiter.size).toBe(2);
    limiter.prune(10_000);
    expect(limiter.size).toBe(0);
  });
});

describe('createTokenCheck', () => {
  it('accepts only the exact token, whatever the candidate length', () => {
    const check = createTokenCheck('s3cret');
    expect(check('s3cret')).toBe(true);
    expect(check('s3cre')).toBe(false);
    expect(check('s3cret ')).toBe(false);
    expect(check('')).toBe(false);
    expect(check('x'.repeat(10_000))).toBe(false);
  });

  it('refuses an empty token', () => {
    expect(() => createTokenCheck('')).toThrow();
  });
});
