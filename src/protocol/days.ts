// Calendar days in a time zone: the statistics are kept per agent and local day of the seat's
// zone (RINGSIDE_TIMEZONE), and the UI names the same day. Intl does the zone arithmetic, so
// daylight-saving days of 23 or 25 hours fall right.

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether Intl knows the zone (an IANA name such as `Europe/Madrid`, or `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const MINUTE_MS = 60_000;

/**
 * The last answer per zone and the minute it is for. Zones change their offset on a whole minute
 * (every zone has had whole-minute offsets since 1972), so one answer holds for its whole minute;
 * a busy server asks about the same minute for every call it ends, and Intl's formatToParts was
 * a measurable part of each (issue 15).
 */
const lastAnswers = new Map<string, { minute: number; day: string; hour: number }>();

/** The local day (`YYYY-MM-DD`) and hour (0–23) an instant falls in, in the zone. */
export function localDayHour(ms: number, timeZone: string): { day: string; hour: number } {
  const minute = Math.floor(ms / MINUTE_MS);
  const last = lastAnswers.get(timeZone);
  if (last !== undefined && last.minute === minute) return { day: last.day, hour: last.hour };
  const parts = Object.fromEntries(partsFormatter(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const answer = { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) % 24 };
  lastAnswers.set(timeZone, { minute, ...answer });
  return answer;
}

/** The local day (`YYYY-MM-DD`) an instant falls in, in the zone. */
export function localDay(ms: number, timeZone: string): string {
  return localDayHour(ms, timeZone).day;
}

/** Whether the text is a real calendar day written `YYYY-MM-DD`. */
export function isDay(text: string): boolean {
  const m = DAY_RE.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text;
}

/** The day after or before a `YYYY-MM-DD` day (calendar arithmetic, no zone). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/**
 * The instants a local day covers, [start, end): found by stepping from the UTC midnight over the
 * zone's possible offsets (−14 h … +14 h), so a day of 23 or 25 hours comes out right.
 */
export function dayBounds(day: string, timeZone: string): { start: number; end: number } {
  return { start: firstInstantOf(day, timeZone), end: firstInstantOf(addDays(day, 1), timeZone) };
}

function firstInstantOf(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  const HOUR = 3_600_000;
  // Offsets are whole quarter hours; find the first quarter hour whose local day is `day`, from
  // 14 h before UTC midnight, then the exact minute within the quarter before it.
  let at = utcMidnight - 14 * HOUR;
  const limit = utcMidnight + 14 * HOUR;
  while (at <= limit && localDay(at, timeZone) < day) at += HOUR / 4;
  let low = at - HOUR / 4;
  while (low < at && localDay(low, timeZone) < day) low += 60_000;
  return low;
}

/** "Monday 7 December" for a `YYYY-MM-DD` day (the day as written, in English). */
export function dayTitle(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(Date.UTC(y, m - 1, d)));
}
