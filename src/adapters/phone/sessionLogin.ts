import { createHash } from 'node:crypto';
import type { PhoneHttpRequest, PhoneHttpResponse } from './phoneHttp';
import { authRefusal, parseAnswer, type AuthRefusal } from './phoneAnswer';
import type { LoginForm } from '../../protocol/responses';

/** The login form a phone's web UI offers (the agent API reports it: defined in src/protocol). */
export type { LoginForm };

/** Sends one request to the phone with the same-origin Referer and the timeout already applied. */
export type PhoneRequester = (req: PhoneHttpRequest) => Promise<PhoneHttpResponse>;

/** The login form a phone offers; for the session form, the nonce it handed out while asking. */
export type DetectedForm = { form: 'passcode' } | { form: 'session'; nonce: string };

/**
 * Asks the phone for a login nonce (`POST /cgi-bin/access`). Firmware with the session login
 * answers the firmware's JSON with a nonce; older firmware has no such page (404, or an HTML
 * page), and then only the passcode form is left. The nonce is kept for the first login, so
 * detection costs no extra request and never counts as a failed login.
 */
export async function detectLoginForm(send: PhoneRequester): Promise<DetectedForm> {
  const nonce = await requestNonce(send);
  return nonce === null ? { form: 'passcode' } : { form: 'session', nonce };
}

export async function requestNonce(send: PhoneRequester): Promise<string | null> {
  const response = await send({ method: 'POST', path: '/cgi-bin/access' });
  if (response.status !== 200) return null;
  try {
    const answer = parseAnswer(response, 'access');
    const nonce = (answer.body as { nonce?: unknown } | null)?.nonce;
    return answer.response === 'success' && typeof nonce === 'string' && nonce !== '' ? nonce : null;
  } catch {
    return null;
  }
}

export type LoginOutcome = { ok: true; sid: string } | { ok: false; refusal: AuthRefusal | 'no-session' };

/** `POST /cgi-bin/dologin` with `password=sha256(password + nonce)`: the password never crosses the network. */
export async function sessionLogin(send: PhoneRequester, username: string, password: string, nonce: string): Promise<LoginOutcome> {
  const form = new URLSearchParams({ username, password: createHash('sha256').update(password + nonce, 'utf8').digest('hex') });
  const response = await send({ method: 'POST', path: '/cgi-bin/dologin', form });
  const answer = parseAnswer(response, 'login');
  if (answer.response === 'error') return { ok: false, refusal: authRefusal(answer) ?? 'unauthorized' };
  const sid = sidFrom(response.setCookie);
  return sid === null ? { ok: false, refusal: 'no-session' } : { ok: true, sid };
}

function sidFrom(setCookie: readonly string[]): string | null {
  for (const header of setCookie) {
    const match = /^\s*sid=([^;]*)/.exec(header);
    if (match?.[1]) return match[1];
  }
  return null;
}
