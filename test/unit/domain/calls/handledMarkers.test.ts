// Handled markers are kept for the redelivery window (HANDLED_EVENT_WINDOW_MS) from their handling,
// not for the call retention: an event redelivered within the window is still recognised and
// handled once; after it the marker is gone (docs/call-lifecycle.md, Ordering, duplicates and late events).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCallLog } from '../../../../src/adapters/sqlite/calllog/SqliteCallLog';
import { HANDLED_EVENT_WINDOW_MS } from '../../../../src/domain/bus/HandledEventLedger';
import { handledMarker } from '../../../../src/domain/calls/CallLifecycle';
import type { HandledMarkWrites } from '../../../../src/domain/calls/HandledMarks';
import { MAC_A as MAC, createRig, type Rig } from './lifecycleRig';
import { eventually } from '../../../support/wait';

const DAY = 24 * 60 * 60_000;
const REMOTE = '+923004444444';

describe('handled markers and the redelivery window', () => {
  let rig: Rig;

  beforeEach(async () => {
    // The call log stamps its markers with the handlers' clock, which the test moves.
    rig = await createRig({
      idPrefix: '01MARK', remote: REMOTE, local: '201', agents: ['alice'],
      callLog: (db, hooks) => new SqliteCallLog(db, { ...hooks, clock: () => rig.now }),
    });
  });
  afterEach(() => rig.close());

  it('an event redelivered six days after its handling is recognised and not handled again; two days later its marker is pruned', async () => {
    const ringing = rig.event('incoming', MAC);
    await rig.lifecycle.handle(ringing);
    rig.now += 1000;
    await rig.lifecycle.handle(rig.event('hangup', MAC));
    expect(rig.sent('call.ringing', 'alice')).toHaveLength(1);
    // Written with their handling (HandledMarks writes within 20 ms), before the test moves the clock on by days.
    await rig.lifecycle.flushHandledMarks();

    rig.now += HANDLED_EVENT_WINDOW_MS - DAY;
    expect(await rig.log.pruneHandledMarkers(rig.now - HANDLED_EVENT_WINDOW_MS)).toBe(0);
    await rig.lifecycle.handle(ringing);
    expect(rig.sent('call.ringing', 'alice')).toHaveLength(1);
    expect(await rig.calls()).toHaveLength(1);

    rig.now += 2 * DAY;
    expect(await rig.log.pruneHandledMarkers(rig.now - HANDLED_EVENT_WINDOW_MS)).toBeGreaterThan(0);
    expect(await rig.log.hasProcessed(handledMarker(ringing.id))).toBe(false);
    // The call itself stays for the retention.
    expect(await rig.calls()).toHaveLength(1);
  });
});

describe('handled markers and an event\'s first delivery', () => {
  let rig: Rig<CountingCallLog>;

  beforeEach(async () => {
    rig = await countingRig('01FRST');
  });
  afterEach(() => rig.close());

  it('a first delivery is handled without looking for its marker; a later delivery looks, and a handled event is not handled again', async () => {
    const ringing = rig.event('incoming', MAC);
    await rig.lifecycle.handle(ringing, { firstDelivery: true });
    expect(rig.log.markerReads).toBe(0);
    await rig.lifecycle.flushHandledMarks();
    expect(await rig.log.hasProcessed(handledMarker(ringing.id))).toBe(true);
    rig.log.markerReads = 0;
    await rig.lifecycle.handle(ringing, { firstDelivery: false });
    await rig.lifecycle.handle(ringing);
    expect(rig.log.markerReads).toBe(2);
    expect(rig.sent('call.ringing', 'alice')).toHaveLength(1);
  });
});

describe('handled markers written together', () => {
  let rig: Rig<CountingCallLog>;

  beforeEach(async () => {
    rig = await countingRig('01BTCH');
  });
  afterEach(() => rig.close());

  it('the markers of events handled together share one call-log write, and an event whose marker still waits is not handled again', async () => {
    const events = [rig.event('incoming', MAC), rig.event('answered', MAC), rig.event('hangup', MAC)];
    for (const event of events) await rig.lifecycle.handle(event, { firstDelivery: true });
    expect(rig.log.markWrites).toEqual([]);
    // Redelivered before its marker is written: recognised without reading the call log.
    await rig.lifecycle.handle(events[0]!, { firstDelivery: false });
    expect(rig.log.markerReads).toBe(0);
    expect(rig.sent('call.ringing', 'alice')).toHaveLength(1);
    await rig.lifecycle.flushHandledMarks();
    expect(rig.log.markWrites).toEqual([events.map((event) => handledMarker(event.id))]);
    for (const event of events) expect(await rig.log.hasProcessed(handledMarker(event.id))).toBe(true);
  });

  it('awaited (a RabbitMQ consumer): each handler finishes only once its marker is written, with the markers of the handlers that finish beside it', async () => {
    await rig.close();
    rig = await countingRig('01AWTD', 'awaited');
    const callers = ['+923005550001', '+923005550002', '+923005550003'];
    const events = callers.map((remote) => rig.event('incoming', MAC, { remote }));
    await Promise.all(events.map(async (event) => {
      await rig.lifecycle.handle(event, { firstDelivery: true });
      // Acknowledged from here on: the marker is in the call log already.
      expect(await rig.log.hasProcessed(handledMarker(event.id))).toBe(true);
    }));
    expect(rig.log.markWrites.flat().sort()).toEqual(events.map((event) => handledMarker(event.id)).sort());
    expect(rig.log.markWrites.length).toBeLessThan(events.length);
  });

  it('markers are written within a short delay without anyone asking', async () => {
    await rig.lifecycle.handle(rig.event('incoming', MAC), { firstDelivery: true });
    await eventually('the handled marker to be written on its own', () => rig.log.markWrites.length, (writes) => writes === 1);
  });
});

/** Alice's rig on a call log that counts its handled-marker reads and writes. */
function countingRig(idPrefix: string, handledMarks?: HandledMarkWrites): Promise<Rig<CountingCallLog>> {
  return createRig({ idPrefix, remote: REMOTE, local: '201', agents: ['alice'], handledMarks, callLog: (db, hooks) => new CountingCallLog(db, hooks) });
}

/** The SQLite call log, counting the handled-marker reads and writes. */
class CountingCallLog extends SqliteCallLog {
  markerReads = 0;
  /** The markers of each markAllProcessed call. */
  markWrites: string[][] = [];

  override async markAllProcessed(eventIds: readonly string[]): Promise<void> {
    this.markWrites.push([...eventIds]);
    return super.markAllProcessed(eventIds);
  }

  override async hasProcessed(eventId: string): Promise<boolean> {
    this.markerReads++;
    return super.hasProcessed(eventId);
  }
}
