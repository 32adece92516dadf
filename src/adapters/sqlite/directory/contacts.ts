import { setImmediate as nextTurn } from 'node:timers/promises';
import { z } from 'zod';
import { statementCache, type SqliteDatabase } from '../database';
import type { Contact, CsvImportResult, CsvSource } from '../../../domain/directory/Directory';
import { DirectoryError } from '../../../domain/directory/errors';
import { CsvReader, type CsvRecord } from '../../../domain/directory/csv';
import { normaliseNumber, numberDigits, numberTail, type NumberNormaliser } from '../../../domain/directory/numbers';

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** '' and whitespace become null: optional CSV cells and form fields are often just empty. */
const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v == null || v.trim() === '' ? null : v.trim()));

/** E.164 has at most 15 digits; a national prefix or an IDD adds a few. */
const MAX_NUMBER_DIGITS = 18;

/**
 * A contact as given (API body or CSV row) to a contact as stored: the number becomes the
 * directory's key (E.164 when the library can place it with the default country, otherwise its
 * cleaned-up form: extensions and service codes), so one number is one contact however written.
 */
export function contactSchemaFor(numbers: NumberNormaliser) {
  let schema = schemas.get(numbers);
  if (!schema) schemas.set(numbers, (schema = buildContactSchema(numbers)));
  return schema;
}

function buildContactSchema(numbers: NumberNormaliser) {
  return z.object({
    number: z
      .string()
      .trim()
      // One reason per number: each check stops the ones after it.
      .min(1, { message: 'number is required', abort: true })
      .refine((v) => /^\+?[0-9*#]*\d[0-9*#]*$/.test(normaliseNumber(v)), {
        message: 'number must be digits (spaces, dashes, dots, parentheses, a leading + or 00, * and # are fine)', abort: true,
      })
      .refine((v) => numberDigits(v).length <= MAX_NUMBER_DIGITS, { message: `number has more than ${MAX_NUMBER_DIGITS} digits`, abort: true })
      .transform((v) => numbers.canonical(v))
      .refine((v) => v.e164 || !v.number.startsWith('+'), 'number is not a possible international number')
      .transform((v) => v.number),
    name: z.string().trim().min(1, 'name is required'),
    company: optionalText,
    notes: optionalText,
    crmUrl: optionalText.refine((v) => v === null || isHttpUrl(v), 'crm_url must be an http(s) URL'),
  });
}

const schemas = new WeakMap<NumberNormaliser, ReturnType<typeof buildContactSchema>>();

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => issue.message).join('; ');
}

/** Validates and normalises one contact; throws DirectoryError('invalid_input'). */
export function validateContact(input: unknown, numbers: NumberNormaliser): Contact {
  const parsed = contactSchemaFor(numbers).safeParse(input);
  if (!parsed.success) throw new DirectoryError('invalid_input', describeIssues(parsed.error));
  return parsed.data;
}

type ContactRow = { number: string; name: string; company: string | null; notes: string | null; crm_url: string | null };

function toContact(row: ContactRow): Contact {
  return { number: row.number, name: row.name, company: row.company, notes: row.notes, crmUrl: row.crm_url };
}

const UPSERT_SQL = `
  INSERT INTO dir_contacts (account, number, number_tail, name, company, notes, crm_url)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (account, number) DO UPDATE SET
    name = excluded.name, company = excluded.company, notes = excluded.notes, crm_url = excluded.crm_url`;

/** Writes a validated contact (its number already the directory's key). */
export function writeContact(db: SqliteDatabase, account: string, contact: Contact): void {
  statementCache(db)(UPSERT_SQL).run(account, contact.number, numberTail(contact.number), contact.name, contact.company, contact.notes, contact.crmUrl);
}

/**
 * Re-keys contacts stored before a default country was configured (or before the number
 * library): a national number the library can now place becomes E.164. E.164 keys never change
 * (they do not depend on the country), so this only looks at the others, and is idempotent.
 * When the E.164 key is already taken, the row under it is kept and the national one dropped.
 */
