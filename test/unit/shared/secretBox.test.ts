import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError } from '../../../src/shared/secretBox';

describe('SecretBox (AES-256-GCM, v1:<iv>:<tag>:<ciphertext>)', () => {
  const box = SecretBox.withKey(SecretBox.generateKey());

  it('seals to the versioned format and opens to the clear text again', () => {
    const sealed = box.seal('desk-phone-pw-4711 ü');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/=]+$/);
    expect(sealed).not.toContain('desk-phone-pw');
    expect(SecretBox.isSealed(sealed)).toBe(true);
    expect(box.open(sealed)).toBe('desk-phone-pw-4711 ü');
  });

  it('a fresh IV each time: the same password seals differently', () => {
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses what another key sealed, what was altered, and what is not sealed at all', () => {
    const sealed = box.seal('secret');
    expect(() => SecretBox.withKey(SecretBox.generateKey()).open(sealed)).toThrow(SecretBoxError);
    const [version, iv, tag, ciphertext] = sealed.split(':') as [string, string, string, string];
    const flipped = Buffer.from(ciphertext, 'base64');
    flipped[0]! ^= 1;
    expect(() => box.open([version, iv, tag, flipped.toString('base64')].join(':'))).toThrow(SecretBoxError);
    expect(() => box.open('secret')).toThrow(SecretBoxError);
    expect(SecretBox.isSealed('secret')).toBe(false);
    expect(SecretBox.isSealed('v1:not:sealed:really')).toBe(false);
  });

  it('takes only a 32-byte key', () => {
    expect(() => SecretBox.withKey(Buffer.alloc(16))).toThrow(SecretBoxError);
  });
});
