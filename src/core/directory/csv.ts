/**
 * A small RFC 4180 reader: comma-separated fields, double-quoted fields that may hold commas,
 * doubled quotes and line breaks, CRLF or LF line ends, an optional UTF-8 BOM. Each record
 * carries the 1-based line it starts on, so an importer can point at the offending line.
 * Line breaks inside quoted fields come back as `\n`. Malformed quoting does not throw: the
 * record comes back with `error` set and reading goes on at the next line (an unterminated
 * quote runs to the end of the text, as RFC 4180 reads it).
 */
export interface CsvRecord {
  line: number;
  fields: string[];
  error: string | null;
}

function isLineEnd(c: string | undefined): boolean {
  return c === '\n' || c === '\r';
}

export function parseCsv(input: string): CsvRecord[] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const n = text.length;
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;

  /** Consumes one line end at i (CRLF, LF or CR), if there is one. */
  const eatLineEnd = (): void => {
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else if (isLineEnd(text[i])) i += 1;
    else return;
    line += 1;
  };

  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let error: string | null = null;
    let quotedSeen = false;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        quotedSeen = true;
        i += 1;
        let closed = false;
        while (i < n) {
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i += 1;
            closed = true;
            break;
          }
          if (c === '\r' || c === '\n') {
            field += '\n';
            i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
            line += 1;
            continue;
          }
          field += c;
          i += 1;
        }
        if (!closed) error ??= 'unterminated quoted field';
        if (i < n && text[i] !== ',' && !isLineEnd(text[i])) {
          error ??= 'unexpected character after a closing quote';
          while (i < n && text[i] !== ',' && !isLineEnd(text[i])) i += 1;
        }
      } else {
        const begin = i;
        while (i < n && text[i] !== ',' && !isLineEnd(text[i])) i += 1;
        field = text.slice(begin, i);
      }
      fields.push(field);
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      eatLineEnd();
      break;
    }
    const blank = fields.length === 1 && fields[0] === '' && !quotedSeen;
    if (!blank) records.push({ line: start, fields, error });
  }
  return records;
}
