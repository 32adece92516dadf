// The popup view's model (src/desktop/renderer/state/popup.ts): one compact row per ringing call, the
// feed from the shell (snapshot and pushes), and what crosses the bridge.
import { describe, expect, it } from 'vitest';
import type { PopupCall } from '../../../../src/desktop/renderer/bridge';
import {
  EMPTY_FEED, popupFeed, popupHeading, popupHeight, popupRow, safeCrmUrl, toPopupCalls, visibleCalls, type PopupFeed, type PopupFeedEvent,
} from '../../../../src/desktop/renderer/state/popup';
import { popupSize } from '../../../../src/desktop/main/popupPlacement';

function entry(overrides: Partial<PopupCall> = {}): PopupCall {
  return {
    callId: 'c1', remote: '+442055500001', name: 'Ann Example', company: 'Example Ltd', notes: 'VIP', crmUrl: 'https://crm.example/ann',
    line: 'direct', helpline: null, transferredFromName: null, startedAt: 10_000, ...overrides,
  };
}

const helplines = (number: string) => (number === '5000' ? 'Support' : null);

describe('a popup row', () => {
  it('shows name and number large, company and notes small, the line and the ring timer', () => {
    expect(popupRow(entry(), 17_500, helplines)).toEqual({
      callId: 'c1', title: 'Ann Example', number: '+442055500001', details: 'Example Ltd · VIP', line: 'Direct line',
      transferred: null, timer: '0:07', crmUrl: 'https://crm.example/ann',
    });
  });

  it('shows the number alone when there is no name (or the name is the number)', () => {
    expect(popupRow(entry({ name: null, company: null, notes: null }), 10_000)).toMatchObject({ title: '+442055500001', number: null, details: null });
    expect(popupRow(entry({ name: '+442055500001' }), 10_000)).toMatchObject({ title: '+442055500001', number: null });
  });

  it('names the helpline when the directory knows it, and who transferred the call', () => {
    expect(popupRow(entry({ line: 'helpline', helpline: '5000' }), 10_000, helplines).line).toBe('Helpline Support (5000)');
    expect(popupRow(entry({ line: 'helpline', helpline: '6000' }), 10_000, helplines).line).toBe('Helpline 6000');
    expect(popupRow(entry({ line: 'helpline', helpline: null }), 10_000, helplines).line).toBe('Direct line');
    expect(popupRow(entry({ transferredFromName: 'Bob' }), 10_000).transferred).toBe('Transferred from Bob');
  });

  it('runs the ring timer from when the call started; a clock behind reads 0:00', () => {
    expect(popupRow(entry(), 10_000 + 65_000).timer).toBe('1:05');
    expect(popupRow(entry(), 9_000).timer).toBe('0:00');
  });

  it('offers only http and https CRM pages as links', () => {
    expect(safeCrmUrl('https://crm.example/a?b=1')).toBe('https://crm.example/a?b=1');
    expect(safeCrmUrl('http://crm.local/x')).toBe('http://crm.local/x');
    expect(safeCrmUrl('javascript:alert(1)')).toBeNull();
    expect(safeCrmUrl('file:///etc/passwd')).toBeNull();
    expect(safeCrmUrl('not a url')).toBeNull();
    expect(safeCrmUrl(null)).toBeNull();
    expect(popupRow(entry({ crmUrl: 'javascript:alert(1)' }), 10_000).crmUrl).toBeNull();
  });

  it('has a heading with the count, and the height the shell gives the window (380 × 140 for one, 332 for three, no more)', () => {
    expect([0, 1, 2].map(popupHeading)).toEqual(['No call ringing', 'Incoming call', '2 incoming calls']);
    expect([1, 2, 3, 5].map(popupHeight)).toEqual([140, 236, 332, 332]);
    for (const n of [0, 1, 2, 3, 4]) expect(popupHeight(n)).toBe(popupSize(n).height);
  });
});

describe('what crosses the bridge', () => {
  it('keeps well-formed entries, fills in what is missing and drops the rest', () => {
    const calls = toPopupCalls([
      entry(),
      { callId: 'c2', remote: '201', line: 'helpline', helpline: '5000', startedAt: 5 },
      { callId: 'c1', remote: 'duplicate' },
      { callId: '', remote: 'x' },
      { remote: 'no id' },
      'garbage',
      null,
    ]);
    expect(calls).toEqual([
      entry(),
      { callId: 'c2', remote: '201', name: null, company: null, notes: null, crmUrl: null, line: 'helpline', helpline: '5000', transferredFromName: null, startedAt: 5 },
    ]);
    expect(toPopupCalls(undefined)).toEqual([]);
    expect(toPopupCalls({ callId: 'c1' })).toEqual([]);
  });
});

describe('the popup feed', () => {
  const run = (events: PopupFeedEvent[], state: PopupFeed = EMPTY_FEED) => events.reduce(popupFeed, state);
  const a = entry({ callId: 'a' });
  const b = entry({ callId: 'b' });

  it('starts from the snapshot and follows the pushes (an empty push: nothing rings)', () => {
    expect(visibleCalls(run([{ type: 'snapshot', calls: [a] }]))).toEqual([a]);
    expect(visibleCalls(run([{ type: 'snapshot', calls: [a] }, { type: 'push', calls: [b, a] }]))).toEqual([b, a]);
    expect(visibleCalls(run([{ type: 'snapshot', calls: [a] }, { type: 'push', calls: [] }]))).toEqual([]);
  });

  it('drops a snapshot that answers after a push: the push is newer', () => {
    expect(visibleCalls(run([{ type: 'push', calls: [b] }, { type: 'snapshot', calls: [a] }]))).toEqual([b]);
  });

  it('hides a dismissed call at once, even if a push still has it, until the shell lets it go', () => {
    let feed = run([{ type: 'push', calls: [b, a] }, { type: 'dismiss', callId: 'a' }]);
    expect(visibleCalls(feed)).toEqual([b]);
    feed = popupFeed(feed, { type: 'push', calls: [b, a] });
    expect(visibleCalls(feed)).toEqual([b]);
    feed = popupFeed(feed, { type: 'push', calls: [b] });
    expect(feed.dismissed).toEqual([]);
    // The same call id ringing again later (a new push with it) shows again.
    expect(visibleCalls(popupFeed(feed, { type: 'push', calls: [a, b] }))).toEqual([a, b]);
  });
});
