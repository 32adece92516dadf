/** A rejected operation of an adapter, with a stable `code` the API maps to a 4xx answer. */
export class CodedError<Code extends string> extends Error {
  constructor(readonly code: Code, message: string) {
    super(message);
    this.name = new.target.name;
  }
}
