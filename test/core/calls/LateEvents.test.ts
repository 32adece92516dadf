import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedCallStateStore } from '../../../src/core/callstate/EmbeddedCallStateStore';
import { CallLifecycle } from '../../../src/core/calls/CallLifecycle';
import { MissedCallSweeper } from '../../../src/core/calls/MissedCallSweeper';
import type { CallView } from '../../../src/core/calllog/CallLog';
import { SqliteCallLog } from '../../../src/core/calllog/SqliteCallLog';
import { SqliteDirectory, contactHooksFor } from '../../../src/core/directory/SqliteDirectory';
import type { CallEvent, CallEventType } from '../../../src/core/events/CallEvent';
import { PresenceService } from '../../../src/core/presence/PresenceService';
import { InProcessPushHub } from '../../../src/core/push/PushHub';
import { createLogger } from '../../../src/core/shared/logger';
import { openDatabase, type SqliteDatabase } from '../../../src/core/shared/sqlite';
import { makeTempDir } from '../../support/tmp';

const ACCOUNT = 'default';
const MAC_A = '000B8200000A';
const MAC_B = '000B8200000B';
const REMOTE = '+923005555555';
const DELAY = 5000;
/** How long the seats' backlogs were held up (a RabbitMQ outage): events are handled this long after they happened. */
const OUTAGE = 60_000;

interface Pushed {
  type: string;
  agent: string;
  outcome?: string;
  missed?: { callId: string; status: string; closedBy: string | null };
}

/**
 * Events of one ring-group call reach the handlers in the order the seats relayed them, not the
 * order they happened: phone A (Alice, seat X) and phone B (Bob, seat Y) ring for one caller, and
 * seat X's backlog is handled before seat Y's. Every event keeps its own time (receivedAt, when the
 * phone's request was accepted); `now` is when the handlers run.
 */
