import type { Logger } from '../../shared/logger';
import { PhoneError } from '../../domain/phone/errors';
import { LoginGuard } from './loginGuard';
import { authRefusal, lockedError, needsConfirmation, parseAnswer, type PhoneAnswer } from './phoneAnswer';
import { originOf, phoneHttp, type PhoneAddress, type PhoneHttpRequest, type PhoneHttpResponse } from './phoneHttp';
import { detectLoginForm, requestNonce, sessionLogin, type LoginForm } from './sessionLogin';

export interface GrandstreamPhoneClientOptions {
  host: string;
  /** Default 80. */
  port?: number;
  /** The web account for the session login; default `user`, so IT's `admin` session is never kicked out. */
  username?: string;
  password: string;
  /** `auto` (default) asks the phone which form it offers, once. */
  form?: 'auto' | LoginForm;
  /** Every request, logins included, is abandoned after this long. Default 5 s. */
  timeoutMs?: number;
  /** A session idle this long is renewed before use; under the firmware's ~30 s idle timeout. Default 25 s. */
  sessionRefreshMs?: number;
  clock?: () => number;
  /** Gets the phone's address and the login form, never a password, passcode or sid. */
  logger?: Logger;
}

interface FunctionCall {
  fn: string;
  params: Record<string, string>;
  method: 'GET' | 'POST';
}

export type CallOperation = 'acceptcall' | 'rejectcall' | 'endcall' | 'holdcall' | 'cancel';

export interface PhoneLineStatus {
  line: number;
  /** idle, ringing, connected, onhold, calling, failed (as the firmware says). */
  state: string;
  /** 0-based SIP account, null on an idle line. */
  account: number | null;
  remoteName: string;
  remoteNumber: string;
  active: boolean;
}

/**
 * Drives one Grandstream phone over its web control API (reference/grandstream.md), with either
 * login form. Requests go one at a time: the firmware keeps one web session per account, and two
 * overlapping logins would end each other's sessions.
 */
