// A one-time sign-in link (`ringside signin`, `npm start` on a desktop): `#signin=<code>`. The code
// is traded once for an agent session (POST /api/signin), and the session then goes on as if the
// link had carried its token (`#token=…`, taken out of the address bar by session.ts). A used or
// expired link leaves the page signed out, saying so.

/** The sign-in code in the fragment, or null. */
export function signinCodeFromHash(hash: string): string | null {
  const code = new URLSearchParams(hash.replace(/^#/, '')).get('signin');
  return code ? code : null;
}

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface SigninOutcome {
  /** The fragment to go on with: `#token=…` when signed in, '' otherwise. */
  hash: string;
  /** Why the link did not sign in, or null. */
  failure: string | null;
}

/** Trades the link's code for a session; never throws. */
export async function redeemSignin(code: string, fetchFn: FetchLike = (input, init) => fetch(input, init)): Promise<SigninOutcome> {
  try {
    const res = await fetchFn('/api/signin', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ code }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await res.json().catch(() => ({}))) as { token?: unknown; reason?: unknown };
    if (res.ok && typeof body.token === 'string' && body.token !== '') return { hash: `#token=${encodeURIComponent(body.token)}`, failure: null };
    return { hash: '', failure: typeof body.reason === 'string' ? body.reason : `sign-in failed (${res.status})` };
  } catch {
    return { hash: '', failure: 'Ringside cannot be reached to sign in.' };
  }
}

/**
 * Before the session is read: a `#signin=` fragment is replaced by the session it gives (or by
 * nothing), so the code never stays in the address bar or the history.
 */
export async function takeSigninLink(): Promise<string | null> {
  const code = signinCodeFromHash(window.location.hash);
  if (code === null) return null;
  history.replaceState(null, '', window.location.pathname + window.location.search);
  const outcome = await redeemSignin(code);
  if (outcome.hash !== '') history.replaceState(null, '', `${window.location.pathname}${window.location.search}${outcome.hash}`);
  return outcome.failure;
}
