import { CodedError } from '../../shared/errors';

export type CallLogErrorCode = 'bad_cursor';

/** A rejected call-log request (400). */
export class CallLogError extends CodedError<CallLogErrorCode> {}