export function canonicaliseStoredNumbers(db: SqliteDatabase, numbers: NumberNormaliser): { rekeyed: number; merged: number } {
  if (numbers.defaultCountry === null) return { rekeyed: 0, merged: 0 };
  const sql = statementCache(db);
  return db.transaction(() => {
    const rows = sql(`SELECT account, number FROM dir_contacts WHERE number NOT LIKE '+%' AND length(number) > 6`).all() as Array<{ account: string; number: string }>;
    let rekeyed = 0;
    let merged = 0;
    for (const row of rows) {
      const key = numbers.canonical(row.number);
      if (!key.e164 || key.number === row.number) continue;
      const moved = sql('UPDATE OR IGNORE dir_contacts SET number = ?, number_tail = ? WHERE account = ? AND number = ?')
        .run(key.number, numberTail(key.number), row.account, row.number).changes;
      if (moved > 0) {
        rekeyed += 1;
      } else {
        sql('DELETE FROM dir_contacts WHERE account = ? AND number = ?').run(row.account, row.number);
        merged += 1;
      }
    }
    return { rekeyed, merged };
  }).immediate();
}

const COLUMNS = ['number', 'name', 'company', 'notes', 'crm_url'] as const;
type Column = (typeof COLUMNS)[number];

export interface ImportLimits {
  /** Data rows (good and bad) one import may have; more is DirectoryError('too_many_rows'). */
  maxRows: number;
  /** Contacts written per transaction. */
  batchSize: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxRows: 100_000, batchSize: 500 };

/** The rows of one import as they come: the header first, then each record validated on its own. */
class ImportRows {
  private names: string[] | null = null;
  private readonly index = new Map<Column, number>();
  private rows = 0;
  readonly valid: Contact[] = [];
  readonly rejected: CsvImportResult['rejected'] = [];
  private readonly schema: ReturnType<typeof contactSchemaFor>;

  constructor(numbers: NumberNormaliser, private readonly limits: ImportLimits) {
    this.schema = contactSchemaFor(numbers);
  }

  take(records: CsvRecord[]): void {
    for (const record of records) {
      if (this.names === null) this.header(record);
      else this.row(record, this.names);
    }
  }

  /** After the last record: a file without even a header is no import. */
  finish(): void {
    if (this.names === null) throw new DirectoryError('bad_csv', 'the file is empty: a header row is required');
  }

  private header(record: CsvRecord): void {
    if (record.error) throw new DirectoryError('bad_csv', `the header row is malformed: ${record.error}`);
    const names = record.fields.map((f) => f.trim().toLowerCase());
    for (const column of COLUMNS) {
      const at = names.indexOf(column);
      if (at >= 0) this.index.set(column, at);
    }
    const missing = (['number', 'name'] as const).filter((c) => !this.index.has(c));
    if (missing.length > 0) throw new DirectoryError('bad_csv', `the header has no ${missing.join(' or ')} column`);
    this.names = names;
  }

  private row(record: CsvRecord, names: string[]): void {
    this.rows += 1;
    if (this.rows > this.limits.maxRows) {
      throw new DirectoryError('too_many_rows', `more than ${this.limits.maxRows} rows in one import (line ${record.line}); split the file`);
    }
    if (record.error) {
      this.rejected.push({ line: record.line, reason: record.error });
      return;
    }
    if (record.fields.length > names.length) {
      this.rejected.push({ line: record.line, reason: `expected at most ${names.length} fields, got ${record.fields.length}` });
      return;
    }
    const cell = (column: Column): string | null => {
      const at = this.index.get(column);
      return at === undefined ? null : (record.fields[at] ?? null);
    };
    const parsed = this.schema.safeParse({
      number: cell('number') ?? '',
      name: cell('name') ?? '',
      company: cell('company'),
      notes: cell('notes'),
      crmUrl: cell('crm_url'),
    });
    if (parsed.success) this.valid.push(parsed.data);
    else this.rejected.push({ line: record.line, reason: describeIssues(parsed.error) });
  }
}

async function* textChunks(source: CsvSource): AsyncGenerator<string> {
  if (typeof source === 'string') {
    yield source;
    return;
  }
  // UTF-8 split anywhere (a character may straddle two chunks); a leading BOM is dropped.
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    yield typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  yield decoder.decode();
}

