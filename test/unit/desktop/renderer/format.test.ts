// Timers, durations and times as the screens print them (src/desktop/renderer/format.ts).
import { describe, expect, it } from 'vitest';
import { callerLine, callerName, formatDuration, formatShare, formatTimer, formatWhen } from '../../../../src/desktop/renderer/format';

describe('formatting', () => {
  it("names the caller wherever a number is shown: the directory's contact first, else what the phone showed", () => {
    const contact = { number: '+34912223344', name: 'Lucía Fernández', company: null, notes: null, crmUrl: null };
    // A missed call the phone sent without a name (or with the number as its name) still shows the contact.
    expect(callerName({ remote: '+34912223344', remoteName: '+34912223344', contact })).toBe('Lucía Fernández');
    expect(callerName({ remote: '+34912223344', remoteName: 'LUCIA F', contact })).toBe('Lucía Fernández');
    expect(callerName({ remote: '+34912223344', remoteName: 'LUCIA F', contact: null })).toBe('LUCIA F');
    expect(callerName({ remote: '+34912223344', remoteName: '+34912223344', contact: null })).toBeNull();
    expect(callerName({ remote: '+34912223344', remoteName: ' ' })).toBeNull();
  });

  it('runs a timer as m:ss, then h:mm:ss, never negative', () => {
    expect([0, 999, 7_000, 65_000, 12 * 60_000 + 45_000, 3_723_000, -5_000].map(formatTimer)).toEqual(['0:00', '0:00', '0:07', '1:05', '12:45', '1:02:03', '0:00']);
  });

  it('prints durations for tables, with a dash for none', () => {
    expect([null, undefined, Number.NaN, 0, 45_400, 185_000, 3_720_000].map(formatDuration)).toEqual(['—', '—', '—', '0 s', '45 s', '3 min 05 s', '1 h 02 min']);
  });

  it('says when: the time today, the weekday this week, the date before', () => {
    const clock = { locale: 'en-GB', timeZone: 'UTC' };
    const now = Date.UTC(2026, 10, 22, 15, 0);
    expect(formatWhen(Date.UTC(2026, 10, 22, 9, 5), now, clock)).toBe('09:05');
    expect(formatWhen(Date.UTC(2026, 10, 20, 9, 5), now, clock)).toBe('Fri 09:05');
    expect(formatWhen(Date.UTC(2026, 9, 2, 9, 5), now, clock)).toBe('2 Oct, 09:05');
  });

  it('writes the caller and shares', () => {
    expect(callerLine('Ann', '+44')).toBe('Ann (+44)');
    expect(callerLine(null, '+44')).toBe('+44');
    expect(formatShare(1, 3)).toBe('33 %');
    expect(formatShare(0, 0)).toBe('—');
  });
});
