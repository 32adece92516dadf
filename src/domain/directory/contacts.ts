import { z } from 'zod';
import type { Contact, CsvImportResult, CsvSource } from './Directory';
import { DirectoryError } from './errors';
import { CsvReader, type CsvRecord } from './csv';
import { normaliseNumber, numberDigits, numberTail, type CanonicalNumber, type NumberNormaliser } from './numbers';

/**
 * Contacts as both directory adapters keep them (SqliteDirectory, PostgresDirectory): the checks
 * of a contact, the CSV import's reading of a file, the search patterns and the re-keying of
 * national numbers. Pure; the adapters only write and read rows.
 */

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

export type ContactRow = { number: string; name: string; company: string | null; notes: string | null; crm_url: string | null };

export function toContact(row: ContactRow): Contact {
  return { number: row.number, name: row.name, company: row.company, notes: row.notes, crmUrl: row.crm_url };
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
 * Reads a whole CSV import (a string or a stream of chunks): the header, then each row validated
 * on its own. Bad rows come back with their 1-based line; a file that fails as a whole throws
 * (no usable header: bad_csv; more than `maxRows` rows: too_many_rows; the source failing). The
 * caller writes `valid` in batches of `limits.batchSize` once this returns, so a failing file
 * writes nothing.
 */
export async function readContactsCsv(source: CsvSource, numbers: NumberNormaliser, limits: ImportLimits): Promise<{ valid: Contact[]; rejected: CsvImportResult['rejected'] }> {
  const reader = new CsvReader();
  const rows = new ImportRows(numbers, limits);
  for await (const text of textChunks(source)) rows.take(reader.push(text));
  rows.take(reader.end());
  rows.finish();
  return { valid: rows.valid, rejected: rows.rejected };
}

/** The rows of a contact upsert: (account, number, number_tail, name, company, notes, crm_url). */
export function contactRowValues(account: string, contact: Contact): unknown[] {
  return [account, contact.number, numberTail(contact.number), contact.name, contact.company, contact.notes, contact.crmUrl];
}

/** A LIKE pattern (escape character `\\`) for "contains q". */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The values of a contact search (searchContacts): the pattern for name and company, the one for
 * the number (the query cleaned up first, so `300-123` finds `+92300123...`) and the whole
 * number in its stored form (a whole number in any spelling finds its contact).
 */
export function contactSearchValues(q: string, numbers: NumberNormaliser): { pattern: string; numberPattern: string; number: string } {
  const text = q.trim();
  const digits = normaliseNumber(text);
  return { pattern: likePattern(text), numberPattern: likePattern(digits === '' ? text : digits), number: numbers.canonical(text).number };
}

/**
 * The stored contact numbers whose key changes with this default country: national numbers the
 * library can now place become E.164 (a number stored before a default country was configured).
 * E.164 keys never change, so only numbers without `+` and longer than an extension are given.
 */
export function rekeyedNumbers(stored: Array<{ account: string; number: string }>, numbers: NumberNormaliser): Array<{ account: string; from: string; to: string; tail: string | null }> {
  if (numbers.defaultCountry === null) return [];
  const moves = [];
  for (const row of stored) {
    const key = numbers.canonical(row.number);
    if (key.e164 && key.number !== row.number) moves.push({ account: row.account, from: row.number, to: key.number, tail: numberTail(key.number) });
  }
  return moves;
}

/**
 * The contact of a number among rows read by its key and its last digits (SqliteDirectory does
 * the same in SQL): the row under the same key first, else one with the same last digits (the
 * longest number, then the first in byte order). Two E.164 numbers are never matched by their
 * last digits: when `key` is E.164, only contacts stored under a national form qualify for that.
 */
export function contactForKey<R extends { number: string; number_tail: string | null }>(key: CanonicalNumber, rows: readonly R[]): R | null {
  if (key.number === '') return null;
  const exact = rows.find((row) => row.number === key.number);
  if (exact) return exact;
  const tail = numberTail(key.number);
  if (tail === null) return null;
  const byTail = rows
    .filter((row) => row.number_tail === tail && !(key.e164 && row.number.startsWith('+')))
    .sort((a, b) => b.number.length - a.number.length || (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
  return byTail[0] ?? null;
}
