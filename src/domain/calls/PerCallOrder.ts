/**
 * Keeps each call's pushes in the order the handlers made them when one of them has to wait:
 * a `call.ringing` waiting (at most the CRM timeout) for its caller card must not be overtaken by
 * the `call.answered` of the same call, yet it must not hold up the handling of other events
 * either (the consumer goes on; only this call's later pushes queue behind it). A push with
 * nothing of its call waiting goes out at once, synchronously.
 */
export class PerCallOrder {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Sends now when nothing of this call is waiting, else right after what is. */
  run(callId: string, send: () => void): void {
    const tail = this.tails.get(callId);
    if (!tail) {
      send();
      return;
    }
    this.chain(callId, tail.then(send));
  }

  /** Sends once `wait` has settled (it must not reject) and what was queued for the call went out; later pushes wait for it. */
  after<T>(callId: string, wait: Promise<T>, send: (value: T) => void): void {
    const tail = this.tails.get(callId);
    this.chain(callId, (tail ? tail.then(() => wait) : wait).then(send));
  }

  /** Calls with a push waiting (for tests and metrics). */
  get waiting(): number {
    return this.tails.size;
  }

  private chain(callId: string, next: Promise<void>): void {
    const guarded = next.catch(this.onError);
    this.tails.set(callId, guarded);
    void guarded.then(() => {
      if (this.tails.get(callId) === guarded) this.tails.delete(callId);
    });
  }
}
