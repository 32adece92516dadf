export type CallLogErrorCode = 'bad_cursor';

/** A rejected call-log request; `code` is stable and safe to map to an API error (400). */
export class CallLogError extends Error {
  readonly code: CallLogErrorCode;

  constructor(code: CallLogErrorCode, message: string) {
    super(message);
    this.name = 'CallLogError';
    this.code = code;
  }
}
