import type { PhoneIdentity } from './SimulatedPhone';

/**
 * The simulated office: two agents at their Grandstream phones and a helpline ringing both. The
 * ids, extensions and numbers are unusual on purpose so they do not collide with a real
 * directory; the MACs carry Grandstream's prefix and the addresses are from TEST-NET-1
 * (192.0.2.0/24), which no real phone has, so nothing Ringside sends them reaches a desk.
 */
export interface SimAgent {
  id: string;
  name: string;
  phone: PhoneIdentity;
  /** An agent already in the directory (the seat's own): the set-up never writes it. */
  inDirectory?: boolean;
}

const MODEL = 'GXP2170';
const FIRMWARE = '1.0.11.23';

export const ALICE: SimAgent = {
  id: 'sim-alice',
  name: 'Alice (simulated)',
  phone: { name: "Alice's phone", mac: '00:0B:82:5E:00:01', ip: '192.0.2.101', extension: '8101', model: MODEL, firmware: FIRMWARE },
};

export const BOB: SimAgent = {
  id: 'sim-bob',
  name: 'Bob (simulated)',
  phone: { name: "Bob's phone", mac: '00:0B:82:5E:00:02', ip: '192.0.2.102', extension: '8102', model: MODEL, firmware: FIRMWARE },
};

export const SIM_HELPLINE = { number: '8100', name: 'Helpline (simulated)' } as const;

/** A caller number no earlier run used, so the call log query shows this run's call only. */
export function newCallerNumber(now: number = Date.now()): string {
  const unique = String(now % 10_000_000).padStart(7, '0');
  return `+3491${unique}`;
}
