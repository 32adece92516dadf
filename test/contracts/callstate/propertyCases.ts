import fc from 'fast-check';
import { ulid } from 'ulid';
import { expect, it } from 'vitest';
import type { LegState, RingingInput, RingingResult } from '../../../src/domain/callstate/CallStateStore';
import type { CallStateContext } from '../callStateStoreContract';
import { ringInput } from './helpers';

const DEVICES = ['000B82000001', '000B82000002', '000B82000003', '000B82000004'];
const REMOTE = '+15550200';

type Op =
  | { op: 'ring'; device: number }
  | { op: 'answer'; device: number }
  | { op: 'end'; device: number; outcome: 'hangup' | 'missed' | 'rejected' }
  | { op: 'redeliver'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('ring' as const), device: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constant('answer' as const), device: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constant('end' as const), device: fc.integer({ min: 0, max: 3 }), outcome: fc.constantFrom('hangup' as const, 'missed' as const, 'rejected' as const) }),
  fc.record({ op: fc.constant('redeliver' as const), pick: fc.nat() }),
);

/** The reference model of one remote's logical call (no transfers): docs/call-lifecycle.md, Ringing, Answered and Rejected. */
interface ModelCall {
  callId: string;
  legs: Map<string, LegState>;
  reported: Set<string>;
  owner: string | null;
}

function modelCallOver(call: ModelCall): boolean {
  const states = [...call.legs.values()];
  if (!states.some((s) => s !== 'ended')) return true;
  return call.owner !== null && call.legs.get(call.owner) === 'ended';
}

export function propertyCases({ store, t0 }: CallStateContext): void {
  it('any interleaving of ringing/answered/legEnded: one claim, one call id per ring group, callEnded once per call', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const s = store();
        const account = `prop-${ulid()}`;
        let now = t0();
        let live: ModelCall | null = null;
        let lastEnded: string | null = null;
        const endedCount = new Map<string, number>();
        const rings: Array<{ input: RingingInput; result: RingingResult }> = [];

        for (const op of ops) {
          now += 1_000;
          if (op.op === 'ring' || op.op === 'redeliver') {
            const redelivery = op.op === 'redeliver' ? rings[op.pick % Math.max(1, rings.length)] : undefined;
            if (op.op === 'redeliver' && !redelivery) continue;
            const input = redelivery ? { ...redelivery.input, now } : ringInput({ remote: REMOTE, mac: DEVICES[op.op === 'ring' ? op.device : 0]!, now });
            const result = await s.ringing(account, input);
            if (redelivery) {
              expect(result).toEqual(redelivery.result);
              continue;
            }
            const mac = input.mac;
            if (live && live.reported.has(mac)) {
              expect(result).toEqual({ kind: 'duplicate', callId: live.callId });
            } else if (live) {
              expect(result).toMatchObject({ kind: 'joined', callId: live.callId });
            } else {
              expect(result).toMatchObject({ kind: 'new', callId: input.candidateCallId });
              live = { callId: input.candidateCallId, legs: new Map(), reported: new Set(), owner: null };
            }
            if (result.kind !== 'duplicate') {
              live.reported.add(mac);
              if (live.legs.get(mac) !== 'answered') live.legs.set(mac, 'ringing');
            }
            rings.push({ input, result });
          } else if (op.op === 'answer') {
            const mac = DEVICES[op.device]!;
            const result = await s.answered(account, { remote: REMOTE, mac, eventId: ulid(), now });
            if (!live) {
              expect(result).toBeNull();
              continue;
            }
            const owner = live.owner === null || live.owner === mac;
            live.owner ??= mac;
            live.legs.set(mac, 'answered');
            expect(result).toMatchObject({ callId: live.callId, owner, answeredBy: live.owner });
          } else {
            const mac = DEVICES[op.device]!;
            const result = await s.legEnded(account, { remote: REMOTE, mac, outcome: op.outcome, now });
            if (!live) {
              if (lastEnded === null) expect(result).toBeNull();
              else expect(result).toMatchObject({ callId: lastEnded, late: true, callEnded: false });
              continue;
            }
            const leg = live.legs.get(mac);
            let ended = false;
            if (leg !== undefined && leg !== 'ended') {
              live.legs.set(mac, 'ended');
              ended = modelCallOver(live);
            }
            expect(result).toMatchObject({ callId: live.callId, callEnded: ended, late: false, answered: live.owner !== null });
            if (result!.callEnded) {
              endedCount.set(live.callId, (endedCount.get(live.callId) ?? 0) + 1);
              lastEnded = live.callId;
              live = null;
            }
          }
          // At most one claim, and it is the model's call.
          const active = await s.getActiveCall(account, REMOTE);
          expect(active?.callId ?? null).toBe(live?.callId ?? null);
          if (live && active) expect(new Set(Object.keys(active.legs))).toEqual(new Set(live.legs.keys()));
        }
        expect([...endedCount.values()].every((n) => n === 1)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
}
