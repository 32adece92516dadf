import { CodedError } from '../../shared/errors';

export type DirectoryErrorCode =
  | 'unknown_agent'
  | 'unknown_device'
  | 'extension_taken'
  /** An agent's extension and a helpline number would be the same number (rules.ts); 409. */
  | 'extension_is_helpline'
  | 'invalid_mac'
  | 'invalid_input'
  | 'bad_csv'
  | 'too_many_rows'
  /** Shared mode: Redis is unreachable, so a change could not be made visible to every process (503). */
  | 'unavailable';

/** A rejected directory operation; `code` is stable and safe to map to an API error. */
export class DirectoryError extends CodedError<DirectoryErrorCode> {}
