import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Agents' sign-in passwords, kept only as scrypt hashes (docs/agent-api.md, Passwords and invite
 * links). A stored hash is one line of text carrying its own parameters and salt, so the cost can
 * be raised later and hashes made under older parameters still verify:
 *
 *     scrypt$<N>$<r>$<p>$<salt>$<hash>      (salt 16 random bytes, hash 32 bytes, each base64url)
 *
 * The default cost (N = 2^15, r = 8, p = 3: 32 MiB and roughly a tenth of a second per hash on
 * one core) is one of the OWASP password storage cheat sheet's scrypt settings. Hashing runs on
 * libuv's thread pool (async scrypt), not on the event loop.
 */
export interface PasswordHashParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_PASSWORD_HASH_PARAMS: PasswordHashParams = { N: 2 ** 15, r: 8, p: 3 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const STORED = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{16,})$/;
/** The most memory a stored hash's parameters may ask for (a corrupt row cannot exhaust memory). */
const MAX_MEMORY = 256 * 1024 * 1024;

function derive(password: string, salt: Buffer, params: PasswordHashParams, length: number): Promise<Buffer> {
  // scrypt needs 128 · N · r bytes; Node refuses more than maxmem (32 MiB by default).
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: Math.min(MAX_MEMORY, 256 * params.N * params.r) };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** A new hash of the password, with a random salt of its own. */
export async function hashPassword(password: string, params: PasswordHashParams = DEFAULT_PASSWORD_HASH_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether a stored value is a hash this module made (and can check). */
export function isPasswordHash(stored: string): boolean {
  return STORED.test(stored);
}

/**
 * Whether the password matches the stored hash (constant-time compare of the derived keys). A
 * stored value that is not a hash, or asks for parameters beyond the limits, never matches.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = STORED.exec(stored);
  if (!match) return false;
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (params.N < 2 || (params.N & (params.N - 1)) !== 0 || params.r < 1 || params.p < 1 || 128 * params.N * params.r > MAX_MEMORY) return false;
  const expected = Buffer.from(match[5]!, 'base64url');
  const key = await derive(password, Buffer.from(match[4]!, 'base64url'), params, expected.length);
  return timingSafeEqual(key, expected);
}

/** A hash of nothing anyone knows: checked against when the agent has no password, so the answer takes as long either way. */
let decoy: Promise<string> | null = null;
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(18).toString('base64url'));
  await verifyPassword(password, await decoy);
  return false;
}
