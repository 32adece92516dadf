import { describe, expect, it } from 'vitest';
import type { CallLog } from '../../../../src/domain/calllog/CallLog';
import type { CallStateStore } from '../../../../src/domain/callstate/CallStateStore';
import type { Directory } from '../../../../src/domain/directory/Directory';
import { PASS_SPACING_MS, PresenceService } from '../../../../src/domain/presence/PresenceService';
import type { PushHub, ServerMessage } from '../../../../src/domain/push/PushHub';

/** A presence service over stand-ins that count its passes (each reads the call state once, after `gate` if given). */
function counted(gate?: Promise<void>) {
  const counts = { passes: 0 };
  const facts = { onCall: [] as string[] };
  const pushed: ServerMessage[] = [];
  const state = {
    presenceInputs: async () => {
      counts.passes++;
      await gate;
      return { sessions: [{ agent: 'alice', socketId: 's1', expiresAt: Number.MAX_SAFE_INTEGER }], records: [] };
    },
  } as unknown as CallStateStore;
  const log = { agentsOnCall: async () => [...facts.onCall] } as unknown as CallLog;
  const directory = { listAgents: async () => [{ id: 'alice', name: 'Alice' }] } as unknown as Directory;
  const push = { toAccount: (_account: string, message: ServerMessage) => pushed.push(message) } as unknown as PushHub;
  const presence = new PresenceService({ state, log, directory, push, clock: Date.now });
  return { presence, counts, facts, pushed };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('PresenceService.schedulePublish', () => {
  it("runs a lone event's pass at once, and spaces the passes of a burst of events, the last one seeing the last change", async () => {
    const { presence, counts, facts, pushed } = counted();
    await presence.schedulePublish('acme');
    expect(counts.passes).toBe(1);
    expect(pushed.at(-1)).toMatchObject({ type: 'presence.changed', agent: 'alice', status: 'available' });

    // Twenty events, each in a turn of its own, alice's call going up and down.
    const started = performance.now();
    const passes: Array<Promise<void>> = [];
    for (let i = 0; i < 20; i++) {
      facts.onCall = i % 2 === 0 ? ['alice'] : [];
      passes.push(presence.schedulePublish('acme'));
      await nextTurn();
    }
    facts.onCall = ['alice'];
    await Promise.all(passes);
    const elapsed = performance.now() - started;
    // One pass per turn would be 20; spaced, at most one per PASS_SPACING_MS of the burst and the trailing one.
    expect(counts.passes - 1).toBeLessThanOrEqual(1 + Math.floor(elapsed / PASS_SPACING_MS));
    expect(pushed.at(-1)).toMatchObject({ agent: 'alice', status: 'on_call' });
  });

  it('after stop(), runs no pass scheduled before it, and stop() waits for the pass under way', async () => {
    const { presence, counts } = counted();
    await presence.schedulePublish('acme');
    // The next pass of a burst is spaced: scheduled now, it would run PASS_SPACING_MS after the first.
    const spaced = presence.schedulePublish('acme');
    await presence.stop();
    await spaced;
    expect(counts.passes).toBe(1);

    // A pass already under way (reading the call state) when stop() is called: stop() ends after it.
    let open!: () => void;
    const { presence: busy, counts: busyCounts, pushed } = counted(new Promise<void>((resolve) => (open = resolve)));
    void busy.schedulePublish('acme');
    while (busyCounts.passes === 0) await nextTurn();
    const stopped = busy.stop();
    await nextTurn();
    expect(pushed).toEqual([]);
    open();
    await stopped;
    // The pass ended (its push sent) before stop() resolved.
    expect(pushed).toHaveLength(1);
  });
});
