// The agent's preferences as stored in this browser (src/desktop/renderer/state/preferences.ts):
// anything unreadable falls back to its default, field by field.
import { describe, expect, it } from 'vitest';
import { closeAfterMs, DEFAULT_PREFERENCES, parsePreferences } from '../../../../src/desktop/renderer/state/preferences';
import { CLOSED_CARD_MS } from '../../../../src/desktop/renderer/state/cards';
import { helplineLabel } from '../../../../src/desktop/renderer/format';

describe('stored preferences', () => {
  it('default to no sound, no notification and ended cards closing after the usual seconds', () => {
    expect(parsePreferences(null)).toEqual(DEFAULT_PREFERENCES);
    expect(closeAfterMs(DEFAULT_PREFERENCES)).toBe(CLOSED_CARD_MS);
  });

  it('keep what is valid and drop the rest', () => {
    expect(parsePreferences('{"sound":true,"notify":"yes","closeEndedAfterSeconds":30}')).toEqual({ sound: true, notify: false, closeEndedAfterSeconds: 30 });
    expect(parsePreferences('{"closeEndedAfterSeconds":null}').closeEndedAfterSeconds).toBeNull();
    for (const bad of ['0', '-5', '2.5', '99999', '"8"']) {
      expect(parsePreferences(`{"closeEndedAfterSeconds":${bad}}`).closeEndedAfterSeconds, bad).toBe(DEFAULT_PREFERENCES.closeEndedAfterSeconds);
    }
    expect(parsePreferences('not json')).toEqual(DEFAULT_PREFERENCES);
    expect(closeAfterMs({ ...DEFAULT_PREFERENCES, closeEndedAfterSeconds: null })).toBeNull();
  });
});

describe('a helpline as a person reads it', () => {
  it('says "Helpline" once', () => {
    expect(helplineLabel('Support', '8100')).toBe('Helpline Support (8100)');
    expect(helplineLabel('Helpline (simulated)', '8100')).toBe('Helpline (simulated) (8100)');
    expect(helplineLabel('Sales helpline', '8200', false)).toBe('Sales helpline');
    expect(helplineLabel(null, '8300')).toBe('Helpline 8300');
    expect(helplineLabel('Support', '8100', false)).toBe('Helpline Support');
  });
});
