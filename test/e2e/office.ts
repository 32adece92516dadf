// The office the browser tests play in: a real Ringside in this process with Alice and Bob (the
// simulator's cast, with their phones) on the helpline 5000, and its admin API and phone webhooks
// as one-line steps that fail the test unless they answer 200.
import { expect } from 'vitest';
import { ALICE, BOB } from '../../tools/simulator/cast';
import { startTestRingside, type TestRingside } from '../support/ringside';

export const HELPLINE = '5000';

export interface UiOffice {
  ringside: TestRingside;
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** One phone event, acknowledged by the listener. */
  phone(event: string, params: Record<string, string>): Promise<void>;
}

export async function startUiOffice(options: { missedDelayMs: number }): Promise<UiOffice> {
  const ringside = await startTestRingside({ missedDelayMs: options.missedDelayMs });
  const office: UiOffice = {
    ringside,
    async admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await ringside.api<T>(method, path, { body });
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(200);
      return res.body;
    },
    async phone(event, params) {
      const res = await ringside.phone(event, params);
      expect(res.status, `${event}: ${JSON.stringify(res.body)}`).toBe(200);
    },
  };
  await office.admin('POST', '/api/agents', { id: ALICE.id, name: 'Alice', extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
  await office.admin('POST', '/api/agents', { id: BOB.id, name: 'Bob', extension: BOB.phone.extension, devices: [BOB.phone.mac] });
  await office.admin('POST', '/api/helplines', { number: HELPLINE, name: 'Support', agents: [ALICE.id, BOB.id] });
  return office;
}
