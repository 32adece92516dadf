import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The webhook token is the only credential a phone has. Comparing SHA-256 digests with
 * timingSafeEqual keeps the comparison constant-time and independent of the candidate's
 * length (timingSafeEqual itself requires equal lengths).
 */
export function createTokenCheck(expected: string): (candidate: string) => boolean {
  if (expected.length === 0) throw new Error('the webhook token must not be empty');
  const expectedDigest = digest(expected);
  return (candidate) => timingSafeEqual(digest(candidate), expectedDigest);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
