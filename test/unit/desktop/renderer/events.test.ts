// The agent UI's session and connection helpers (src/desktop/renderer/events.ts).
import { describe, expect, it } from 'vitest';
import { reconnectDelayMs, tokenFromHash, websocketUrl } from '../../../../src/desktop/renderer/events';

describe('agent UI session helpers', () => {
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

  it('backs off reconnects up to 30 s', () => {
    expect([0, 1, 2, 10].map(reconnectDelayMs)).toEqual([1000, 2000, 4000, 30_000]);
  });
});
