// Calendar days in a time zone (src/protocol/days.ts): what the statistics key their days by and
// the Today screen names.
import { describe, expect, it } from 'vitest';
import { addDays, dayBounds, dayTitle, isDay, isTimeZone, localDay, localDayHour } from '../../../src/protocol/days';

const HOUR = 3_600_000;

describe('days in a time zone', () => {
  it('puts an instant on the local day and hour of the zone, not the UTC one', () => {
    // 04:30Z on 23 November is 23:30 on the 22nd in New York, 09:30 on the 23rd in Karachi.
    const at = Date.UTC(2026, 10, 23, 4, 30);
    expect(localDayHour(at, 'America/New_York')).toEqual({ day: '2026-11-22', hour: 23 });
    expect(localDayHour(at, 'Asia/Karachi')).toEqual({ day: '2026-11-23', hour: 9 });
    expect(localDay(at, 'UTC')).toBe('2026-11-23');
    // Midnight is hour 0, never 24.
    expect(localDayHour(Date.UTC(2026, 10, 23, 5, 0), 'America/New_York')).toEqual({ day: '2026-11-23', hour: 0 });
  });

  it('answers each instant by its own minute, asked in a row: across a daylight-saving change, for several zones, whatever the caller does with an answer', () => {
    // Madrid goes from 02:00 to 03:00 local at 01:00Z on 29 March 2026.
    const change = Date.UTC(2026, 2, 29, 1, 0);
    expect(localDayHour(change - 1, 'Europe/Madrid')).toEqual({ day: '2026-03-29', hour: 1 });
    expect(localDayHour(change, 'Europe/Madrid')).toEqual({ day: '2026-03-29', hour: 3 });
    expect(localDayHour(change + 59_999, 'Europe/Madrid')).toEqual({ day: '2026-03-29', hour: 3 });
    expect(localDayHour(change - 1, 'Europe/Madrid')).toEqual({ day: '2026-03-29', hour: 1 });
    const answer = localDayHour(change, 'Asia/Kolkata');
    expect(answer).toEqual({ day: '2026-03-29', hour: 6 });
    answer.hour = 99;
    expect(localDayHour(change + 1, 'Asia/Kolkata')).toEqual({ day: '2026-03-29', hour: 6 });
    expect(localDayHour(change + 1, 'Europe/Madrid')).toEqual({ day: '2026-03-29', hour: 3 });
  });

  it('gives the instants a local day covers: 24 hours, or 23 and 25 on the daylight-saving days, and quarter-hour zones', () => {
    expect(dayBounds('2026-11-22', 'America/New_York')).toEqual({ start: Date.UTC(2026, 10, 22, 5), end: Date.UTC(2026, 10, 23, 5) });
    const fallBack = dayBounds('2026-11-01', 'America/New_York');
    expect(fallBack.end - fallBack.start).toBe(25 * HOUR);
    const springForward = dayBounds('2026-03-08', 'America/New_York');
    expect(springForward.end - springForward.start).toBe(23 * HOUR);
    // Kathmandu is UTC+5:45: its day starts at 18:15Z the day before.
    expect(dayBounds('2026-11-22', 'Asia/Kathmandu').start).toBe(Date.UTC(2026, 10, 21, 18, 15));
    expect(dayBounds('2026-11-22', 'Pacific/Kiritimati').start).toBe(Date.UTC(2026, 10, 21, 10));
  });

  it('checks days and zones, and names a day', () => {
    expect(['2026-11-22', '2024-02-29'].map(isDay)).toEqual([true, true]);
    expect(['2026-02-30', '2026-13-01', '22-11-2026', '2026-11-22T00:00', ''].map(isDay)).toEqual([false, false, false, false, false]);
    expect(['Europe/Madrid', 'UTC', 'America/New_York'].map(isTimeZone)).toEqual([true, true, true]);
    expect(['Mars/Olympus', '', ' '].map(isTimeZone)).toEqual([false, false, false]);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(dayTitle('2026-12-07')).toBe('Monday 7 December');
  });
});
