// The spool hands an event it has just written to its consumer as a copy instead of parsing its
// body back (issue 15): the copy must be what the parse gives, and share nothing with the original.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALL_EVENT_TYPES, copyCallEvent, type CallEvent } from '../../../../src/domain/events/CallEvent';

const text = fc.string({ maxLength: 20 });
const callEvent: fc.Arbitrary<CallEvent> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 26 }),
  account: text,
  type: fc.constantFrom(...CALL_EVENT_TYPES),
  receivedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  device: fc.record({ mac: fc.option(text), ip: fc.option(text) }),
  callId: fc.option(text),
  local: text,
  remote: text,
  displayRemote: text,
  activeUser: text,
  transferKind: fc.constantFrom('blind' as const, 'attended' as const, null),
  raw: fc.dictionary(text, text),
});

/** Every object reachable from a value, the value itself included. */
function objectsIn(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null && !into.has(value)) {
    into.add(value);
    for (const child of Object.values(value)) objectsIn(child, into);
  }
  return into;
}

describe('copyCallEvent', () => {
  it('gives what parsing the event\'s JSON back gives', () => {
    fc.assert(fc.property(callEvent, (event) => {
      expect(copyCallEvent(event)).toStrictEqual(JSON.parse(JSON.stringify(event)));
    }));
  });

  it('shares no object with the original (a nested field added to CallEvent and not copied fails here)', () => {
    fc.assert(fc.property(callEvent, (event) => {
      const original = objectsIn(event);
      for (const object of objectsIn(copyCallEvent(event))) expect(original.has(object)).toBe(false);
    }));
  });
});