describe('CallLifecycle: late events of a ring-group call (seats relay them out of order)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let db: SqliteDatabase;
  let state: EmbeddedCallStateStore;
  let log: SqliteCallLog;
  let missed: MissedCallSweeper;
  let lifecycle: CallLifecycle;
  let now: number;
  /** When the call began (phone A rang). */
  let t0: number;
  const pushed: Pushed[] = [];
  let seq = 0;

  function event(type: CallEventType, mac: string, at: number): CallEvent {
    seq += 1;
    return {
      id: `01LATE${String(seq).padStart(20, '0')}`, account: ACCOUNT, type, receivedAt: at, device: { mac, ip: null },
      callId: null, local: '', remote: REMOTE, displayRemote: '', activeUser: '', transferKind: null, raw: {},
    };
  }

  /** One seat's backlog, handled now: each step is [event, phone, seconds after t0 it happened]. */
  async function backlog(...steps: Array<[CallEventType, string, number]>): Promise<void> {
    for (const [type, mac, second] of steps) await lifecycle.handle(event(type, mac, t0 + second * 1000));
  }

  async function onlyCall(): Promise<CallView> {
    const { items } = await log.listCalls(ACCOUNT, { remote: REMOTE });
    expect(items.map((c) => c.id)).toHaveLength(1);
    return items[0]!;
  }

  const legsOf = (call: CallView) => call.legs.map((l) => [l.mac, l.state]).sort();
  const sent = (type: string, agent?: string) => pushed.filter((m) => m.type === type && (agent === undefined || m.agent === agent));

  beforeEach(async () => {
    temp = makeTempDir();
    t0 = Date.now() - OUTAGE;
    now = Date.now();
    db = openDatabase(join(temp.dir, 'ringside.db'));
    const directory = new SqliteDirectory(db);
    log = new SqliteCallLog(db, contactHooksFor(directory));
    await directory.upsertAgent(ACCOUNT, { id: 'alice', name: 'Alice', extension: '201', devices: [MAC_A] });
    await directory.upsertAgent(ACCOUNT, { id: 'bob', name: 'Bob', extension: '202', devices: [MAC_B] });
    const push = new InProcessPushHub();
    for (const agent of ['alice', 'bob']) {
      push.register({ id: `ui-${agent}`, account: ACCOUNT, agent, send: (data) => pushed.push({ ...(JSON.parse(data) as Pushed), agent }) });
    }
    pushed.length = 0;
    state = EmbeddedCallStateStore.open(join(temp.dir, 'state.db'));
    const clock = () => now;
    const logger = createLogger({ level: 'silent' });
    const presence = new PresenceService({ state, log, directory, push, clock });
    missed = new MissedCallSweeper({ state, log, push, logger, clock, delayMs: DELAY });
    lifecycle = new CallLifecycle({ state, log, directory, push, presence, missed, logger, clock, config: { seatAgent: null, transferWindowMs: 120_000 } });
  });

  afterEach(async () => {
    await missed.stop();
    await state.close();
    db.close();
    temp.cleanup();
  });

  it('nobody answers: one call with both legs, and one missed call only after the grace counted from when the end was handled', async () => {
    await backlog(['incoming', MAC_A, 0], ['missed', MAC_A, 20]);
    // The end happened a minute ago; its grace runs from now, so the other seat's events can come.
    await missed.sweep();
    expect(await log.listMissed(ACCOUNT, {})).toEqual([]);
    now += 1000;
    await backlog(['incoming', MAC_B, 1], ['missed', MAC_B, 21]);
    now += DELAY;
    await missed.sweep();

    const call = await onlyCall();
    expect(call.status).toBe('missed');
    expect(legsOf(call)).toEqual([[MAC_A, 'missed'], [MAC_B, 'missed']]);
    expect((await log.listMissed(ACCOUNT, {})).map((m) => [m.callId, m.targets.sort()])).toEqual([[call.id, ['alice', 'bob']]]);
    expect(sent('call.missed').map((m) => m.agent).sort()).toEqual(['alice', 'bob']);
  });

  it('the late phone answers: one call answered by its agent, no missed call', async () => {
    await backlog(['incoming', MAC_A, 0], ['missed', MAC_A, 5]);
    now += 1000;
    await backlog(['incoming', MAC_B, 1], ['answered', MAC_B, 6], ['hangup', MAC_B, 40]);
    now += DELAY + 1;
    await missed.sweep();

    const call = await onlyCall();
    expect(call).toMatchObject({ status: 'answered', agent: 'bob', answeredAt: t0 + 6000, endedAt: t0 + 40_000, talkMs: 34_000 });
    expect(legsOf(call)).toEqual([[MAC_A, 'missed'], [MAC_B, 'ended']]);
    expect(await log.listMissed(ACCOUNT, {})).toEqual([]);
    expect(sent('call.missed')).toEqual([]);
    expect(sent('call.answered', 'bob')).toHaveLength(1);
  });

  it('the late phone answers after the grace: the missed call already raised is closed as answered by its agent', async () => {
    await backlog(['incoming', MAC_A, 0], ['missed', MAC_A, 5]);
    now += DELAY + 1;
    await missed.sweep();
    const raised = await onlyCall();
    expect(raised.status).toBe('missed');
    expect(sent('call.missed').map((m) => m.agent)).toEqual(['alice']);

    await backlog(['incoming', MAC_B, 1], ['answered', MAC_B, 6]);
    expect(await onlyCall()).toMatchObject({ id: raised.id, status: 'in_progress', agent: 'bob', endedAt: null });
    await backlog(['hangup', MAC_B, 40]);
    now += DELAY + 1;
    await missed.sweep();

    const call = await onlyCall();
    expect(call).toMatchObject({ id: raised.id, status: 'answered', agent: 'bob', answeredAt: t0 + 6000, endedAt: t0 + 40_000 });
    expect(legsOf(call)).toEqual([[MAC_A, 'missed'], [MAC_B, 'ended']]);
    expect(await log.listMissed(ACCOUNT, {})).toEqual([expect.objectContaining({ callId: call.id, status: 'closed', closedBy: 'bob' })]);
    expect(sent('missed.claimed').map((m) => m.missed)).toContainEqual(expect.objectContaining({ callId: call.id, status: 'closed', closedBy: 'bob' }));
    expect(sent('call.missed')).toHaveLength(1);
    const stats = Object.fromEntries((await log.stats(ACCOUNT, {})).map((s) => [s.agent, [s.answered, s.missed]]));
    expect(stats).toEqual({ alice: [0, 0], bob: [1, 0] });
  });

  it('an answered call that is over: the late phone is recorded on it without a popup, and nothing is missed', async () => {
    await backlog(['incoming', MAC_A, 0], ['answered', MAC_A, 3], ['hangup', MAC_A, 30]);
    const answered = await onlyCall();
    now += 1000;
    await backlog(['incoming', MAC_B, 1], ['missed', MAC_B, 3]);
    now += DELAY + 1;
    await missed.sweep();

    const call = await onlyCall();
    expect(call).toMatchObject({ id: answered.id, status: 'answered', agent: 'alice', endedAt: answered.endedAt, talkMs: answered.talkMs });
    expect(legsOf(call)).toEqual([[MAC_A, 'ended'], [MAC_B, 'missed']]);
    expect(sent('call.ringing', 'bob')).toEqual([]);
    expect(await log.listMissed(ACCOUNT, {})).toEqual([]);
    expect(sent('call.missed')).toEqual([]);
  });

  it('while the late phone still rings, the missed call waits; it comes once the call is over again', async () => {
    await backlog(['incoming', MAC_A, 0], ['missed', MAC_A, 5]);
    now += 1000;
    await backlog(['incoming', MAC_B, 1]);
    now += DELAY;
    await missed.sweep();
    expect(await log.listMissed(ACCOUNT, {})).toEqual([]);
    expect((await onlyCall()).status).toBe('ringing');

    await backlog(['missed', MAC_B, 9]);
    now += DELAY + 1;
    await missed.sweep();
    const call = await onlyCall();
    expect(call.status).toBe('missed');
    expect(legsOf(call)).toEqual([[MAC_A, 'missed'], [MAC_B, 'missed']]);
    expect(await log.listMissed(ACCOUNT, {})).toHaveLength(1);
    expect(sent('call.missed').map((m) => m.agent).sort()).toEqual(['alice', 'bob']);
  });
});
