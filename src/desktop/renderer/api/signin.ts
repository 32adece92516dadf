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

// Signing in by oneself (docs/agent-api.md, Passwords and invite links): the agent's id and password,
// or an invite link (`#invite=<code>`) with which the agent chooses a password, then is signed in.

/** What a sign-in form gets back: a session token, or what to tell the person. */
export type SigninResult = { ok: true; token: string; agent: string } | { ok: false; message: string };

const UNREACHABLE = 'Ringside cannot be reached. Check that it is running, then try again.';

async function post(path: string, body: unknown, fetchFn: FetchLike): Promise<{ status: number; body: Record<string, unknown> } | null> {
  try {
    const res = await fetchFn(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  } catch {
    return null;
  }
}

function sessionFrom(answer: { status: number; body: Record<string, unknown> }): SigninResult | null {
  const { token, agent } = answer.body;
  return answer.status === 200 && typeof token === 'string' && token !== '' ? { ok: true, token, agent: typeof agent === 'string' ? agent : '' } : null;
}

/** In words a person acts on: "try again in a minute", not a status code. */
export function throttledMessage(retryAfterSeconds: unknown): string {
  const seconds = typeof retryAfterSeconds === 'number' && retryAfterSeconds > 0 ? Math.ceil(retryAfterSeconds) : 60;
  const when = seconds > 50 ? 'a minute' : seconds <= 1 ? 'a second' : `${seconds} seconds`;
  return `Too many attempts. Try again in ${when}.`;
}

/** POST /api/signin {agent, password}; never throws. */
export async function signInWithPassword(agent: string, password: string, fetchFn: FetchLike = (input, init) => fetch(input, init)): Promise<SigninResult> {
  const answer = await post('/api/signin', { agent: agent.trim(), password }, fetchFn);
  if (answer === null) return { ok: false, message: UNREACHABLE };
  const session = sessionFrom(answer);
  if (session) return session;
  if (answer.status === 401) return { ok: false, message: 'Wrong agent or password.' };
  if (answer.status === 429) return { ok: false, message: throttledMessage(answer.body.retryAfterSeconds) };
  if (answer.status === 400) return { ok: false, message: 'Enter your agent name and your password.' };
  return { ok: false, message: `Ringside could not sign you in just now (error ${answer.status}). Try again in a moment.` };
}

/** The invite code in the fragment, or null. */
export function inviteCodeFromHash(hash: string): string | null {
  const code = new URLSearchParams(hash.replace(/^#/, '')).get('invite');
  return code ? code : null;
}

export type InviteCheck = { ok: true; agent: string; name: string } | { ok: false; message: string };

const INVITE_USED = 'This invite link was used already or has expired. Ask for a new one, or sign in with your password.';

/** POST /api/invites/check: whom the invite is for; never throws. */
export async function checkInvite(code: string, fetchFn: FetchLike = (input, init) => fetch(input, init)): Promise<InviteCheck> {
  const answer = await post('/api/invites/check', { code }, fetchFn);
  if (answer === null) return { ok: false, message: UNREACHABLE };
  const { agent, name } = answer.body;
  if (answer.status === 200 && typeof agent === 'string') return { ok: true, agent, name: typeof name === 'string' && name !== '' ? name : agent };
  if (answer.status === 401 || answer.status === 400) return { ok: false, message: INVITE_USED };
  return { ok: false, message: `Ringside could not open this invite just now (error ${answer.status}). Try again in a moment.` };
}

/** POST /api/invites/accept: the chosen password; uses the invite up and signs in. Never throws. */
export async function acceptInvite(code: string, password: string, fetchFn: FetchLike = (input, init) => fetch(input, init)): Promise<SigninResult> {
  const answer = await post('/api/invites/accept', { code, password }, fetchFn);
  if (answer === null) return { ok: false, message: UNREACHABLE };
  const session = sessionFrom(answer);
  if (session) return session;
  if (answer.status === 401) return { ok: false, message: INVITE_USED };
  if (answer.status === 400) return { ok: false, message: 'Ringside did not accept this password. Choose another one.' };
  return { ok: false, message: `Ringside could not save your password just now (error ${answer.status}). Try again in a moment.` };
}

/** DELETE /api/session: ends this session on the server. Never throws (the page signs out either way). */
export async function signOut(token: string, fetchFn: FetchLike = (input, init) => fetch(input, init)): Promise<void> {
  try {
    await fetchFn('/api/session', { method: 'DELETE', headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(5_000) });
  } catch {
    // Unreachable: the session ends by itself when it expires.
  }
}
