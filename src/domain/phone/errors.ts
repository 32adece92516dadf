import { CodedError } from '../../shared/errors';

/**
 * Why driving a phone failed. Each code names something a person can act on:
 * - `phone_unreachable`: nothing answers at the phone's address (off, unplugged, wrong IP, firewall).
 * - `phone_timeout`: the phone took the connection but did not answer in time.
 * - `phone_bad_credentials`: the phone refused the password (or user name).
 * - `phone_login_paused`: Ringside stopped trying after repeated refusals, before the phone locks the account.
 * - `phone_locked`: the phone has locked the web account after too many failed logins.
 * - `phone_needs_confirmation`: "Remote Control Pop up Window Support" is on; the user must allow it on the phone.
 * - `phone_refused`: the phone understood the command but would not run it (e.g. nothing is ringing).
 * - `phone_bad_answer`: the answer was not the firmware's JSON (not a Grandstream phone, or a proxy page).
 * - `phone_unsupported`: the phone's firmware has no such function (HTTP 404), e.g. no configuration API.
 */
export type PhoneErrorCode =
  | 'phone_unreachable'
  | 'phone_timeout'
  | 'phone_bad_credentials'
  | 'phone_login_paused'
  | 'phone_locked'
  | 'phone_needs_confirmation'
  | 'phone_refused'
  | 'phone_bad_answer'
  | 'phone_unsupported';

export class PhoneError extends CodedError<PhoneErrorCode> {}
