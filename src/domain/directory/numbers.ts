import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { LRUCache } from 'lru-cache';

/**
 * Phone-number normalisation for the directory and the call log. Every comparison of numbers
 * goes through these functions.
 *
 * Two layers:
 * - `normaliseNumber` only cleans up how a number is written (spaces, dashes, `00` → `+`). It
 *   needs no configuration, so the call log keys its rows by it.
 * - `canonicalNumber` (and `numberNormaliser` for a configured default country) turns a number
 *   into E.164 with libphonenumber-js when the library can place it: `+923001234567`,
 *   `03001234567` (default country PK) and `0092 300 1234567` are one number. What it cannot
 *   place (extensions, service codes such as `*97`, national numbers without a default country)
 *   keeps its cleaned-up form, and matching falls back to the last TAIL_DIGITS digits.
 */

/** Digits that two numbers must share at the end to be treated as the same line (the fallback). */
export const TAIL_DIGITS = 9;

/** Numbers of at most this many digits are extensions or short codes: never given to the library. */
const MAX_EXTENSION_DIGITS = 6;

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

/** An ISO 3166 alpha-2 code the phone-number library has metadata for (upper case). */
export function isCountryCode(value: string): value is CountryCode {
  return /^[A-Z]{2}$/.test(value) && isSupportedCountry(value);
}

/** A number as the directory keys it. */
export interface CanonicalNumber {
  /** E.164 (`+923001234567`) when `e164`, otherwise the cleaned-up form (normaliseNumber). */
  number: string;
  /** True when the library placed the number: two different E.164 numbers are never the same line. */
  e164: boolean;
}

function canonical(raw: string, defaultCountry: CountryCode | null): CanonicalNumber {
  const cleaned = normaliseNumber(raw);
  const digits = cleaned.startsWith('+') ? cleaned.slice(1) : cleaned;
  // Only plain digit strings: the library would drop the `*` of `*97` and read it as a number.
  if (!/^\d+$/.test(digits) || (!cleaned.startsWith('+') && digits.length <= MAX_EXTENSION_DIGITS)) return { number: cleaned, e164: false };
  const parsed = parsePhoneNumberFromString(cleaned, defaultCountry ? { defaultCountry } : undefined);
  return parsed?.isPossible() ? { number: parsed.number, e164: true } : { number: cleaned, e164: false };
}

/** Number handling with one default country (null: none, so national numbers stay as written). */
export interface NumberNormaliser {
  readonly defaultCountry: CountryCode | null;
  /** The key contacts are stored and found by: E.164 when the library can place the number. */
  canonical(raw: string): CanonicalNumber;
  /** The E.164 form, or null for a number the library cannot place. */
  e164(raw: string): string | null;
  /** Same number: equal canonical forms; else, unless both are E.164, the same last TAIL_DIGITS digits. */
  matches(a: string, b: string): boolean;
}

const normalisers = new Map<string, NumberNormaliser>();
const CANONICAL_MEMO_SIZE = 10_000;

/**
 * The normaliser for a default country (`PK`, `gb`; null or '' for none). Throws on a code the
 * library does not know, so a mistyped setting is caught at start-up rather than ignored.
 */
export function numberNormaliser(defaultCountry?: string | null): NumberNormaliser {
  const key = (defaultCountry ?? '').trim().toUpperCase();
  const existing = normalisers.get(key);
  if (existing) return existing;
  if (key !== '' && !isCountryCode(key)) throw new Error(`unknown country code ${JSON.stringify(defaultCountry)} (expected ISO 3166 alpha-2, e.g. PK)`);
  const country = key === '' ? null : (key as CountryCode);
  // Parsing with the library costs tens of microseconds, and one ring asks for the caller's number
  // several times (caller card, call log contact, presence): remember recent answers.
  const known = new LRUCache<string, CanonicalNumber>({ max: CANONICAL_MEMO_SIZE });
  const canonicalOf = (raw: string): CanonicalNumber => {
    let result = known.get(raw);
    if (result === undefined) {
      result = Object.freeze(canonical(raw, country));
      known.set(raw, result);
    }
    return result;
  };
  const normaliser: NumberNormaliser = {
    defaultCountry: country,
    canonical: canonicalOf,
    e164: (raw) => {
      const result = canonicalOf(raw);
      return result.e164 ? result.number : null;
    },
    matches: (a, b) => {
      const ca = canonicalOf(a);
      const cb = canonicalOf(b);
      if (ca.number === cb.number) return true;
      if (ca.e164 && cb.e164) return false;
      const tail = numberTail(ca.number);
      return tail !== null && tail === numberTail(cb.number);
    },
  };
  normalisers.set(key, normaliser);
  return normaliser;
}

/** The directory's key for a number: E.164 when the library can place it, else the cleaned-up form. */
export function canonicalNumber(raw: string, defaultCountry?: string | null): string {
  return numberNormaliser(defaultCountry).canonical(raw).number;
}

/**
 * True when the two numbers are the same line: equal once canonical; otherwise, unless both are
 * E.164 (then they are simply different numbers), when they share their last TAIL_DIGITS digits.
 */
export function numbersMatch(a: string, b: string, defaultCountry?: string | null): boolean {
  return numberNormaliser(defaultCountry).matches(a, b);
}
