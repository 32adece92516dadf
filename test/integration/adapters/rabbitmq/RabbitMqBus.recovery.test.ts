import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Consumer, EventHandler } from '../../../../src/domain/bus/EventBus';
import type { CallEvent } from '../../../../src/domain/events/CallEvent';
import { callEvent } from '../../../contracts/support';
import { droppableConnector, RabbitTestRig, recovery, statusReached } from '../../../support/rabbit';
import { deferred } from '../../../support/wait';

describe('RabbitMqBus redeliveries, reconnects and several consumers', () => {
  let rig: RabbitTestRig;

  beforeEach(() => {
    rig = new RabbitTestRig();
  });
  afterEach(async () => {
    await rig.cleanup();
  });

  it('acks an event whose id is in the ledger without calling the handler', async () => {
    const ledger = rig.openLedger();
    const bus = await rig.openBus({ ledger });
    const handledBefore = callEvent({ remote: '3100' });
    const next = callEvent({ remote: '3100', type: 'hangup' });
    ledger.add(handledBefore.id);
    await bus.publish([handledBefore, next]);
    const seen: string[] = [];
    const consumer = bus.consume(async (event) => { seen.push(event.id); });
    await consumer.drained();
    expect(seen).toEqual([next.id]);
    expect(ledger.has(next.id)).toBe(true);
    expect(await bus.depth()).toBe(0);
    expect(await bus.deadLetters()).toEqual([]);
    await consumer.stop();
  });

  it('rejects a publish left unconfirmed by a dropped connection, reconnects, resumes consuming and delivers later events', async () => {
    const link = droppableConnector();
    const bus = await rig.openBus({ connect: link.connect });
    const seen: string[] = [];
    const later = callEvent({ remote: '3200' });
    const laterArrived = deferred('the later event to arrive');
    const consumer = bus.consume(async (event) => {
      seen.push(event.id);
      if (event.id === later.id) laterArrived.resolve();
    });
    await consumer.drained();

    const recovered = recovery(bus);
    const unconfirmed = bus.publish([callEvent({ remote: '3201' })]);
    link.drop();
    await expect(unconfirmed).rejects.toMatchObject({ name: 'EventBusError', code: expect.stringMatching(/^(publish_unconfirmed|bus_unavailable)$/) });
    expect(await recovered).toEqual(expect.arrayContaining(['down', 'connecting', 'up']));
    expect(bus.status()).toBe('up');

    await bus.publish([later]);
    await laterArrived.wait();
    await consumer.drained();
    expect(seen.filter((id) => id === later.id)).toHaveLength(1);
    expect(await bus.depth()).toBe(0);
    await consumer.stop();
  });

  it('does not run a handler again when its event comes back after the connection dropped before the ack', async () => {
    const link = droppableConnector();
    const ledger = rig.openLedger();
    const bus = await rig.openBus({ connect: link.connect, ledger });
    const first = callEvent({ remote: '3300' });
    const second = callEvent({ remote: '3300', type: 'hangup' });
    await bus.publish([first, second]);
    const started = deferred('the handler of the first event to start');
    const gate = deferred('the gate');
    const runs: string[] = [];
    const consumer = bus.consume(async (event) => {
      runs.push(event.id);
      if (event.id === first.id) {
        started.resolve();
        await gate.promise;
      }
    });
    await started.wait();
    const recovered = recovery(bus);
    link.drop();
    await statusReached(bus, 'down');
    gate.resolve(); // the handler commits while its channel is gone: the ack cannot reach the broker
    await recovered;
    await consumer.drained();
    expect(runs).toEqual([first.id, second.id]);
    expect(await bus.depth()).toBe(0);
    await consumer.stop();
  });

  it('two buses on two connections (two processes) handle every event once, in order per call, across a handover', async () => {
    const [a, b] = [await rig.openBus({ ledger: rig.openLedger('a') }), await rig.openBus({ ledger: rig.openLedger('b') })];
    const remotes = ['5001', '5002', '5003', '5004', '5005'];
    const events = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((n) => remotes.map((remote) => callEvent({ remote, raw: { n: String(n) } })));
    const log: Array<{ bus: 'a' | 'b'; event: CallEvent }> = [];
    // The handover point: A's handler holds a call's second event, so that call's six later events
    // cannot run on A (one event per call at a time) and must be handled by B once A has stopped,
    // however many A holds unacknowledged or has handled meanwhile.
    const handover = deferred("a call's second event held on A (the handover point)");
    const resume = deferred('the gate');
    const allHandled = deferred('every event handled');
    let stoppedA = false;
    let handledByAAfterStop = 0;
    let held: string | null = null;
    const handler = (name: 'a' | 'b'): EventHandler => async (event) => {
      log.push({ bus: name, event });
      if (name === 'a' && stoppedA) handledByAAfterStop++;
      if (name === 'a' && event.raw.n === '1' && held === null) {
        held = event.remote;
        handover.resolve();
        await resume.promise;
      }
      if (log.length === events.length) allHandled.resolve();
    };
    // A subscribes first, so it is the single active consumer of every shard; B waits on each.
    const consumerA: Consumer = a.consume(handler('a'));
    await consumerA.drained();
    const consumerB: Consumer = b.consume(handler('b'));
    await consumerB.drained();

    await a.publish(events);
    await handover.wait();
    const onlyABeforeHandover = log.every((entry) => entry.bus === 'a');
    const stopping = consumerA.stop().then(() => { stoppedA = true; });
    resume.resolve();
    await stopping;
    expect(onlyABeforeHandover).toBe(true);
    await allHandled.wait();
    await consumerB.drained();

    const ids = log.map((entry) => entry.event.id);
    expect(new Set(ids).size).toBe(events.length);
    expect(ids.sort()).toEqual(events.map((e) => e.id).sort());
    for (const remote of remotes) {
      const order = log.filter((entry) => entry.event.remote === remote).map((entry) => entry.event.raw.n);
      expect(order).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    }
    expect(log.filter((entry) => entry.bus === 'b' && entry.event.remote === held).map((entry) => entry.event.raw.n)).toEqual(['2', '3', '4', '5', '6', '7']);
    expect(handledByAAfterStop).toBe(0);
    expect(await b.depth()).toBe(0);
    await consumerB.stop();
  });

  it('a bus that is not the active consumer still sees drained() once the active one handled everything', async () => {
    const [a, b] = [await rig.openBus(), await rig.openBus()];
    const seenByA: string[] = [];
    const consumerA = a.consume(async (event) => { seenByA.push(event.id); });
    await consumerA.drained();
    const consumerB = b.consume(async () => { throw new Error('B is only waiting; it never gets a delivery'); });
    const events = [callEvent({ remote: '6001' }), callEvent({ remote: '6002' })];
    await b.publish(events);
    await consumerB.drained();
    await consumerA.drained();
    expect(seenByA.sort()).toEqual(events.map((e) => e.id).sort());
    expect(await b.deadLetters()).toEqual([]);
    await consumerB.stop();
    await consumerA.stop();
  });
});
