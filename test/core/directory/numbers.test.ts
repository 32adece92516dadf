import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseNumber, numberTail, numbersMatch } from '../../../src/core/directory/numbers';
import { normaliseMac } from '../../../src/core/directory/mac';
import { DirectoryError } from '../../../src/core/directory/errors';

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

describe('normaliseMac', () => {
  it('accepts any separators and case, rejects anything but 12 hex digits', () => {
    expect(normaliseMac('00:0b:82:aa:bb:cc')).toBe('000B82AABBCC');
    expect(normaliseMac('000b.82aa.bbcc')).toBe('000B82AABBCC');
    expect(normaliseMac('00-0B-82-AA-BB-CC')).toBe('000B82AABBCC');
    expect(() => normaliseMac('00:0b:82:aa:bb')).toThrow(DirectoryError);
    expect(() => normaliseMac('zz0b82aabbcc')).toThrow(expect.objectContaining({ code: 'invalid_mac' }));
  });
});
