/**
 * What the shell may dial: tel: and callto: links (a browser, a CRM, an e-mail signature) and the
 * selected or copied text behind the dial shortcut. Everything becomes the bare dialable form the
 * phone takes (`+923001234567`, `03001234567`, `*72`), or is refused with a reason the agent can
 * act on. Pure functions: no Electron here.
 */

export const DIAL_SCHEMES = ['tel', 'callto'] as const;

export type DialParse = { ok: true; number: string } | { ok: false; reason: string };

/** Longest link or selection looked at; anything longer is not a phone number. */
const MAX_INPUT = 256;
/** Digits a dialable number may have (E.164 has at most 15; PBX codes and prefixes add a few). */
const MIN_DIGITS = 2;
const MAX_DIGITS = 32;
/** Visual separators people and RFC 3966 put into numbers: spaces, hyphens, dots, brackets, slashes. */
const SEPARATORS = /[\s\u00a0\u2010-\u2015\-.()[\]/]/g;
const DIALABLE = /^\+?[0-9*#]+$/;
const LINK = /^(tel|callto):(.*)$/is;

function shown(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine;
}

/**
 * A number as people write it (`+92 (300) 123-4567`) in the form a phone dials: separators
 * removed, a leading + kept, digits plus * and # (star codes). Letters are refused: a
 * `callto:` Skype name or a vanity number is not something a desk phone can dial.
 */
export function normaliseDialable(text: string): DialParse {
  const compact = text.trim().replace(SEPARATORS, '');
  if (compact === '') return { ok: false, reason: 'there is no number to dial' };
  if (!DIALABLE.test(compact)) {
    return { ok: false, reason: `"${shown(text)}" is not a phone number: only digits, a leading +, * and # can be dialled` };
  }
  const digits = compact.replace(/\D/g, '').length;
  if (digits < MIN_DIGITS || digits > MAX_DIGITS) {
    return { ok: false, reason: `"${shown(text)}" is not a phone number: it has ${digits} digits` };
  }
  return { ok: true, number: compact };
}

/**
 * `tel:+92-300-1234567`, `tel:0300%201234567;phone-context=+92`, `callto:+1 555 0100`,
 * `callto://0300 1234567`: the number in them. RFC 3966 parameters (`;ext=`, `;phone-context=`)
 * and a query are dropped; the phone dials the number itself.
 */
export function parseDialLink(raw: string): DialParse {
  const text = raw.trim();
  if (text.length > MAX_INPUT) return { ok: false, reason: 'the link is too long to be a phone number' };
  const match = LINK.exec(text);
  if (!match) return { ok: false, reason: `"${shown(text)}" is not a tel: or callto: link` };
  let rest = match[2]!.replace(/^\/\//, '');
  rest = rest.split(/[;?#]/, 1)[0]!;
  try {
    rest = decodeURIComponent(rest);
  } catch {
    return { ok: false, reason: `"${shown(text)}" is not a valid link: its escapes are broken` };
  }
  return normaliseDialable(rest);
}

/** Whether an argument or URL is a link the shell handles (the OS passes it on the command line or in open-url). */
export function isDialLink(arg: string): boolean {
  return LINK.test(arg.trim()) && arg.trim().length <= MAX_INPUT;
}

/**
 * The tel:/callto: link among a process's arguments: Windows and Linux start the app (or a second
 * instance of it) with the link as an argument. Flags and the executable are skipped.
 */
export function findDialLink(argv: readonly string[]): string | null {
  return argv.find((arg) => isDialLink(arg)) ?? null;
}

/** A run of characters that looks like a phone number inside a longer text. */
const NUMBER_RUN = /\+?[0-9*#][0-9*#\s\u00a0\-.()/]*[0-9#]/g;

/**
 * The number in the selected or copied text behind the dial shortcut: a whole selection that is a
 * number or a tel:/callto: link, or else the one number-like run in it ("call Ann on 0300 1234567").
 * Several different numbers, or none, is refused: the shell never guesses which one was meant.
 */
export function numberFromText(raw: string): DialParse {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'select or copy a phone number first' };
  if (text.length > MAX_INPUT) return { ok: false, reason: 'the selection is too long to be a phone number' };
  if (isDialLink(text)) return parseDialLink(text);
  const whole = normaliseDialable(text);
  if (whole.ok) return whole;
  const candidates = [...new Set((text.match(NUMBER_RUN) ?? []).map((run) => normaliseDialable(run)).filter((p) => p.ok).map((p) => p.number))];
  if (candidates.length === 1) return { ok: true, number: candidates[0]! };
  if (candidates.length > 1) return { ok: false, reason: `the selection holds ${candidates.length} numbers; select just the one to dial` };
  return { ok: false, reason: `there is no phone number in "${shown(text)}"` };
}
