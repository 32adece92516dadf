import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallView } from '../../../../src/domain/calllog/CallLog';
import { ACCOUNT, DELAY, MAC_A, createRig, type Rig } from './lifecycleRig';

const REMOTE = '+923005555555';
/** Past the grace delay and the reaper's margin for the sweeper, far short of a claim's lifetime (TTL_MS.ring). */
const OVERDUE = DELAY + 6_000;

/**
 * Found by `npm run chaos` (Redis kill -9 under load): an unanswered call whose legs had all
 * ended was waiting for its grace delay in the missed-call queue when the call state was lost
 * with Redis. Nothing raised it until the stale-call reaper took it, 5 to 6 minutes later; until
 * then the call log showed it "ringing" and no one got call.missed. The reaper now finishes such
 * a call as soon as its grace delay is over.
 */
describe('StaleCallReaper: an ended unanswered call whose queued missed call went with the call state', () => {
  let rig: Rig;

  async function onlyCall(): Promise<CallView> {
    const items = await rig.calls();
    expect(items).toHaveLength(1);
    return items[0]!;
  }

  /** The ids of the calls pushed to Alice as missed. */
  const missedPushes = () => rig.sent('call.missed').map((m) => m.call!.id);

  beforeEach(async () => {
    rig = await createRig({ idPrefix: '01REAPER', remote: REMOTE, agents: ['alice'] });
  });

  afterEach(() => rig.close());

  it('is raised as one missed call once its grace delay is over, not once a claim would have expired', async () => {
    await rig.phone(['incoming', MAC_A], ['missed', MAC_A]);
    await rig.loseCallState();
    expect((await onlyCall()).status).toBe('ringing');

    rig.now += OVERDUE;
    expect(await rig.reaper.reap(ACCOUNT)).toBe(1);
    await rig.missed.sweep();

    const call = await onlyCall();
    expect(call.status).toBe('missed');
    expect((await rig.log.listMissed(ACCOUNT, {})).map((m) => m.callId)).toEqual([call.id]);
    expect(missedPushes()).toEqual([call.id]);
    // Done: later passes find nothing to do.
    rig.now += OVERDUE;
    expect(await rig.reaper.reap(ACCOUNT)).toBe(0);
  });

  it('is left to the queue while its grace delay runs, and raised once either way', async () => {
    await rig.phone(['incoming', MAC_A], ['hangup', MAC_A]);
    rig.now += DELAY / 2;
    expect(await rig.reaper.reap(ACCOUNT)).toBe(0);

    rig.now += DELAY;
    await rig.missed.sweep();
    rig.now += OVERDUE;
    expect(await rig.reaper.reap(ACCOUNT)).toBe(0);
    expect((await onlyCall()).status).toBe('missed');
    expect(missedPushes()).toHaveLength(1);
  });

  it('leaves an answered call alone: its end comes from its own hangup, not from the queue', async () => {
    // After a transfer the transferring leg has ended in the log while the agent may still be
    // talking (an attended transfer): only the hangup says when the call ended.
    await rig.phone(['incoming', MAC_A], ['answered', MAC_A], ['transfer', MAC_A]);
    await rig.loseCallState();
    rig.now += OVERDUE;
    expect(await rig.reaper.reap(ACCOUNT)).toBe(0);
    expect((await onlyCall()).status).toBe('in_progress');
  });
});
