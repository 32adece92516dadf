import { ulid } from 'ulid';
import type { CallEvent } from '../../src/domain/events/CallEvent';

/** A well-formed bus event; `remote` (with `account`) is its ordering key. */
export function callEvent(overrides: Partial<CallEvent> = {}): CallEvent {
  return {
    id: ulid(),
    account: 'acme',
    type: 'incoming',
    receivedAt: Date.now(),
    device: { mac: '000B82000001', ip: '10.0.0.21' },
    callId: null,
    local: '201',
    remote: '5551000',
    displayRemote: '',
    activeUser: '',
    transferKind: null,
    raw: {},
    ...overrides,
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Settles to true when `promise` settled before every already-queued callback ran (one macrotask turn). */
export async function settledWithinATurn(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => { settled = true; }, () => { settled = true; });
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}
