// Passwords kept as salted scrypt hashes (src/shared/passwordHash.ts): the parameters and salt in
// the stored text, a salt of its own per hash, and values that are not such a hash never match.
import { describe, expect, it } from 'vitest';
import { hashPassword, isPasswordHash, verifyAgainstDecoy, verifyPassword } from '../../../src/shared/passwordHash';

// Cheap parameters for speed; the stored text carries them, so verification reads them back.
const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('verify the password they were made from, and nothing else', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain('correct horse');
    expect(isPasswordHash(stored)).toBe(true);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salt each hash: one password, two hashes', async () => {
    expect(await hashPassword('same words', FAST)).not.toBe(await hashPassword('same words', FAST));
  });

  it('the default parameters are stored with the hash', async () => {
    expect(await hashPassword('x'.repeat(8))).toMatch(/^scrypt\$32768\$8\$3\$/);
  });

  it('a stored value that is not a hash, or asks for too much memory, never matches', async () => {
    expect(await verifyPassword('secret', 'secret')).toBe(false);
    expect(await verifyPassword('secret', 'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
    expect(await verifyPassword('secret', 'scrypt$16777216$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
    expect(await verifyAgainstDecoy('anything')).toBe(false);
  });
});
