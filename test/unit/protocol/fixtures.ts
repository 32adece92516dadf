// Protocol values as the server sends them (src/protocol), for the tests of the protocol and of its
// readers in the Electron shell.
import type { ServerMessage, ServerMessageOf } from '../../../src/protocol/messages';
import type { CallView, MissedCallView } from '../../../src/protocol/views';

export function callView(overrides: Partial<CallView> = {}): CallView {
  return {
    id: 'c1', account: 'default', direction: 'in', remote: '+4420555000', remoteName: 'Customer', local: '201',
    line: 'direct', helpline: null, agent: null, device: null, status: 'ringing', startedAt: 1_000, answeredAt: null,
    endedAt: null, ringMs: null, talkMs: null, holdMs: 0, parentId: null, transferredFrom: null, rejectedBy: null,
    legs: [], contact: null, ...overrides,
  };
}

export function missedCall(overrides: Partial<MissedCallView> = {}): MissedCallView {
  return {
    callId: 'c1', account: 'default', remote: '+4420555000', remoteName: 'Customer', line: 'direct', helpline: null,
    at: 5_000, status: 'open', owner: null, claimedAt: null, closedAt: null, closedBy: null, targets: ['alice'], contact: null,
    ...overrides,
  };
}

const envelope = { at: 10_000, account: 'default' };

/** A server message of `type` with the envelope filled in. */
export function message<T extends ServerMessage['type']>(type: T, fields: Omit<ServerMessageOf<T>, 'type' | 'at' | 'account'>, at = envelope.at): ServerMessageOf<T> {
  return { ...envelope, at, type, ...fields } as ServerMessageOf<T>;
}

export function ringing(call: CallView, extra: Partial<ServerMessageOf<'call.ringing'>> = {}): ServerMessageOf<'call.ringing'> {
  return { ...envelope, type: 'call.ringing', call, card: null, transferredFrom: null, transferredFromName: null, ...extra };
}
