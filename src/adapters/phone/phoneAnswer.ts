import { PhoneError } from '../../domain/phone/errors';
import type { PhoneHttpResponse } from './phoneHttp';

/** The firmware's answer: `{"response":"success"|"error","body":...}`. */
export interface PhoneAnswer {
  response: 'success' | 'error';
  body: unknown;
}

/** Refusals the client reacts to, each told apart by the answer's body word. */
export type AuthRefusal = 'unauthorized' | 'locked' | 'session-expired';

export function parseAnswer(response: PhoneHttpResponse, what: string): PhoneAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.text);
  } catch {
    parsed = null;
  }
  const answer = parsed as Partial<PhoneAnswer> | null;
  if (answer?.response !== 'success' && answer?.response !== 'error') {
    throw new PhoneError('phone_bad_answer', `${what}: the phone answered HTTP ${response.status} without the firmware's JSON; is this a Grandstream phone with the control API enabled?`);
  }
  return { response: answer.response, body: answer.body };
}

/** The auth refusal in an error answer, if it is one. */
export function authRefusal(answer: PhoneAnswer): AuthRefusal | null {
  if (answer.response !== 'error' || typeof answer.body !== 'string') return null;
  const word = answer.body.toLowerCase();
  if (word.includes('expired')) return 'session-expired';
  if (word.includes('lock')) return 'locked';
  if (word.includes('unauthori') || word.includes('denied')) return 'unauthorized';
  return null;
}

/**
 * The phone asks its user to allow the command ("Remote Control Pop up Window Support"). The
 * firmware's wording is not documented: any error body that mentions confirming counts.
 */
export function needsConfirmation(answer: PhoneAnswer): boolean {
  return answer.response === 'error' && typeof answer.body === 'string' && /confirm/i.test(answer.body);
}

export function lockedError(phone: string): PhoneError {
  return new PhoneError('phone_locked', `the phone at ${phone} has locked its web account after too many failed logins; unlock it on the phone (or wait), then check the password`);
}
