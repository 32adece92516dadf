import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MissedCallSweeper } from '../../../../src/domain/calls/MissedCallSweeper';
import { createLogger } from '../../../../src/shared/logger';
import { Inbox } from '../../../support/wait';
import { ACCOUNT, DELAY, MAC_A, createRig, type Pushed, type Rig } from './lifecycleRig';

/**
 * The sweeper wakes for the missed calls this process queued, at their due times, and not
 * otherwise (docs/architecture.md, Idle): no polling, so each missed call must come from a timer
 * armed for it. The timers are vitest's (only they: the rig's clock is moved with them), and no
 * sweep is asked for by hand.
 */
describe('MissedCallSweeper: timers armed for the due missed calls', () => {
  let rig: Rig;
  let missed: Inbox<Pushed>;

  beforeEach(async () => {
    rig = await createRig({ idPrefix: '01SWEEP', remote: '+923001111111', agents: ['alice'] });
    missed = new Inbox('call.missed pushes');
    rig.push.register({ id: 'watch', account: ACCOUNT, agent: 'alice', send: (data) => {
      const message = JSON.parse(data) as Pushed;
      if (message.type === 'call.missed') missed.push(message);
    } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  });

  afterEach(async () => {
    vi.useRealTimers();
    await rig.close();
  });

  /** Moves the rig's clock and vitest's timers together. */
  async function advance(ms: number): Promise<void> {
    rig.now += ms;
    await vi.advanceTimersByTimeAsync(ms);
  }

  /** A caller rings phone A and gives up: the call is queued as a missed call, due DELAY from now. */
  async function unansweredCall(remote: string): Promise<string> {
    await rig.lifecycle.handle(rig.event('incoming', MAC_A, { remote }));
    await rig.lifecycle.handle(rig.event('missed', MAC_A, { remote }));
    const [call] = await rig.calls(remote);
    return call!.id;
  }

  it('raises each missed call at its own due time: a call queued later does not push an earlier one back', async () => {
    const first = await unansweredCall('+923002222222');
    await advance(2_000);
    const second = await unansweredCall('+923003333333');

    await advance(DELAY - 2_000 + 1);
    expect((await missed.next((m) => m.call?.id === first, 'the first missed call')).call?.id).toBe(first);
    expect(rig.sent('call.missed').map((m) => m.call?.id)).toEqual([first]);

    await advance(2_000 + 1);
    expect((await missed.next((m) => m.call?.id === second, 'the second missed call')).call?.id).toBe(second);
  });

  it('after a restart, raises the missed calls queued before it once they are due, then stops looking', async () => {
    const call = await unansweredCall('+923004444444');
    await rig.missed.stop();
    // A new process over the same call state: only start() knows the queue holds anything.
    const restarted = new MissedCallSweeper({
      state: rig.state, log: rig.log, push: rig.push, logger: createLogger({ level: 'silent' }), clock: () => rig.now, delayMs: DELAY, safetyNetMs: 3_600_000,
    });
    Object.assign(rig, { missed: restarted });
    restarted.start();
    await advance(DELAY + 1);
    expect((await missed.next((m) => m.call?.id === call, 'the missed call queued before the restart')).call?.id).toBe(call);

    // Nothing pending any more: the sweeper does not look again (its safety net is an hour here).
    const looks = vi.spyOn(rig.state, 'accountsWithMissedCalls');
    await advance(60_000);
    expect(looks).not.toHaveBeenCalled();
  });
});
