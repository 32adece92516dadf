import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * How a simulated phone authenticates control requests:
 * - `passcode`: older firmware, `?passcode=<password>` on every request; no `/cgi-bin/access`.
 * - `session`: newer firmware, nonce from `POST /cgi-bin/access`, `POST /cgi-bin/dologin` with
 *   `password=sha256(password + nonce)` → `sid` cookie; the passcode form is refused.
 */
export type LoginForm = 'passcode' | 'session';

export interface PhoneAuthOptions {
  form: LoginForm;
  /** The web account (`admin` or `user`); the passcode form checks the password only. */
  username: string;
  password: string;
  /** A session not used for this long is gone (the firmware's idle timeout is about 30 s). */
  sessionIdleMs: number;
  /** Consecutive failed logins that lock the account (5 on the firmware). */
  maxFailedLogins: number;
  /** How long a locked account stays locked. */
  lockMs: number;
  clock: () => number;
}

export type AuthRefusal = 'unauthorized' | 'locked' | 'session-expired';
export type AuthResult = { ok: true } | { ok: false; reason: AuthRefusal };

const NONCES_KEPT = 16;

/** The phone's view of logins: nonces, the one live session, and the failed-login lock. */
export class PhoneAuth {
  private nonces: string[] = [];
  private session: { sid: string; lastUsed: number } | null = null;
  private failedInARow = 0;
  private lockedUntil = 0;
  /** Counters for tests: how the client treated the phone. */
  readonly stats = { logins: 0, failedLogins: 0 };

  constructor(private readonly options: PhoneAuthOptions) {}

  get form(): LoginForm {
    return this.options.form;
  }

  get locked(): boolean {
    return this.options.clock() < this.lockedUntil;
  }

  issueNonce(): string {
    const nonce = randomBytes(16).toString('hex');
    this.nonces = [...this.nonces, nonce].slice(-NONCES_KEPT);
    return nonce;
  }

  /** `dologin`: the hash must match one outstanding nonce, which is then used up either way. */
  login(username: string, hashedPassword: string): { ok: true; sid: string } | { ok: false; reason: AuthRefusal } {
    if (this.locked) return { ok: false, reason: 'locked' };
    const nonce = username === this.options.username ? this.nonces.find((n) => sameText(sha256(this.options.password + n), hashedPassword)) : undefined;
    if (nonce === undefined) return this.failedLogin();
    this.nonces = this.nonces.filter((n) => n !== nonce);
    // One web session per account: a new login ends the previous one.
    this.session = { sid: randomBytes(16).toString('hex'), lastUsed: this.options.clock() };
    this.succeeded();
    return { ok: true, sid: this.session.sid };
  }

  checkPasscode(passcode: string | null): AuthResult {
    if (this.locked) return { ok: false, reason: 'locked' };
    if (passcode === null || !sameText(passcode, this.options.password)) return this.failedLogin();
    this.succeeded();
    return { ok: true };
  }

  /** A request with a `sid`: valid only if it is the live session and used recently; use refreshes it. */
  checkSid(sid: string | null): AuthResult {
    const now = this.options.clock();
    if (!this.session || sid === null || !sameText(sid, this.session.sid)) return { ok: false, reason: 'session-expired' };
    if (now - this.session.lastUsed > this.options.sessionIdleMs) {
      this.session = null;
      return { ok: false, reason: 'session-expired' };
    }
    this.session.lastUsed = now;
    return { ok: true };
  }

  /** Test hook: the session times out now, as if the client had been idle too long. */
  expireSession(): void {
    this.session = null;
  }

  /** Test hook: an administrator unlocks the account. */
  unlock(): void {
    this.lockedUntil = 0;
    this.failedInARow = 0;
  }

  private failedLogin(): { ok: false; reason: AuthRefusal } {
    this.stats.failedLogins += 1;
    this.failedInARow += 1;
    if (this.failedInARow >= this.options.maxFailedLogins) this.lockedUntil = this.options.clock() + this.options.lockMs;
    return { ok: false, reason: 'unauthorized' };
  }

  private succeeded(): void {
    this.stats.logins += 1;
    this.failedInARow = 0;
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
