// Server messages from JSON (src/protocol/messages.ts, read this way by the agent UI and the Electron
// shell alike): what the readers rely on, or nothing.
import { describe, expect, it } from 'vitest';
import { clientMessage, parseServerMessage, readServerMessage } from '../../../src/protocol/messages';
import { callView, missedCall as missed } from './fixtures';

const json = (value: unknown) => JSON.stringify(value);

describe('server messages', () => {
  it('reads call.ringing with its caller card, or without one (until the server sends it)', () => {
    const card = { number: '+44', name: 'Ann', company: '', notes: null, crmUrl: 'https://crm.example/1', source: 'contact', extra: 1 };
    const withCard = parseServerMessage(json({ type: 'call.ringing', at: 5, account: 'default', call: callView(), card, transferredFrom: 'bob', transferredFromName: 'Bob' }));
    expect(withCard).toMatchObject({ type: 'call.ringing', at: 5, transferredFrom: 'bob', transferredFromName: 'Bob', card: { number: '+44', name: 'Ann', company: null, notes: null, crmUrl: 'https://crm.example/1', source: 'contact' } });
    const without = parseServerMessage(json({ type: 'call.ringing', at: 5, account: 'default', call: callView(), transferredFrom: null }));
    expect(without).toMatchObject({ card: null, transferredFrom: null, transferredFromName: null });
    expect(parseServerMessage(json({ type: 'call.ringing', call: callView(), card: { name: 'no number' } }))).toMatchObject({ card: null });
  });

  it('reads call.dismissed with who answered', () => {
    expect(parseServerMessage(json({ type: 'call.dismissed', at: 1, account: 'a', call: callView(), answeredBy: 'Bob', answeredByAgent: 'bob' })))
      .toMatchObject({ type: 'call.dismissed', answeredBy: 'Bob', answeredByAgent: 'bob' });
  });

  it('reads missed calls, presence, health and errors', () => {
    expect(parseServerMessage(json({ type: 'call.missed', at: 1, account: 'a', call: null, missed: missed() }))).toMatchObject({ type: 'call.missed', call: null, missed: missed() });
    expect(parseServerMessage(json({ type: 'missed.claimed', at: 1, account: 'a', missed: missed({ owner: 'bob' }) }))).toMatchObject({ missed: { owner: 'bob' } });
    expect(parseServerMessage(json({ type: 'presence.changed', at: 1, account: 'a', agent: 'bob', status: 'away' }))).toMatchObject({ agent: 'bob', status: 'away' });
    expect(parseServerMessage(json({ type: 'health', at: 1, account: 'a', listener: 'up', redis: 'down', rabbitmq: 'embedded', spoolDepth: 0 }))).toMatchObject({ type: 'health', redis: 'down' });
    expect(parseServerMessage(json({ type: 'error', at: 1, account: 'a' }))).toMatchObject({ type: 'error', reason: 'unknown error' });
  });

  it('drops what it cannot use instead of breaking the screens', () => {
    for (const text of ['not json', '[]', json({ at: 1 }), json({ type: 'call.answered' }), json({ type: 'call.ended', call: { id: 1 } }), json({ type: 'call.missed', call: callView() }),
      json({ type: 'presence.changed', agent: 'bob' }), json({ type: 'health' }), json({ type: 'something.new', call: callView() })]) {
      expect(parseServerMessage(text), text).toBeNull();
    }
  });

  it('reads what the server sends as it is', () => {
    const ringing = { type: 'call.ringing', at: 5, account: 'default', call: callView(), card: { number: '+44', name: 'Ann', company: null, notes: null, crmUrl: null, source: 'crm' }, transferredFrom: null, transferredFromName: null };
    expect(readServerMessage(ringing)).toEqual(ringing);
    const ended = { type: 'call.ended', at: 6, account: 'default', call: callView({ status: 'no_answer' }), outcome: 'no_answer', endedAt: 6 };
    expect(readServerMessage(ended)).toEqual(ended);
    const transferred = { type: 'call.transferred', at: 7, account: 'default', call: callView(), kind: 'blind' };
    expect(readServerMessage(transferred)).toEqual(transferred);
  });

  it('reads a nullable field that is absent as null, and leaves out fields it does not know', () => {
    const { contact: _contact, ...call } = callView();
    const parsed = readServerMessage({ type: 'call.answered', at: 1, account: 'a', call: { ...call, newField: 1 }, extra: true });
    expect(parsed).toEqual({ type: 'call.answered', at: 1, account: 'a', call: callView() });
  });

  it('drops messages whose call, missed call or presence is not one (the shell and the UI never see them)', () => {
    for (const raw of [
      { type: 'call.ringing', at: 1, account: 'a', call: { remote: 'x' } },
      { type: 'call.ringing', at: 1, account: 'a', call: callView({ direction: 'sideways' as never }) },
      { type: 'call.missed', at: 1, account: 'a', call: null, missed: { callId: 'x' } },
      { type: 'missed.claimed', at: 1, account: 'a', missed: missed({ status: 'gone' as never }) },
      { type: 'presence.changed', at: 1, account: 'a', agent: 'bob', status: 'asleep' },
      { type: 'call.ended', at: 1, account: 'a', call: callView(), outcome: 'answered' },
    ]) {
      expect(readServerMessage(raw), JSON.stringify(raw)).toBeNull();
    }
  });

  it('reads the client messages the server accepts, and nothing else', () => {
    expect(clientMessage.parse({ type: 'heartbeat' })).toEqual({ type: 'heartbeat' });
    expect(clientMessage.parse({ type: 'presence.set', status: 'dnd' })).toEqual({ type: 'presence.set', status: 'dnd' });
    for (const raw of [{ type: 'presence.set', status: 'on_call' }, { type: 'presence.set' }, { type: 'hello' }, null]) {
      expect(clientMessage.safeParse(raw).success, JSON.stringify(raw)).toBe(false);
    }
  });
});
