import { PhoneError } from '../../domain/phone/errors';

/** The firmware locks the web account after this many failed logins (reference/grandstream.md). */
export const PHONE_LOCKOUT_AFTER = 5;
/** Ringside stops well short of that, so a wrong password in its settings never locks the phone. */
export const CLIENT_GIVES_UP_AFTER = 2;

/**
 * Counts refused logins in a row. After CLIENT_GIVES_UP_AFTER it refuses to try again until
 * someone resets it (new password saved), because each further try brings the phone's lockout
 * closer and a lockout also shuts out the person at the desk.
 */
export class LoginGuard {
  private failedInARow = 0;

  constructor(private readonly phone: string) {}

  get failures(): number {
    return this.failedInARow;
  }

  assertMayTry(): void {
    if (this.failedInARow < CLIENT_GIVES_UP_AFTER) return;
    throw new PhoneError(
      'phone_login_paused',
      `the phone at ${this.phone} refused the password ${this.failedInARow} times in a row; Ringside stopped trying ` +
        `because the phone locks its web account after ${PHONE_LOCKOUT_AFTER} failed logins. Check the phone's password in the settings, then reset`,
    );
  }

  failed(): PhoneError {
    this.failedInARow += 1;
    const left = CLIENT_GIVES_UP_AFTER - this.failedInARow;
    const next = left > 0 ? `Ringside will try ${left} more time(s), then stop` : 'Ringside stops trying until reset';
    return new PhoneError('phone_bad_credentials', `the phone at ${this.phone} refused the user name or password (${next}; the phone locks after ${PHONE_LOCKOUT_AFTER} failures)`);
  }

  succeeded(): void {
    this.failedInARow = 0;
  }

  reset(): void {
    this.failedInARow = 0;
  }
}
