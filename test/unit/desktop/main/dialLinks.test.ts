// tel:/callto: links and the dial shortcut's selection, turned into what the phone dials.
import { describe, expect, it } from 'vitest';
import { findDialLink, isDialLink, normaliseDialable, numberFromText, parseDialLink } from '../../../../src/desktop/main/dialLinks';

const dialled = (number: string) => ({ ok: true, number });

describe('tel: and callto: links', () => {
  it('takes the number out of the links people click', () => {
    expect(parseDialLink('tel:+92-300-1234567')).toEqual(dialled('+923001234567'));
    expect(parseDialLink('callto://0300 1234567')).toEqual(dialled('03001234567'));
    expect(parseDialLink('callto://0300%201234567')).toEqual(dialled('03001234567'));
    expect(parseDialLink('callto:+1 (555) 010.0199')).toEqual(dialled('+15550100199'));
    expect(parseDialLink('TEL:+44 20 7946 0958')).toEqual(dialled('+442079460958'));
    expect(parseDialLink('  tel:8101  ')).toEqual(dialled('8101'));
  });

  it('drops RFC 3966 parameters and queries, and keeps star codes', () => {
    expect(parseDialLink('tel:7042;phone-context=example.com')).toEqual(dialled('7042'));
    expect(parseDialLink('tel:+1-201-555-0123;ext=1234')).toEqual(dialled('+12015550123'));
    expect(parseDialLink('callto:0300123?call')).toEqual(dialled('0300123'));
    expect(parseDialLink('tel:*72')).toEqual(dialled('*72'));
    expect(parseDialLink('tel:%2B923001234567')).toEqual(dialled('+923001234567'));
  });

  it('refuses what a desk phone cannot dial, saying why', () => {
    const refused = (link: string) => {
      const result = parseDialLink(link);
      expect(result.ok).toBe(false);
      return result.ok ? '' : result.reason;
    };
    expect(refused('callto:skype.user')).toMatch(/not a phone number: only digits/);
    expect(refused('tel:1-800-FLOWERS')).toMatch(/only digits/);
    expect(refused('tel:')).toBe('there is no number to dial');
    expect(refused('tel:92+300')).toMatch(/only digits, a leading \+/);
    expect(refused('tel:1')).toMatch(/it has 1 digits/);
    expect(refused(`tel:${'1'.repeat(40)}`)).toMatch(/it has 40 digits/);
    expect(refused('tel:%E0%A4%A')).toMatch(/escapes are broken/);
    expect(refused('sip:alice@example.com')).toMatch(/not a tel: or callto: link/);
    expect(refused('https://example.com/tel:123')).toMatch(/not a tel: or callto: link/);
    expect(refused(`tel:${'1 '.repeat(200)}`)).toMatch(/too long/);
  });

  it('finds the link among a second start\'s arguments', () => {
    expect(findDialLink(['/opt/Ringside/ringside', '--hidden', 'tel:+923001234567'])).toBe('tel:+923001234567');
    expect(findDialLink(['C:\\Program Files\\Ringside\\Ringside.exe', '--allow-file-access-from-files', 'callto://0300 1234567'])).toBe('callto://0300 1234567');
    expect(findDialLink(['/opt/Ringside/ringside', '--webhook-port', '7000'])).toBeNull();
    expect(isDialLink('mailto:a@b.c')).toBe(false);
  });
});

describe('the selection behind the dial shortcut', () => {
  it('dials a selection that is a number or a link', () => {
    expect(numberFromText('+92 300 1234567')).toEqual(dialled('+923001234567'));
    expect(numberFromText(' (0300) 123-4567\n')).toEqual(dialled('03001234567'));
    expect(numberFromText('tel:+15550100')).toEqual(dialled('+15550100'));
  });

  it('finds the one number in a sentence', () => {
    expect(numberFromText('Please call Ann on +92 300 1234567 after 5')).toEqual(dialled('+923001234567'));
    expect(numberFromText('Ann: 0300-1234567, Ann again: 0300-1234567')).toEqual(dialled('03001234567'));
  });

  it('never guesses between several numbers, and says when there is none', () => {
    expect(numberFromText('Ann 0300 1234567 or Bob 0321 7654321')).toEqual({ ok: false, reason: 'the selection holds 2 numbers; select just the one to dial' });
    expect(numberFromText('')).toEqual({ ok: false, reason: 'select or copy a phone number first' });
    expect(numberFromText('hello world')).toEqual({ ok: false, reason: 'there is no phone number in "hello world"' });
  });

  it('normalises the way people write numbers', () => {
    expect(normaliseDialable('+92\u00a0300\u2011123 4567')).toEqual(dialled('+923001234567'));
    expect(normaliseDialable('[0300] / 1234567')).toEqual(dialled('03001234567'));
    expect(normaliseDialable('#31#0300123')).toEqual(dialled('#31#0300123'));
  });
});
