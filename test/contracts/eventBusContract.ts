import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventBus } from '../../src/domain/bus/EventBus';
import type { CallEvent } from '../../src/domain/events/CallEvent';
import { callEvent, settledWithinATurn } from './support';
import { deferred, eventually } from '../support/wait';

export interface EventBusHarness {
  bus: EventBus;
  /** A new bus on the same storage (the previous one closed or abandoned, as after a crash). */
  reopen: () => Promise<EventBus>;
  /** Closes every bus the harness opened and removes its storage. */
  cleanup: () => Promise<void>;
}

/**
 * The behaviour every EventBus adapter must have (SqliteSpoolBus, RabbitMqBus). Run it
 * unchanged against each adapter. No sleeps: tests wait on drained(), handler promises or
 * gates they open themselves.
 */
export function describeEventBusContract(name: string, factory: () => Promise<EventBusHarness>): void {
  describe(`EventBus contract: ${name}`, () => {
    let harness: EventBusHarness;
    let bus: EventBus;

    beforeEach(async () => {
      harness = await factory();
      bus = harness.bus;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    const ids = (events: readonly CallEvent[]) => events.map((e) => e.id);

    it('delivers every published event to the consumer and drained() waits for all of them', async () => {
      const events = [callEvent({ remote: '1001' }), callEvent({ remote: '1002' }), callEvent({ remote: '1003', type: 'answered' })];
      await bus.publish(events);
      const seen: CallEvent[] = [];
      const consumer = bus.consume(async (event) => { seen.push(event); });
      await consumer.drained();
      expect(ids(seen).sort()).toEqual(ids(events).sort());
      expect(seen.find((e) => e.id === events[2]!.id)).toEqual(events[2]);
      expect(await bus.depth()).toBe(0);
      await consumer.stop();
    });

    it('drained() resolves at once on an empty bus and covers events published after consume started', async () => {
      const seen: string[] = [];
      const consumer = bus.consume(async (event) => { seen.push(event.id); });
      await consumer.drained();
      expect(seen).toEqual([]);
      const later = [callEvent({ remote: '2001' }), callEvent({ remote: '2002' })];
      await bus.publish(later.slice(0, 1));
      await bus.publish(later.slice(1));
      await consumer.drained();
      expect(seen.sort()).toEqual(ids(later).sort());
      await consumer.stop();
    });

    it('drained() does not resolve while a handler is still running', async () => {
      const gate = deferred('the gate');
      const started = deferred('the handler to start');
      let finished = false;
      await bus.publish([callEvent()]);
      const consumer = bus.consume(async () => {
        started.resolve();
        await gate.promise;
        finished = true;
      });
      await started.wait();
      const drained = consumer.drained();
      expect(await settledWithinATurn(drained)).toBe(false);
      gate.resolve();
      await drained;
      expect(finished).toBe(true);
      await consumer.stop();
    });

    it('keeps published events across close and reopen (nothing consumed before the restart)', async () => {
      const events = [callEvent({ remote: '3001' }), callEvent({ remote: '3001', type: 'answered' }), callEvent({ remote: '3002' })];
      await bus.publish(events);
      await bus.close();
      bus = await harness.reopen();
      expect(await bus.depth()).toBe(3);
      const seen: string[] = [];
      const consumer = bus.consume(async (event) => { seen.push(event.id); });
      await consumer.drained();
      expect(seen.sort()).toEqual(ids(events).sort());
      await consumer.stop();
    });

    it('does not deliver handled events again after a reopen', async () => {
      await bus.publish([callEvent(), callEvent({ remote: '4002' })]);
      const first = bus.consume(async () => {});
      await first.drained();
      await first.stop();
      await bus.close();
      bus = await harness.reopen();
      const seen: string[] = [];
      const consumer = bus.consume(async (event) => { seen.push(event.id); });
      await consumer.drained();
      expect(seen).toEqual([]);
      expect(await bus.depth()).toBe(0);
      await consumer.stop();
    });

    it('delivers an event again when its handler threw, and marks it done once the handler succeeds', async () => {
      const event = callEvent();
      await bus.publish([event]);
      const attempts: string[] = [];
      const consumer = bus.consume(async (e) => {
        attempts.push(e.id);
        if (attempts.length === 1) throw new Error('database briefly unavailable');
      }, { retryDelayMs: 1, maxAttempts: 5 });
      await consumer.drained();
      expect(attempts).toEqual([event.id, event.id]);
      expect(await bus.deadLetters()).toEqual([]);
      expect(await bus.depth()).toBe(0);
      await consumer.stop();
    });

    it('handles each ordering key in publish order; a failing event holds up only its own key', async () => {
      const a = [1, 2, 3, 4].map((n) => callEvent({ remote: '5000', type: 'incoming', raw: { n: `a${n}` } }));
      const b = [1, 2, 3, 4].map((n) => callEvent({ remote: '6000', device: { mac: `000B8200000${n}`, ip: null }, raw: { n: `b${n}` } }));
      const published = a.flatMap((event, i) => [event, b[i]!]);
      await bus.publish(published);
      const label = (e: CallEvent) => e.raw.n!;
      const attempts: string[] = [];
      const handled: string[] = [];
      const consumer = bus.consume(async (event) => {
        attempts.push(label(event));
        // a2 keeps failing until every event of the other key has been handled: if key B were
        // held up behind it, a2 would run out of attempts and end up dead.
        if (label(event) === 'a2' && (attempts.filter((x) => x === 'a2').length === 1 || handled.filter((x) => x.startsWith('b')).length < 4)) {
          throw new Error('not yet');
        }
        handled.push(label(event));
      }, { retryDelayMs: 2, maxAttempts: 10 });
      await consumer.drained();
      expect(await bus.deadLetters()).toEqual([]);
      expect(handled.filter((x) => x.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4']);
      expect(handled.filter((x) => x.startsWith('b'))).toEqual(['b1', 'b2', 'b3', 'b4']);
      expect(attempts.filter((x) => x === 'a2').length).toBeGreaterThanOrEqual(2);
      // Nothing of key A after a2 was even attempted before a2 succeeded.
      expect(attempts.indexOf('a3')).toBeGreaterThan(attempts.lastIndexOf('a2'));
      expect(handled.indexOf('b4')).toBeLessThan(handled.indexOf('a2'));
      expect(await bus.depth()).toBe(0);
      await consumer.stop();
    });

    it('sets an event aside as dead after maxAttempts failures; the next event of its key proceeds', async () => {
      const poison = callEvent({ remote: '7000', raw: { poison: '1' } });
      const next = callEvent({ remote: '7000', type: 'hangup' });
      await bus.publish([poison, next]);
      const attempts: string[] = [];
      const consumer = bus.consume(async (event) => {
        attempts.push(event.id);
        if (event.raw.poison) throw new Error('cannot handle this one');
      }, { retryDelayMs: 1, maxAttempts: 3 });
      await consumer.drained();
      expect(attempts).toEqual([poison.id, poison.id, poison.id, next.id]);
      expect(ids(await bus.deadLetters())).toEqual([poison.id]);
      expect((await bus.deadLetters())[0]).toEqual(poison);
      expect(await bus.depth()).toBe(0);
      await consumer.stop();

      await bus.close();
      bus = await harness.reopen();
      const again: string[] = [];
      const second = bus.consume(async (event) => { again.push(event.id); });
      await second.drained();
      expect(again).toEqual([]);
      expect(ids(await bus.deadLetters())).toEqual([poison.id]);
      await second.stop();
    });

    it('delivers an event published twice (same id) only once', async () => {
      const event = callEvent();
      const other = callEvent({ remote: '8001' });
      await Promise.all([bus.publish([event, event]), bus.publish([event, other])]);
      await bus.publish([event]);
      expect(await bus.depth()).toBe(2);
      const seen: string[] = [];
      const consumer = bus.consume(async (e) => { seen.push(e.id); });
      await consumer.drained();
      expect(seen.sort()).toEqual([event.id, other.id].sort());
      await consumer.stop();
    });

    it('depth() counts pending and in-flight events', async () => {
      expect(await bus.depth()).toBe(0);
      const events = [callEvent({ remote: '9000' }), callEvent({ remote: '9000', type: 'answered' }), callEvent({ remote: '9000', type: 'hangup' })];
      await bus.publish(events);
      expect(await bus.depth()).toBe(3);
      const gate = deferred('the gate');
      const started = deferred('the handler to start');
      const consumer = bus.consume(async (event) => {
        if (event.id === events[0]!.id) {
          started.resolve();
          await gate.promise;
        }
      });
      await started.wait();
      expect(await bus.depth()).toBe(3);
      gate.resolve();
      await consumer.drained();
      expect(await bus.depth()).toBe(0);
      await consumer.stop();
    });

    it('stop() waits for the handler in flight and takes no further events', async () => {
      const first = callEvent({ remote: '9100' });
      const second = callEvent({ remote: '9100', type: 'hangup' });
      await bus.publish([first, second]);
      const gate = deferred('the gate');
      const started = deferred('the handler to start');
      const log: string[] = [];
      const consumer = bus.consume(async (event) => {
        log.push(`start ${event.type}`);
        if (event.id === first.id) {
          started.resolve();
          await gate.promise;
        }
        log.push(`end ${event.type}`);
      });
      await started.wait();
      const stopping = consumer.stop().then(() => log.push('stopped'));
      expect(await settledWithinATurn(stopping)).toBe(false);
      gate.resolve();
      await stopping;
      expect(log).toEqual(['start incoming', 'end incoming', 'stopped']);
      // The event it did not take is still there: a quorum queue counts a delivery given back on
      // stop as ready a moment after the consumer is cancelled, so this is awaited, not read once.
      await eventually('the event not taken to be pending', () => bus.depth(), (depth) => depth === 1);

      const seen: string[] = [];
      const next = bus.consume(async (event) => { seen.push(event.id); });
      await next.drained();
      expect(seen).toEqual([second.id]);
      await next.stop();
    });
  });
}
