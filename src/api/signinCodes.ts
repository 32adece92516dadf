import { createHash, randomBytes } from 'node:crypto';

/** How long a sign-in link works. */
export const SIGNIN_CODE_TTL_MS = 5 * 60_000;
/** Unused links kept at most; the oldest is dropped first. */
const MAX_OPEN_CODES = 1_000;

interface OpenCode {
  agent: string;
  expiresAt: number;
}

const digest = (code: string) => createHash('sha256').update(code).digest('base64url');

/**
 * One-time sign-in links (`ringside signin`, `npm start` on a desktop): a code the admin asks for,
 * which the agent UI trades once for an agent session (`POST /api/signin`), within five minutes.
 * Printed on explicit request instead of a session token, so a link left in a terminal's scrollback
 * signs nobody in. Kept in this process's memory (only its hash), as the link points at it.
 */
export class SigninCodes {
  private readonly open = new Map<string, OpenCode>();

  constructor(private readonly clock: () => number, private readonly ttlMs = SIGNIN_CODE_TTL_MS) {}

  issue(agent: string): { code: string; expiresAt: number } {
    this.prune();
    if (this.open.size >= MAX_OPEN_CODES) this.open.delete(this.open.keys().next().value!);
    const code = randomBytes(24).toString('base64url');
    const expiresAt = this.clock() + this.ttlMs;
    this.open.set(digest(code), { agent, expiresAt });
    return { code, expiresAt };
  }

  /** The agent the code signs in, once; null when unknown, used or expired. */
  redeem(code: string): string | null {
    const key = digest(code);
    const found = this.open.get(key);
    this.open.delete(key);
    return found !== undefined && found.expiresAt > this.clock() ? found.agent : null;
  }

  private prune(): void {
    const now = this.clock();
    for (const [key, entry] of this.open) if (entry.expiresAt <= now) this.open.delete(key);
  }
}