/**
 * Imports `number,name,company,notes,crm_url` (any order; company, notes and crm_url optional;
 * unknown columns ignored) from a string or a stream of chunks (an HTTP request body). The text
 * is parsed and each row validated as it arrives; bad rows come back with their 1-based line and
 * change nothing. The good rows are upserted by number once the whole file has been read, in
 * transactions of `batchSize` rows with the event loop free in between (popups keep flowing
 * during a large import). A file that fails as a whole (no usable header: bad_csv; too many rows:
 * too_many_rows; the source failing, e.g. a body over its size limit) writes nothing.
 */
export async function importContacts(
  db: SqliteDatabase, account: string, source: CsvSource, numbers: NumberNormaliser, limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
): Promise<CsvImportResult> {
  const reader = new CsvReader();
  const rows = new ImportRows(numbers, limits);
  for await (const text of textChunks(source)) rows.take(reader.push(text));
  rows.take(reader.end());
  rows.finish();
  const write = db.transaction((batch: Contact[]) => {
    for (const contact of batch) writeContact(db, account, contact);
  });
  for (let at = 0; at < rows.valid.length; at += limits.batchSize) {
    if (at > 0) await nextTurn();
    write.immediate(rows.valid.slice(at, at + limits.batchSize));
  }
  return { imported: rows.valid.length, rejected: rows.rejected };
}

/**
 * The contact of a number: the same key first (E.164 or, for numbers the library cannot place,
 * the cleaned-up form), then the same last digits (`03001234567` without a default country ~
 * `+923001234567`). Two E.164 numbers are never matched by their last digits: when the number
 * asked for is E.164, only contacts stored under a national form are candidates for that.
 */
export function findContactByNumber(db: SqliteDatabase, account: string, raw: string, numbers: NumberNormaliser): Contact | null {
  const key = numbers.canonical(raw);
  if (key.number === '') return null;
  const exact = statementCache(db)('SELECT * FROM dir_contacts WHERE account = ? AND number = ?').get(account, key.number) as ContactRow | undefined;
  if (exact) return toContact(exact);
  const tail = numberTail(key.number);
  if (tail === null) return null;
  const byTail = statementCache(db)(
      `SELECT * FROM dir_contacts WHERE account = ? AND number_tail = ? AND (? = 0 OR number NOT LIKE '+%')
       ORDER BY length(number) DESC, number LIMIT 1`,
    )
    .get(account, tail, key.e164 ? 1 : 0) as ContactRow | undefined;
  return byTail ? toContact(byTail) : null;
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Substring (case-insensitive) of name, company or number; for the number the query is cleaned
 * up first, so `300-123` finds `+92300123...`, and a whole number in any form finds its contact.
 */
export function searchContactRows(db: SqliteDatabase, account: string, q: string, limit: number, numbers: NumberNormaliser): Contact[] {
  const text = q.trim();
  const pattern = likePattern(text);
  const digits = normaliseNumber(text);
  const numberPattern = likePattern(digits === '' ? text : digits);
  const rows = statementCache(db)(
      `SELECT * FROM dir_contacts WHERE account = ?
         AND (name LIKE ? ESCAPE '\\' OR company LIKE ? ESCAPE '\\' OR number LIKE ? ESCAPE '\\' OR number = ?)
       ORDER BY name COLLATE NOCASE, number LIMIT ?`,
    )
    .all(account, pattern, pattern, numberPattern, numbers.canonical(text).number, limit) as ContactRow[];
  return rows.map(toContact);
}

/** Numbers (and number tails) of contacts whose name or company contains q: the call log's free-text search. */
export function contactNumbersMatching(db: SqliteDatabase, account: string, q: string, limit: number): Array<{ number: string; tail: string | null }> {
  const pattern = likePattern(q.trim());
  return statementCache(db)(
      `SELECT number, number_tail AS tail FROM dir_contacts WHERE account = ?
         AND (name LIKE ? ESCAPE '\\' OR company LIKE ? ESCAPE '\\') LIMIT ?`,
    )
    .all(account, pattern, pattern, limit) as Array<{ number: string; tail: string | null }>;
}
