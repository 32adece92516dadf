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

/** Settles to true when `promise` settled before every already-queued callback ran (one macrotask turn). */
export async function settledWithinATurn(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => { settled = true; }, () => { settled = true; });
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}
