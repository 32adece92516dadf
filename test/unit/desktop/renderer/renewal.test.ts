// A refused session token (src/desktop/renderer/state/renewal.ts): renewed through the desktop shell,
// signed out in a browser, and never renewed in a loop.
import { describe, expect, it } from 'vitest';
import { renewalDecision, renewedToken, type TokenState } from '../../../../src/desktop/renderer/state/renewal';

const fromUrl: TokenState = { token: 'url-token', renewed: false, proven: true };

describe('a refused session token', () => {
  it('is renewed through the shell in the desktop app', () => {
    expect(renewalDecision({ hasBridge: true, failedToken: 'url-token', current: fromUrl, renewing: false })).toBe('renew');
    // Refused before anything worked (expired while the window slept): still renewed once.
    expect(renewalDecision({ hasBridge: true, failedToken: 'url-token', current: { ...fromUrl, proven: false }, renewing: false })).toBe('renew');
  });

  it('signs the page out in a browser (no shell to ask), as before', () => {
    expect(renewalDecision({ hasBridge: false, failedToken: 'url-token', current: fromUrl, renewing: false })).toBe('sign_out');
  });

  it('waits for a renewal under way instead of asking again', () => {
    expect(renewalDecision({ hasBridge: true, failedToken: 'url-token', current: fromUrl, renewing: true })).toBe('wait');
  });

  it('ignores a refusal of a token already replaced (a request sent before the renewal)', () => {
    expect(renewalDecision({ hasBridge: true, failedToken: 'old', current: { token: 'fresh', renewed: true, proven: false }, renewing: false })).toBe('stale');
    expect(renewalDecision({ hasBridge: false, failedToken: 'old', current: fromUrl, renewing: false })).toBe('stale');
  });

  it('signs out when a fresh token is refused before anything worked with it; renews again once it had worked', () => {
    expect(renewalDecision({ hasBridge: true, failedToken: 'fresh', current: { token: 'fresh', renewed: true, proven: false }, renewing: false })).toBe('sign_out');
    expect(renewalDecision({ hasBridge: true, failedToken: 'fresh', current: { token: 'fresh', renewed: true, proven: true }, renewing: false })).toBe('renew');
  });

  it('without a session there is nothing to renew', () => {
    expect(renewalDecision({ hasBridge: true, failedToken: 'x', current: null, renewing: false })).toBe('sign_out');
  });

  it('takes the token out of the shell’s answer, or nothing', () => {
    expect(renewedToken({ token: 'abc', expiresAt: 5 })).toBe('abc');
    expect(renewedToken({ token: '' })).toBeNull();
    expect(renewedToken({ token: 5 })).toBeNull();
    expect(renewedToken(null)).toBeNull();
    expect(renewedToken('abc')).toBeNull();
  });
});
