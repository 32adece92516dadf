// The REST client (src/desktop/renderer/api/rest.ts) against a fake fetch: the bearer token, and the
// API's two error shapes turned into sentences.
import { describe, expect, it } from 'vitest';
import { ApiError, describeError, RestClient } from '../../../../src/desktop/renderer/api/rest';

function fakeFetch(status: number, body: unknown, seen: Array<{ input: string; init: RequestInit }> = []) {
  return async (input: string, init: RequestInit) => {
    seen.push({ input, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
}

describe('the REST client', () => {
  it('sends the session token as a bearer token and JSON bodies', async () => {
    const seen: Array<{ input: string; init: RequestInit }> = [];
    const rest = new RestClient('tok', () => undefined, fakeFetch(200, { missed: { callId: 'c1' }, dial: { status: 'unavailable', reason: 'no phone' } }, seen));
    const result = await rest.callBack('c/1');
    expect(result.dial).toEqual({ status: 'unavailable', reason: 'no phone' });
    expect(seen[0]!.input).toBe('/api/missed/c%2F1/callback');
    expect(seen[0]!.init).toMatchObject({ method: 'POST', body: '{}', headers: { Authorization: 'Bearer tok', 'Content-Type': 'application/json' } });
  });

  it('reads lists out of their items', async () => {
    const rest = new RestClient('tok', () => undefined, fakeFetch(200, { items: [{ agent: 'alice' }] }));
    expect(await rest.stats('from=1')).toEqual([{ agent: 'alice' }]);
  });

  it("turns the phone endpoints' {error, reason} and the others' {error} into errors with a sentence", async () => {
    const coded = new RestClient('tok', () => undefined, fakeFetch(409, { error: 'phone_not_configured', reason: 'phone has no control password' }));
    await expect(coded.phone('answer')).rejects.toMatchObject({ status: 409, code: 'phone_not_configured', message: 'phone has no control password' });
    const plain = new RestClient('tok', () => undefined, fakeFetch(409, { error: 'already taken by bob', details: { owner: 'bob' } }));
    const error = await plain.callBack('c1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(describeError(error)).toBe('already taken by bob');
    expect((error as ApiError).body).toEqual({ error: 'already taken by bob', details: { owner: 'bob' } });
  });

  it('reports a refused token', async () => {
    let refused = 0;
    const rest = new RestClient('old', () => void (refused += 1), fakeFetch(401, { error: 'missing or invalid bearer token' }));
    await expect(rest.agents()).rejects.toMatchObject({ status: 401 });
    expect(refused).toBe(1);
  });

  it('says what went wrong when there is no answer at all', () => {
    expect(describeError(new TypeError('fetch failed'))).toBe('Ringside cannot be reached.');
    expect(describeError(new DOMException('t', 'TimeoutError'))).toBe('Ringside did not answer in time.');
    expect(describeError('odd')).toBe('odd');
  });
});