export class GrandstreamPhoneClient {
  private readonly phone: PhoneAddress;
  private readonly timeoutMs: number;
  private readonly sessionRefreshMs: number;
  private readonly clock: () => number;
  private readonly guard: LoginGuard;
  private form: LoginForm | null;
  private unusedNonce: string | null = null;
  private session: { sid: string; lastUsed: number } | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: GrandstreamPhoneClientOptions) {
    this.phone = { host: options.host, port: options.port ?? 80 };
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.sessionRefreshMs = options.sessionRefreshMs ?? 25_000;
    this.clock = options.clock ?? Date.now;
    this.form = options.form === undefined || options.form === 'auto' ? null : options.form;
    this.guard = new LoginGuard(this.describe());
  }

  /** The login form in use; null until the first request has found out. */
  get loginForm(): LoginForm | null {
    return this.form;
  }

  /** Lets the client try logging in again after it paused (the password has been corrected). */
  resetLoginGuard(): void {
    this.guard.reset();
  }

  async lineStatus(): Promise<PhoneLineStatus[]> {
    const body = await this.call('api-get_line_status', {});
    return (Array.isArray(body) ? body : []).map(toLineStatus);
  }

  /** available, ringing or busy. */
  async phoneStatus(): Promise<string> {
    return String(await this.call('api-get_phone_status', {}));
  }

  async accounts(): Promise<unknown> {
    return this.call('api-get_accounts', {});
  }

  /** Places a call; `account` is the phone's 0-based SIP account. */
  async dial(number: string, account?: number): Promise<void> {
    await this.call('api-make_call', { phonenumber: number, ...(account === undefined ? {} : { account: String(account) }) });
  }

  accept(): Promise<void> {
    return this.operation('acceptcall');
  }

  reject(): Promise<void> {
    return this.operation('rejectcall');
  }

  end(): Promise<void> {
    return this.operation('endcall');
  }

  /** Holds the active call; on models that toggle, a second hold resumes it. */
  hold(): Promise<void> {
    return this.operation('holdcall');
  }

  cancel(): Promise<void> {
    return this.operation('cancel');
  }

  /** Key presses in order: digits, `*`, `#`, or key names (`OFFHOOK`, `ONHOOK`, `SEND`, ...). */
  async sendKeys(keys: readonly string[]): Promise<void> {
    await this.call('api-send_key', { keys: keys.join(':') });
  }

  /**
   * Reads configuration values by P-value name (`api.values.get`): a name the phone does not
   * know comes back as ''. Firmware without the configuration API fails with `phone_unsupported`.
   */
  async readValues(names: readonly string[]): Promise<Record<string, string>> {
    const body = await this.call('api.values.get', { request: names.join(':') });
    const values = (body ?? {}) as Record<string, unknown>;
    return Object.fromEntries(names.map((name) => [name, values[name] === undefined || values[name] === null ? '' : String(values[name])]));
  }

  /** Writes configuration values by P-value name (`api.values.post`); the phone applies them at once. */
  async writeValues(values: Readonly<Record<string, string>>): Promise<void> {
    await this.call('api.values.post', { ...values }, 'POST');
  }

  private async operation(cmd: CallOperation): Promise<void> {
    await this.call('api-phone_operation', { cmd });
  }

  /** Runs one function after the previous one finished, and returns the answer's body. */
  private call(fn: string, params: Record<string, string>, method: 'GET' | 'POST' = 'GET'): Promise<unknown> {
    const run = this.queue.then(() => this.callNow({ fn, params, method }));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async callNow(fnCall: FunctionCall): Promise<unknown> {
    const { fn } = fnCall;
    this.guard.assertMayTry();
    const form = await this.loginFormInUse();
    const answer = form === 'passcode' ? await this.withPasscode(fnCall) : await this.withSession(fnCall);
    if (needsConfirmation(answer)) {
      throw new PhoneError('phone_needs_confirmation', `the phone at ${this.describe()} asks its user to allow ${fn}; disable "Remote Control Pop up Window Support" on the phone (Network > Remote Control) so Ringside can drive it`);
    }
    if (answer.response === 'error') throw new PhoneError('phone_refused', `the phone at ${this.describe()} refused ${fn}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  private async loginFormInUse(): Promise<LoginForm> {
    if (this.form !== null) return this.form;
    const detected = await detectLoginForm((req) => this.send(req));
    this.form = detected.form;
    if (detected.form === 'session') this.unusedNonce = detected.nonce;
    this.options.logger?.info({ phone: this.describe(), form: this.form }, 'phone login form detected');
    return this.form;
  }

  private async withPasscode(fnCall: FunctionCall): Promise<PhoneAnswer> {
    const answer = await this.request({ ...fnCall, params: { ...fnCall.params, passcode: this.options.password } });
    this.checkLogin(answer);
    return answer;
  }

  /** With the session login: one transparent re-login when the phone says the session is gone. */
  private async withSession(fnCall: FunctionCall): Promise<PhoneAnswer> {
    await this.ensureSession();
    const answer = await this.request(fnCall);
    if (authRefusal(answer) === null) return this.used(answer);
    this.session = null;
    this.options.logger?.info({ phone: this.describe() }, 'phone session expired; logging in again');
    await this.ensureSession();
    const retried = await this.request(fnCall);
    if (authRefusal(retried) !== null) throw new PhoneError('phone_refused', `the phone at ${this.describe()} ended the new session at once (is another program logged in with the same account?)`);
    return this.used(retried);
  }

  private used(answer: PhoneAnswer): PhoneAnswer {
    if (this.session) this.session.lastUsed = this.clock();
    return answer;
  }

  private async ensureSession(): Promise<void> {
    if (this.session && this.clock() - this.session.lastUsed < this.sessionRefreshMs) return;
    this.session = null;
    this.guard.assertMayTry();
    const nonce = this.unusedNonce ?? (await requestNonce((req) => this.send(req)));
    this.unusedNonce = null;
    if (nonce === null) throw new PhoneError('phone_bad_answer', `the phone at ${this.describe()} no longer hands out a login nonce (POST /cgi-bin/access)`);
    const outcome = await sessionLogin((req) => this.send(req), this.options.username ?? 'user', this.options.password, nonce);
    if (!outcome.ok) {
      if (outcome.refusal === 'no-session') throw new PhoneError('phone_bad_answer', `the phone at ${this.describe()} accepted the login but set no session cookie`);
      if (outcome.refusal === 'locked') throw lockedError(this.describe());
      throw this.guard.failed();
    }
    this.guard.succeeded();
    this.session = { sid: outcome.sid, lastUsed: this.clock() };
    this.options.logger?.debug({ phone: this.describe() }, 'logged in to the phone');
  }

  /** Throws for a refused login (counting it) or a locked account; otherwise the login worked. */
  private checkLogin(answer: PhoneAnswer): void {
    const refusal = authRefusal(answer);
    if (refusal === 'locked') throw lockedError(this.describe());
    if (refusal === 'unauthorized') throw this.guard.failed();
    this.guard.succeeded();
  }

  /** GET carries the parameters in the query, POST in a form body (values may be long URLs). */
  private async request({ fn, params, method }: FunctionCall): Promise<PhoneAnswer> {
    const form = new URLSearchParams(params);
    const query = method === 'GET' ? form.toString() : '';
    const response = await this.send({ method, path: `/cgi-bin/${fn}${query ? `?${query}` : ''}`, ...(method === 'POST' ? { form } : {}) });
    if (response.status === 404) throw new PhoneError('phone_unsupported', `the phone at ${this.describe()} has no /cgi-bin/${fn}: its firmware does not offer it`);
    return parseAnswer(response, fn);
  }

  /** Every request carries the same-origin Referer the session firmware insists on, and the sid once there is one. */
  private send(req: PhoneHttpRequest): Promise<PhoneHttpResponse> {
    const headers: Record<string, string> = { Referer: `${originOf(this.phone)}/`, ...req.headers };
    if (this.session) headers.Cookie = `sid=${this.session.sid}`;
    return phoneHttp(this.phone, { ...req, headers }, this.timeoutMs);
  }

  private describe(): string {
    return `${this.phone.host}:${this.phone.port}`;
  }
}

function toLineStatus(entry: unknown): PhoneLineStatus {
  const e = (entry ?? {}) as Record<string, unknown>;
  return {
    line: Number(e.line),
    state: String(e.state ?? ''),
    account: e.acct === '' || e.acct === undefined || e.acct === null ? null : Number(e.acct),
    remoteName: String(e.remotename ?? ''),
    remoteNumber: String(e.remotenumber ?? ''),
    active: e.active === 1 || e.active === true || e.active === '1',
  };
}
