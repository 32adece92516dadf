import type { PhoneErrorCode } from '../../protocol/views';
import { CodedError } from '../../shared/errors';

/** Why driving a phone failed: a code a person can act on (defined, with what each means, in src/protocol). */
export type { PhoneErrorCode };

export class PhoneError extends CodedError<PhoneErrorCode> {}
