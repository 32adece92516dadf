// Server values as the agent API sends them, for the UI's pure logic.
import type { AgentWithPresence, CallView, HealthReport, LegView, MissedCallView, ServerMessage, ServerMessageOf } from '../../../../src/desktop/renderer/api/types';

export { callView } from '../../protocol/fixtures';

export function leg(overrides: Partial<LegView> = {}): LegView {
  return {
    id: 1, mac: '000B82000001', agent: 'alice', state: 'ringing', transfer: false, transferredFrom: null,
    ringAt: 1_000, answeredAt: null, endedAt: null, holdMs: 0, ...overrides,
  };
}

export function missed(overrides: Partial<MissedCallView> = {}): MissedCallView {
  return {
    callId: 'c1', account: 'default', remote: '+4420555000', remoteName: 'Customer', line: 'direct', helpline: null,
    at: 5_000, status: 'open', owner: null, claimedAt: null, closedAt: null, closedBy: null, targets: ['alice'], contact: null,
    ...overrides,
  };
}

export function agent(id: string, devices: string[] = [], presence: AgentWithPresence['presence'] = 'offline'): AgentWithPresence {
  return { id, account: 'default', name: id[0]!.toUpperCase() + id.slice(1), extension: null, devices, helplines: [], supervisor: false, admin: false, presence };
}

export function health(overrides: Partial<HealthReport> = {}): HealthReport {
  return {
    status: 'ok', listener: 'up', redis: 'embedded', rabbitmq: 'embedded', spoolDepth: 0,
    phone: { state: 'none', phones: 0, registered: 0, signedOff: 0, unreachable: 0 }, ...overrides,
  };
}

const envelope = { at: 10_000, account: 'default' };

export function ringing(call: CallView, extra: Partial<ServerMessageOf<'call.ringing'>> = {}): ServerMessageOf<'call.ringing'> {
  return { ...envelope, type: 'call.ringing', call, card: null, transferredFrom: null, transferredFromName: null, ...extra };
}

export function message<T extends ServerMessage['type']>(type: T, fields: Omit<ServerMessageOf<T>, 'type' | 'at' | 'account'>): ServerMessageOf<T> {
  return { ...envelope, type, ...fields } as ServerMessageOf<T>;
}
