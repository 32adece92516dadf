import { createHash } from 'node:crypto';
import { phoneHttp, type PhoneHttpResponse } from '../../../../src/adapters/phone/phoneHttp';
import { ALICE } from '../../../../tools/simulator/cast';
import { SimulatedPhoneControl, type SimulatedPhoneControlOptions } from '../../../../tools/simulator/control/SimulatedPhoneControl';

export const PHONE_PASSWORD = 'desk-phone-pw-4711';

const started: SimulatedPhoneControl[] = [];

/** A simulated phone's web server for one test; `closeAllPhones` in afterEach. */
export async function startPhone(options: Partial<SimulatedPhoneControlOptions> = {}): Promise<SimulatedPhoneControl> {
  const phone = await SimulatedPhoneControl.start({ identity: ALICE.phone, form: 'passcode', password: PHONE_PASSWORD, remoteAnswer: 'never', ...options });
  started.push(phone);
  return phone;
}

export async function closeAllPhones(): Promise<void> {
  await Promise.all(started.splice(0).map((p) => p.close()));
}

/** A clock the test moves by hand, for session lifetimes without waiting. */
export function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
}

export interface RawPhoneAnswer {
  status: number;
  json: { response: string; body: unknown } | null;
  setCookie: string[];
}

/** One request as a browser on the phone's web UI would send it (Referer and cookie optional). */
export async function raw(phone: SimulatedPhoneControl, method: 'GET' | 'POST', path: string, options: { referer?: boolean; sid?: string; form?: URLSearchParams } = {}): Promise<RawPhoneAnswer> {
  const headers: Record<string, string> = {};
  if (options.referer ?? true) headers.Referer = `http://127.0.0.1:${phone.port}/`;
  if (options.sid) headers.Cookie = `sid=${options.sid}`;
  const response: PhoneHttpResponse = await phoneHttp({ host: phone.host, port: phone.port }, { method, path, headers, form: options.form }, 5000);
  let json: RawPhoneAnswer['json'] = null;
  try {
    json = JSON.parse(response.text) as RawPhoneAnswer['json'];
  } catch {
    json = null;
  }
  return { status: response.status, json, setCookie: response.setCookie };
}

/** The session login done by hand: nonce, hashed password, sid from the cookie. */
export async function loginByHand(phone: SimulatedPhoneControl, password = PHONE_PASSWORD, username = 'user'): Promise<{ sid: string | null; answer: RawPhoneAnswer }> {
  const access = await raw(phone, 'POST', '/cgi-bin/access');
  const nonce = (access.json?.body as { nonce: string }).nonce;
  const hashed = createHash('sha256').update(password + nonce).digest('hex');
  const answer = await raw(phone, 'POST', '/cgi-bin/dologin', { form: new URLSearchParams({ username, password: hashed }) });
  const sid = /sid=([^;]+)/.exec(answer.setCookie.join(';'))?.[1] ?? null;
  return { sid, answer };
}
