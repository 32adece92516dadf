// A one-time sign-in link (src/desktop/renderer/api/signin.ts): the code in the fragment, traded
// once for a session; a refused or unreachable trade leaves the page signed out, saying why.
import { describe, expect, it } from 'vitest';
import { redeemSignin, signinCodeFromHash } from '../../../../src/desktop/renderer/api/signin';

const answering = (status: number, body: unknown) => {
  const seen: Array<{ input: string; init: RequestInit }> = [];
  const fetcher = async (input: string, init: RequestInit) => {
    seen.push({ input, init });
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { seen, fetcher };
};

describe('sign-in links', () => {
  it('finds the code in the fragment only', () => {
    expect(signinCodeFromHash('#signin=abc-123_X')).toBe('abc-123_X');
    expect(signinCodeFromHash('#token=abc')).toBeNull();
    expect(signinCodeFromHash('#signin=')).toBeNull();
    expect(signinCodeFromHash('')).toBeNull();
  });

  it('trades the code for a session token, which then goes on as #token=', async () => {
    const { seen, fetcher } = answering(200, { token: 'a/b', expiresAt: 1, account: 'default', agent: 'me' });
    expect(await redeemSignin('the-code', fetcher)).toEqual({ hash: '#token=a%2Fb', failure: null });
    expect(seen.map((s) => [s.input, s.init.method, s.init.body])).toEqual([['/api/signin', 'POST', JSON.stringify({ code: 'the-code' })]]);
  });

  it('says why when the link is used, expired, or Ringside cannot be reached', async () => {
    const used = answering(401, { error: 'signin_link_invalid', reason: 'this sign-in link was used already' });
    expect(await redeemSignin('old', used.fetcher)).toEqual({ hash: '', failure: 'this sign-in link was used already' });
    expect(await redeemSignin('x', async () => new Response('oops', { status: 500 }))).toEqual({ hash: '', failure: 'sign-in failed (500)' });
    expect(await redeemSignin('x', async () => {
      throw new TypeError('fetch failed');
    })).toEqual({ hash: '', failure: 'Ringside cannot be reached to sign in.' });
  });
});
