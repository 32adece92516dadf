import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getExampleNumber, type CountryCode } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';
import { canonicalNumber, normaliseNumber, numberNormaliser, numberTail, numbersMatch } from '../../../../src/domain/directory/numbers';
import { requireMac } from '../../../../src/domain/directory/mac';
import { DirectoryError } from '../../../../src/domain/directory/errors';

describe('normaliseNumber', () => {
  it.each([
    ['+92 300 1234567', '+923001234567'],
    ['0092 300 1234567', '+923001234567'],
    ['00923001234567', '+923001234567'],
    ['(0300) 123-45.67', '03001234567'],
    ['  +1 (555) 000-1111 ', '+15550001111'],
    ['600', '600'],
    ['*97#', '*97#'],
    ['3+4', '34'],
    ['', ''],
  ])('%s -> %s', (raw, expected) => {
    expect(normaliseNumber(raw)).toBe(expected);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('0', '1', '9', '+', ' ', '-', '.', '(', ')', '#') }), (raw) => {
        const once = normaliseNumber(raw);
        expect(normaliseNumber(once)).toBe(once);
      }),
    );
  });
});

describe('number matching', () => {
  it('matches +92 / 0 / 0092 spellings of one number by the last 9 digits', () => {
    const forms = ['+923001234567', '03001234567', '0092 300 1234567'];
    for (const a of forms) for (const b of forms) expect(numbersMatch(a, b)).toBe(true);
    expect(numberTail('03001234567')).toBe('001234567');
    expect(numbersMatch('+923001234567', '+923001234568')).toBe(false);
  });

  it('short numbers only match exactly', () => {
    expect(numberTail('12345678')).toBeNull();
    expect(numbersMatch('600', '600')).toBe(true);
    expect(numbersMatch('600', '1600')).toBe(false);
  });
});

describe('number matching with the phone-number library and a default country', () => {
  const pk = numberNormaliser('PK');

  it('with default country PK, +923001234567, 03001234567 and 0092 300 1234567 are one number', () => {
    const forms = ['+923001234567', '03001234567', '0092 300 1234567', '(0300) 123-4567', '+92 (300) 123 45 67', '923001234567'];
    for (const form of forms) expect(pk.canonical(form)).toEqual({ number: '+923001234567', e164: true });
    for (const a of forms) for (const b of forms) expect(numbersMatch(a, b, 'pk')).toBe(true);
    expect(canonicalNumber('03001234567', 'PK')).toBe('+923001234567');
  });

  it('keeps extensions and service codes as they are, and matches them exactly', () => {
    for (const short of ['201', '8100', '123456', '*97', '*97#', '#31#']) expect(pk.canonical(short)).toEqual({ number: short, e164: false });
    expect(pk.matches('8100', '8100')).toBe(true);
    expect(pk.matches('8100', '18100')).toBe(false);
    expect(pk.e164('201')).toBeNull();
  });

  it('without a default country, a national number stays as written and matches E.164 by its last digits', () => {
    const none = numberNormaliser(null);
    expect(none.canonical('03001234567')).toEqual({ number: '03001234567', e164: false });
    expect(none.canonical('0092 300 1234567')).toEqual({ number: '+923001234567', e164: true });
    expect(none.matches('03001234567', '+923001234567')).toBe(true);
    expect(numbersMatch('03001234567', '0092 300 1234567')).toBe(true);
  });

  it('two different E.164 numbers never match, even with the same last digits', () => {
    expect(pk.matches('+923001234567', '+443001234567')).toBe(false);
    expect(pk.matches('03001234567', '+443001234567')).toBe(false);
    // a number the library cannot place still falls back to the last digits
    expect(numberNormaliser(null).matches('300 1234567', '+923001234567')).toBe(true);
  });

  it('rejects a country code the library does not know', () => {
    expect(() => numberNormaliser('XX')).toThrow(/country code/);
    expect(numberNormaliser(' gb ').defaultCountry).toBe('GB');
    expect(numberNormaliser('').defaultCountry).toBeNull();
  });

  const countries: CountryCode[] = ['PK', 'GB', 'US', 'DE', 'IN', 'FR', 'AE', 'AU', 'BR', 'JP'];
  /** A mobile number of one of the countries, its last four digits varied. */
  const anyNumber = fc.record({ country: fc.constantFrom(...countries), last: fc.integer({ min: 0, max: 9999 }) }).map(({ country, last }) => {
    const example = getExampleNumber(country, examples)!;
    const national = `${example.nationalNumber.slice(0, -4)}${String(last).padStart(4, '0')}`;
    return { country, e164: `+${example.countryCallingCode}${national}` };
  });
  /** The number written with spaces, dashes, dots or parentheses between any digits. */
  const spelled = (digits: string, separators: string[]) =>
    [...digits].map((d, i) => `${d}${separators[i % separators.length] ?? ''}`).join('');
  const separators = fc.array(fc.constantFrom('', '', ' ', '-', '.', ' (', ') '), { minLength: 1, maxLength: 8 });

  it('every spelling of one E.164 number normalises to it, with or without a default country', () => {
    fc.assert(
      fc.property(anyNumber, separators, fc.constantFrom('+', '00', '+ '), (n, seps, prefix) => {
        const written = `${prefix}${spelled(n.e164.slice(1), seps)}`;
        expect(numberNormaliser(null).canonical(written)).toEqual({ number: n.e164, e164: true });
        expect(numberNormaliser(n.country).canonical(written)).toEqual({ number: n.e164, e164: true });
      }),
    );
  });

  it('the national spelling normalises to the same E.164 number with its country as default', () => {
    fc.assert(
      fc.property(anyNumber, separators, (n, seps) => {
        const national = numberNormaliser(n.country);
        const parsedNational = getExampleNumber(n.country, examples)!;
        // The national format the country uses (trunk prefix and all), then re-spelled.
        const nationalDigits = parsedNational.formatNational().replace(/\D/g, '').slice(0, -4) + n.e164.slice(-4);
        expect(national.canonical(spelled(nationalDigits, seps))).toEqual({ number: n.e164, e164: true });
        expect(national.matches(nationalDigits, n.e164)).toBe(true);
      }),
    );
  });

  it('is idempotent and only ever returns E.164 or the cleaned-up input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('0', '3', '9', '2', '+', ' ', '-', '*', '#') }), fc.constantFrom(null, 'PK', 'US'), (raw, country) => {
        const numbers = numberNormaliser(country);
        const once = numbers.canonical(raw);
        expect(numbers.canonical(once.number)).toEqual(once);
        if (!once.e164) expect(once.number).toBe(normaliseNumber(raw));
        else expect(once.number).toMatch(/^\+[1-9]\d{6,14}$/);
      }),
    );
  });
});

describe('requireMac', () => {
  it('accepts any separators and case, rejects anything but 12 hex digits', () => {
    expect(requireMac('00:0b:82:aa:bb:cc')).toBe('000B82AABBCC');
    expect(requireMac('000b.82aa.bbcc')).toBe('000B82AABBCC');
    expect(requireMac('00-0B-82-AA-BB-CC')).toBe('000B82AABBCC');
    expect(() => requireMac('00:0b:82:aa:bb')).toThrow(DirectoryError);
    expect(() => requireMac('zz0b82aabbcc')).toThrow(expect.objectContaining({ code: 'invalid_mac' }));
  });
});
