// What to do when the API refuses the session token (401). The token in the URL lives 12 h; in the
// desktop app the shell hands out a fresh one (window.ringside.renewSession()), in a browser there
// is nobody to ask and the page says it is signed out. Pure, so the rules are tested without a DOM.

export interface TokenState {
  token: string;
  /** It came from a renewal (not from the URL). */
  renewed: boolean;
  /** Something succeeded with it (the WebSocket opened, a request went through). */
  proven: boolean;
}

/**
 * - `stale`: the refused token is no longer the one in use (an older request): use the current one;
 * - `wait`: a renewal is under way: its token comes shortly;
 * - `renew`: ask the shell for a fresh token;
 * - `sign_out`: no shell to ask (a browser), or a token fresh from the shell was refused before
 *   anything worked with it (asking again would only loop).
 */
export type RenewalDecision = 'stale' | 'wait' | 'renew' | 'sign_out';

export function renewalDecision(input: { hasBridge: boolean; failedToken: string; current: TokenState | null; renewing: boolean }): RenewalDecision {
  const { hasBridge, failedToken, current, renewing } = input;
  if (current !== null && failedToken !== current.token) return 'stale';
  if (renewing) return 'wait';
  if (!hasBridge || current === null) return 'sign_out';
  if (current.renewed && !current.proven) return 'sign_out';
  return 'renew';
}

/** The shell's answer, checked: a non-empty token string, or null. */
export function renewedToken(answer: unknown): string | null {
  if (typeof answer !== 'object' || answer === null) return null;
  const token = (answer as { token?: unknown }).token;
  return typeof token === 'string' && token !== '' ? token : null;
}
