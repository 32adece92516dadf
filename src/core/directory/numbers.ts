/**
 * Phone-number normalisation for the directory and the call log. Every comparison of numbers
 * goes through these functions, so a later phone-number library (with a default country) only
 * has to replace them.
 */

/** Digits that two numbers must share at the end to be treated as the same line. */
export const TAIL_DIGITS = 9;

/**
 * Normalises a number as typed or as sent by the phone: trims, drops spaces, dashes, dots and
 * parentheses, keeps one leading `+`, and turns an international `00` prefix into `+`.
 * Other characters (letters, `*`, `#` of service codes) are kept as they are.
 */
export function normaliseNumber(raw: string): string {
  const compact = raw.trim().replace(/[\s\-.()]/g, '');
  const plus = compact.startsWith('+');
  const rest = compact.replace(/\+/g, '');
  if (plus) return `+${rest}`;
  return rest.startsWith('00') ? `+${rest.slice(2)}` : rest;
}

/** The digits of a number (after normalisation), without `+` or anything else. */
export function numberDigits(raw: string): string {
  return normaliseNumber(raw).replace(/\D/g, '');
}

/**
 * The last TAIL_DIGITS digits of the number, or null when it has fewer: two numbers with the
 * same tail are the same line written with different prefixes (`+923001234567`, `03001234567`).
 */
export function numberTail(raw: string): string | null {
  const digits = numberDigits(raw);
  return digits.length >= TAIL_DIGITS ? digits.slice(-TAIL_DIGITS) : null;
}

/** True when the two numbers are equal once normalised, or share their last TAIL_DIGITS digits. */
export function numbersMatch(a: string, b: string): boolean {
  if (normaliseNumber(a) === normaliseNumber(b)) return true;
  const tailA = numberTail(a);
  return tailA !== null && tailA === numberTail(b);
}
