import { createHash, randomBytes } from 'node:crypto';

/**
 * Invite links' codes as every AgentCredentials adapter makes and keeps them (docs/agent-api.md,
 * Passwords and invite links): 24 random bytes, base64url (32 characters), as a sign-in link's;
 * stored only as their sha256, so a copy of the database signs nobody in.
 */
export const newInviteCode = (): string => randomBytes(24).toString('base64url');
export const inviteCodeHash = (code: string): string => createHash('sha256').update(code).digest('hex');

/** createInvite's lifetime check: an invite that never expires is not one. */
export function requireInviteLifetime(ttlMs: number): void {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError('an invite needs a positive, finite lifetime');
}
