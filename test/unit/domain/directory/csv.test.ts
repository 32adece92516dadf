import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvReader, parseCsv } from '../../../../src/domain/directory/csv';

describe('parseCsv', () => {
  it('reads plain, quoted, doubled-quote and multi-line fields with the line each record starts on', () => {
    const text = 'a,b,c\n"x, y","say ""hi""",z\n"line one\nline two",2,3\r\nlast,,\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'], error: null },
      { line: 2, fields: ['x, y', 'say "hi"', 'z'], error: null },
      { line: 3, fields: ['line one\nline two', '2', '3'], error: null },
      { line: 5, fields: ['last', '', ''], error: null },
    ]);
  });

  it('skips blank lines, strips a BOM, accepts a missing final line end and CR-only line ends', () => {
    expect(parseCsv('\uFEFFh1,h2\r\n\r\n1,2\r3,4')).toEqual([
      { line: 1, fields: ['h1', 'h2'], error: null },
      { line: 3, fields: ['1', '2'], error: null },
      { line: 4, fields: ['3', '4'], error: null },
    ]);
    expect(parseCsv('')).toEqual([]);
  });

  it('reports malformed quoting on the record and goes on with the next line', () => {
    expect(parseCsv('a,"b"c,d\nok,1\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'd'], error: 'unexpected character after a closing quote' },
      { line: 2, fields: ['ok', '1'], error: null },
    ]);
    expect(parseCsv('ok,1\n"never closed,2\n3,4')).toEqual([
      { line: 1, fields: ['ok', '1'], error: null },
      { line: 2, fields: ['never closed,2\n3,4'], error: 'unterminated quoted field' },
    ]);
    // a quote inside an unquoted field is taken literally
    expect(parseCsv('5" screen,x')[0]!.fields).toEqual(['5" screen', 'x']);
  });

  it('round-trips any fields written the RFC 4180 way', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', ' ', 'é') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const quote = (f: string) => `"${f.replace(/"/g, '""')}"`;
        const text = rows.map((r) => r.map(quote).join(',')).join('\r\n');
        const parsed = parseCsv(text);
        expect(parsed.map((r) => r.fields)).toEqual(rows);
        expect(parsed.every((r) => r.error === null)).toBe(true);
      }),
    );
  });

  it('reads a text cut into chunks anywhere (inside quotes, between CR and LF) exactly as the whole text', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é'), maxLength: 60 });
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (whole, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        const reader = new CsvReader();
        const records = [];
        let from = 0;
        for (const at of [...points, whole.length]) {
          records.push(...reader.push(whole.slice(from, at)));
          from = at;
        }
        records.push(...reader.end());
        expect(records).toEqual(parseCsv(whole));
      }),
      { numRuns: 500 },
    );
  });

  it('gives out each record as soon as its line has ended', () => {
    const reader = new CsvReader();
    expect(reader.push('number,name\r')).toEqual([{ line: 1, fields: ['number', 'name'], error: null }]);
    expect(reader.push('\n"0300,"')).toEqual([]);
    expect(reader.push('"\r\nmore",x\n"open')).toEqual([{ line: 2, fields: ['0300,"\nmore', 'x'], error: null }]);
    expect(reader.end()).toEqual([{ line: 4, fields: ['open'], error: 'unterminated quoted field' }]);
  });
});
