// Numbers, times and durations as the screens print them. Pure, with the locale and time zone
// passed in where they matter, so the tests do not depend on the machine's settings.

/** A running timer: 0:07, 12:45, 1:02:03. Negative input (clock jitter) reads as 0:00. */
export function formatTimer(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

/** A duration in a table: "—" when there is none, "45 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} min ${String(total % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export interface Clock {
  locale?: string;
  timeZone?: string;
}

// Intl formatters are costly to build and the missed-call list formats a time per row on every
// render: build each (locale, time zone, style) once.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string | undefined, timeZone: string | undefined, style: 'time' | 'day' | 'weekday' | 'date'): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${timeZone ?? ''}|${style}`;
  let made = formatters.get(key);
  if (!made) {
    const options: Intl.DateTimeFormatOptions = { timeZone };
    if (style === 'time') Object.assign(options, { hour: '2-digit', minute: '2-digit' });
    if (style === 'day') Object.assign(options, { year: 'numeric', month: '2-digit', day: '2-digit' });
    if (style === 'weekday') Object.assign(options, { weekday: 'short' });
    if (style === 'date') Object.assign(options, { day: 'numeric', month: 'short' });
    // The day key compares calendar days, so its locale is fixed (en-CA: 2026-11-22).
    made = new Intl.DateTimeFormat(style === 'day' ? 'en-CA' : locale, options);
    formatters.set(key, made);
  }
  return made;
}

/** "14:03" today, "Mon 14:03" within the week, "22 Nov, 14:03" before. */
export function formatWhen(at: number, now: number, clock: Clock = {}): string {
  const { locale, timeZone } = clock;
  const time = formatter(locale, timeZone, 'time').format(at);
  const day = formatter(locale, timeZone, 'day');
  if (day.format(at) === day.format(now)) return time;
  if (now - at < 6 * 24 * 3600_000 && at <= now) return `${formatter(locale, timeZone, 'weekday').format(at)} ${time}`;
  return `${formatter(locale, timeZone, 'date').format(at)}, ${time}`;
}

/** The caller as one line: "Ann Example (+92 300 1234567)" or the number alone. */
/**
 * The caller's name wherever a number is shown (popup, missed list, history, call-backs): the
 * directory's contact first, else the name the phone showed when it is more than the number.
 */
export function callerName(view: { remote: string; remoteName: string; contact?: { name: string } | null }): string | null {
  const contact = view.contact?.name?.trim();
  if (contact) return contact;
  const shown = view.remoteName.trim();
  return shown !== '' && shown !== view.remote ? shown : null;
}

export function callerLine(name: string | null, number: string): string {
  return name ? `${name} (${number})` : number;
}

/** A percentage of a whole, "—" when there is nothing to divide by. */
export function formatShare(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)} %` : '—';
}

/** Words for the call statuses of the call log. */
export const STATUS_LABEL: Readonly<Record<string, string>> = {
  ringing: 'Ringing', in_progress: 'On call', answered: 'Answered', missed: 'Missed', no_answer: 'No answer',
};

/** Words for presence, as a person says them. */
export const PRESENCE_LABEL: Readonly<Record<string, string>> = {
  available: 'Available', away: 'Away', dnd: 'Do not disturb', on_call: 'On a call', offline: 'Offline',
};

/**
 * A helpline as a person reads it: "Helpline Support (8100)", or the name alone when it already
 * says it is a line ("Sales helpline (8100)", not "Helpline Sales helpline"); the number alone without a name.
 */
export function helplineLabel(name: string | null | undefined, number: string, withNumber = true): string {
  const trimmed = name?.trim() ?? '';
  if (trimmed === '' || trimmed === number) return `Helpline ${number}`;
  const named = /\b(help\s*line|hotline|line)\b/i.test(trimmed) ? trimmed : `Helpline ${trimmed}`;
  return withNumber ? `${named} (${number})` : named;
}
