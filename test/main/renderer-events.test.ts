// The placeholder agent UI's pure logic (src/renderer/events.ts).
import { describe, expect, it } from 'vitest';
import { addEntry, MAX_EVENTS, reconnectDelayMs, toCallEntry, tokenFromHash, websocketUrl } from '../../src/renderer/events';

describe('agent UI placeholder', () => {
  it('reads the session token from the URL fragment', () => {
    expect(tokenFromHash('#token=abc%2Fdef')).toBe('abc/def');
    expect(tokenFromHash('#other=1&token=xyz')).toBe('xyz');
    expect(tokenFromHash('')).toBeNull();
    expect(tokenFromHash('#token=')).toBeNull();
  });

  it('connects to /ws on its own origin with the token', () => {
    expect(websocketUrl({ protocol: 'http:', host: '127.0.0.1:7790' }, 'a b')).toBe('ws://127.0.0.1:7790/ws?token=a%20b');
    expect(websocketUrl({ protocol: 'https:', host: 'ringside.example' }, 't')).toBe('wss://ringside.example/ws?token=t');
  });

  it('lists call messages, newest first, and ignores the rest', () => {
    const ringing = toCallEntry({ type: 'call.ringing', at: 1000, account: 'default', call: { remote: '+15551234', remoteName: 'Ann', direction: 'in', status: 'ringing' } }, 0);
    expect(ringing).toMatchObject({ type: 'call.ringing', at: 1000, remote: '+15551234', remoteName: 'Ann', direction: 'in', status: 'ringing' });
    expect(toCallEntry({ type: 'health', at: 1, account: 'default' }, 1)).toBeNull();
    expect(toCallEntry({ type: 'presence.changed', at: 1 }, 1)).toBeNull();
    expect(toCallEntry('garbage', 1)).toBeNull();

    let list = addEntry([], ringing!);
    for (let i = 1; i <= MAX_EVENTS + 5; i++) list = addEntry(list, toCallEntry({ type: 'call.ended', at: i, call: { remote: `${i}` } }, i)!);
    expect(list).toHaveLength(MAX_EVENTS);
    expect(list[0]!.remote).toBe(`${MAX_EVENTS + 5}`);
  });

  it('backs off reconnects up to 30 s', () => {
    expect([0, 1, 2, 10].map(reconnectDelayMs)).toEqual([1000, 2000, 4000, 30_000]);
  });
});
