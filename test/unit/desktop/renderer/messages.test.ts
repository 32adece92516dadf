// Server messages from JSON (src/desktop/renderer/state/messages.ts): what the UI relies on, or nothing.
import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '../../../../src/desktop/renderer/state/messages';
import { callView, missed } from './fixtures';

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
});
