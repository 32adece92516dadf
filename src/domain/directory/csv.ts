/**
 * A small RFC 4180 reader: comma-separated fields, double-quoted fields that may hold commas,
 * doubled quotes and line breaks, CRLF, LF or CR line ends, an optional UTF-8 BOM. Each record
 * carries the 1-based line it starts on, so an importer can point at the offending line.
 * Line breaks inside quoted fields come back as `\n`. Malformed quoting does not throw: the
 * record comes back with `error` set and reading goes on at the next line (an unterminated
 * quote runs to the end of the text, as RFC 4180 reads it).
 *
 * CsvReader reads incrementally: text goes in in chunks of any size (a chunk may end anywhere,
 * inside a quoted field or between the CR and LF of a line end) and complete records come out
 * as soon as their line end is seen, so an import never holds the whole file. It is kept rather
 * than csv-parse because csv-parse (7.x) loses the good rows after a malformed quote unless its
 * quoting is relaxed, cannot then tell `"a"b` from a field, and counts the line break of a
 * quoted CRLF twice, so its line numbers drift.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
  error: string | null;
}

/**
 * Where the reader is inside the current record: at the start of a field (also of a record), in
 * an unquoted or a quoted field, just after a `"` in a quoted field (a doubled quote or the
 * closing one: the next character says), after the closing quote (only `,` or a line end may
 * follow), or skipping what follows a closing quote up to the next `,` or line end (an error).
 */
type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'afterQuoted' | 'junk';

export class CsvReader {
  private state: State = 'fieldStart';
  /** The previous chunk ended with CR: an LF at the start of the next one belongs to it. */
  private pendingCr = false;
  private line = 1;
  private started = false;
  private first = true;
  private recordLine = 1;
  private fields: string[] = [];
  private field = '';
  private quotedSeen = false;
  private error: string | null = null;

  /** Reads a chunk; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    let text = chunk;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    const out: CsvRecord[] = [];
    const n = text.length;
    let i = 0;
    if (this.pendingCr && n > 0) {
      this.pendingCr = false;
      if (text[0] === '\n') i = 1;
    }
    while (i < n) {
      const c = text[i]!;
      switch (this.state) {
        case 'fieldStart':
        case 'unquoted': {
          if (this.state === 'fieldStart') {
            this.startRecord();
            if (c === '"') {
              this.quotedSeen = true;
              this.state = 'quoted';
              i += 1;
              break;
            }
            this.state = 'unquoted';
          }
          // Take the run of plain characters at once.
          let end = i;
          while (end < n && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end += 1;
          this.field += text.slice(i, end);
          i = end;
          if (i < n) i = this.delimiter(text, i, out);
          break;
        }
        case 'quoted': {
          let end = i;
          while (end < n && text[end] !== '"' && text[end] !== '\n' && text[end] !== '\r') end += 1;
          this.field += text.slice(i, end);
          i = end;
          if (i >= n) break;
          const q = text[i]!;
          if (q === '"') {
            this.state = 'quoteInQuoted';
            i += 1;
          } else {
            // A line break inside the field: kept as \n, counted once (CRLF is one break).
            this.field += '\n';
            this.line += 1;
            i += 1;
            if (q === '\r') {
              if (i < n) {
                if (text[i] === '\n') i += 1;
              } else {
                this.pendingCr = true;
              }
            }
          }
          break;
        }
        case 'quoteInQuoted':
          if (c === '"') {
            this.field += '"';
            this.state = 'quoted';
            i += 1;
          } else {
            this.state = 'afterQuoted';
          }
          break;
        case 'afterQuoted':
          if (c === ',' || c === '\n' || c === '\r') {
            i = this.delimiter(text, i, out);
          } else {
            this.error ??= 'unexpected character after a closing quote';
            this.state = 'junk';
          }
          break;
        case 'junk': {
          let end = i;
          while (end < n && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end += 1;
          i = end;
          if (i < n) i = this.delimiter(text, i, out);
          break;
        }
      }
    }
    return out;
  }

  /** The end of the text: the last record, if one was under way. */
  end(): CsvRecord[] {
    this.pendingCr = false;
    if (!this.started) return [];
    if (this.state === 'quoted') this.error ??= 'unterminated quoted field';
    const out: CsvRecord[] = [];
    this.finishRecord(out);
    return out;
  }

  private startRecord(): void {
    if (this.started) return;
    this.started = true;
    this.recordLine = this.line;
  }

  /** At a `,` or line end (index i) after a field: ends the field, and on a line end the record. */
  private delimiter(text: string, i: number, out: CsvRecord[]): number {
    const c = text[i]!;
    if (c === ',') {
      this.fields.push(this.field);
      this.field = '';
      this.state = 'fieldStart';
      // A field (maybe empty) follows the comma: the record is under way.
      return i + 1;
    }
    this.finishRecord(out);
    this.line += 1;
    if (c === '\r') {
      if (i + 1 < text.length) return text[i + 1] === '\n' ? i + 2 : i + 1;
      this.pendingCr = true;
    }
    return i + 1;
  }

  private finishRecord(out: CsvRecord[]): void {
    this.fields.push(this.field);
    const blank = this.fields.length === 1 && this.fields[0] === '' && !this.quotedSeen;
    if (!blank) out.push({ line: this.recordLine, fields: this.fields, error: this.error });
    this.fields = [];
    this.field = '';
    this.quotedSeen = false;
    this.error = null;
    this.started = false;
    this.state = 'fieldStart';
  }
}

/** Reads a whole text at once. */
export function parseCsv(input: string): CsvRecord[] {
  const reader = new CsvReader();
  return [...reader.push(input), ...reader.end()];
}
