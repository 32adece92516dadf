// The admin console's refusals in words (src/desktop/renderer/components/AdminConsole.tsx adminErrorText).
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src/desktop/renderer/api/rest';
import { adminErrorText } from '../../../../src/desktop/renderer/components/AdminConsole';

describe('a refused change', () => {
  it('names the fields a 400 is about, as the form labels them', () => {
    const body = { error: 'invalid input: …', details: [{ path: 'id', message: 'letters, digits, _ . @ - only (1–64)' }, { path: 'name', message: 'is required' }] };
    expect(adminErrorText(new ApiError(400, 'invalid input: …', null, body))).toBe('Sign-in name letters, digits, _ . @ - only (1–64). Name is required.');
  });

  it('says what a status means, or repeats the server as a sentence', () => {
    expect(adminErrorText(new ApiError(403, 'this endpoint needs the admin token'))).toBe('Only an administrator can change this.');
    expect(adminErrorText(new ApiError(503, 'directory unavailable'))).toMatch(/^Ringside cannot save changes right now/);
    expect(adminErrorText(new ApiError(409, 'extension 8201 belongs to agent dana'))).toBe('Extension 8201 belongs to agent dana.');
    expect(adminErrorText(new TypeError('fetch failed'))).toBe('Ringside cannot be reached.');
  });
});
