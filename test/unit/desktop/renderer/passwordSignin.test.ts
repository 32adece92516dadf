// Signing in by oneself (src/desktop/renderer/api/signin.ts, components/SignIn.tsx): what each answer
// of the server tells the person, in words, and the rules of a chosen password.
import { describe, expect, it } from 'vitest';
import { acceptInvite, checkInvite, inviteCodeFromHash, signInWithPassword, throttledMessage } from '../../../../src/desktop/renderer/api/signin';
import { choosePasswordProblem } from '../../../../src/desktop/renderer/components/SignIn';

const answering = (status: number, body: unknown) => {
  const seen: Array<{ input: string; body: unknown }> = [];
  const fetcher = async (input: string, init: RequestInit) => {
    seen.push({ input, body: JSON.parse(String(init.body)) });
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { seen, fetcher };
};
const unreachable = async (): Promise<Response> => {
  throw new TypeError('fetch failed');
};

describe('signing in with a password', () => {
  it('sends the agent (trimmed) and password, and goes on with the session token', async () => {
    const { seen, fetcher } = answering(200, { token: 'tok', expiresAt: 1, account: 'default', agent: 'alice' });
    expect(await signInWithPassword(' alice ', ' secret words ', fetcher)).toEqual({ ok: true, token: 'tok', agent: 'alice' });
    expect(seen).toEqual([{ input: '/api/signin', body: { agent: 'alice', password: ' secret words ' } }]);
  });

  it('says "Wrong agent or password", the wait after too many attempts, and when Ringside is not there', async () => {
    expect(await signInWithPassword('a', 'b', answering(401, { error: 'signin_failed' }).fetcher)).toEqual({ ok: false, message: 'Wrong agent or password.' });
    expect(await signInWithPassword('a', 'b', answering(429, { error: 'signin_throttled', retryAfterSeconds: 58 }).fetcher))
      .toEqual({ ok: false, message: 'Too many attempts. Try again in a minute.' });
    expect(await signInWithPassword('a', 'b', answering(429, { retryAfterSeconds: 20 }).fetcher)).toEqual({ ok: false, message: 'Too many attempts. Try again in 20 seconds.' });
    expect(await signInWithPassword('a', 'b', unreachable)).toMatchObject({ ok: false, message: expect.stringContaining('cannot be reached') as unknown });
    expect(await signInWithPassword('a', 'b', answering(500, {}).fetcher)).toMatchObject({ ok: false, message: expect.stringContaining('error 500') as unknown });
  });

  it('puts the wait in words', () => {
    expect(throttledMessage(60)).toBe('Too many attempts. Try again in a minute.');
    expect(throttledMessage(1)).toBe('Too many attempts. Try again in a second.');
    expect(throttledMessage(undefined)).toBe('Too many attempts. Try again in a minute.');
  });
});

describe('an invite link', () => {
  it('finds the code in the fragment only', () => {
    expect(inviteCodeFromHash('#invite=abc_1-2')).toBe('abc_1-2');
    expect(inviteCodeFromHash('#signin=abc')).toBeNull();
    expect(inviteCodeFromHash('#invite=')).toBeNull();
  });

  it('greets the agent by name, and says when the link was used or expired', async () => {
    expect(await checkInvite('c', answering(200, { agent: 'bob', name: 'Bob Brown', expiresAt: 1 }).fetcher)).toEqual({ ok: true, agent: 'bob', name: 'Bob Brown' });
    expect(await checkInvite('c', answering(401, { error: 'invite_invalid' }).fetcher)).toMatchObject({ ok: false, message: expect.stringContaining('used already or has expired') as unknown });
    expect(await acceptInvite('c', 'long enough', answering(401, { error: 'invite_invalid' }).fetcher)).toMatchObject({ ok: false, message: expect.stringContaining('used already or has expired') as unknown });
    expect(await acceptInvite('c', 'long enough', answering(200, { token: 't', agent: 'bob' }).fetcher)).toEqual({ ok: true, token: 't', agent: 'bob' });
  });

  it('a chosen password: long enough, not only spaces, typed the same twice', () => {
    expect(choosePasswordProblem('short', 'short')).toBe('Choose a password of at least 8 characters.');
    expect(choosePasswordProblem('          ', '          ')).toBe('Choose a password that is not only spaces.');
    expect(choosePasswordProblem('long enough', 'long enougj')).toBe('The two passwords are not the same. Type them again.');
    expect(choosePasswordProblem('long enough', 'long enough')).toBeNull();
  });
});
