import { z } from 'zod';
import { statementCache, type SqliteDatabase } from '../shared/sqlite';
import type { Contact, CsvImportResult } from './Directory';
import { DirectoryError } from './errors';
import { parseCsv } from './csv';
import { normaliseNumber, numberTail } from './numbers';

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

export const contactSchema = z.object({
  number: z
    .string()
    .transform(normaliseNumber)
    .refine((v) => /\d/.test(v), 'number must contain digits'),
  name: z.string().trim().min(1, 'name is required'),
  company: optionalText,
  notes: optionalText,
  crmUrl: optionalText.refine((v) => v === null || isHttpUrl(v), 'crm_url must be an http(s) URL'),
});

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => issue.message).join('; ');
}

/** Validates and normalises one contact; throws DirectoryError('invalid_input'). */
export function validateContact(input: unknown): Contact {
  const parsed = contactSchema.safeParse(input);
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

export function writeContact(db: SqliteDatabase, account: string, contact: Contact): void {
  statementCache(db)(UPSERT_SQL).run(account, contact.number, numberTail(contact.number), contact.name, contact.company, contact.notes, contact.crmUrl);
}

const COLUMNS = ['number', 'name', 'company', 'notes', 'crm_url'] as const;
type Column = (typeof COLUMNS)[number];

/**
 * Imports `number,name,company,notes,crm_url` (any order; company, notes and crm_url optional;
 * unknown columns ignored). Valid rows are upserted by number in one transaction; invalid ones
 * come back with their 1-based line. A file without a usable header throws bad_csv.
 */
export function importContacts(db: SqliteDatabase, account: string, csv: string): CsvImportResult {
  const records = parseCsv(csv);
  const header = records[0];
  if (!header) throw new DirectoryError('bad_csv', 'the file is empty: a header row is required');
  if (header.error) throw new DirectoryError('bad_csv', `the header row is malformed: ${header.error}`);
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const index = new Map<Column, number>();
  for (const column of COLUMNS) {
    const at = names.indexOf(column);
    if (at >= 0) index.set(column, at);
  }
  const missing = (['number', 'name'] as const).filter((c) => !index.has(c));
  if (missing.length > 0) throw new DirectoryError('bad_csv', `the header has no ${missing.join(' or ')} column`);

  const valid: Contact[] = [];
  const rejected: CsvImportResult['rejected'] = [];
  for (const record of records.slice(1)) {
    if (record.error) {
      rejected.push({ line: record.line, reason: record.error });
      continue;
    }
    if (record.fields.length > names.length) {
      rejected.push({ line: record.line, reason: `expected at most ${names.length} fields, got ${record.fields.length}` });
      continue;
    }
    const cell = (column: Column): string | null => {
      const at = index.get(column);
      return at === undefined ? null : (record.fields[at] ?? null);
    };
    const parsed = contactSchema.safeParse({
      number: cell('number') ?? '',
      name: cell('name') ?? '',
      company: cell('company'),
      notes: cell('notes'),
      crmUrl: cell('crm_url'),
    });
    if (parsed.success) valid.push(parsed.data);
    else rejected.push({ line: record.line, reason: describeIssues(parsed.error) });
  }
  db.transaction(() => {
    for (const contact of valid) writeContact(db, account, contact);
  }).immediate();
  return { imported: valid.length, rejected };
}

/** Exact normalised number first, then the same last digits (`+923001234567` ~ `03001234567`). */
export function findContactByNumber(db: SqliteDatabase, account: string, raw: string): Contact | null {
  const number = normaliseNumber(raw);
  if (number === '') return null;
  const exact = statementCache(db)('SELECT * FROM dir_contacts WHERE account = ? AND number = ?').get(account, number) as ContactRow | undefined;
  if (exact) return toContact(exact);
  const tail = numberTail(number);
  if (tail === null) return null;
  const byTail = statementCache(db)('SELECT * FROM dir_contacts WHERE account = ? AND number_tail = ? ORDER BY length(number) DESC, number LIMIT 1')
    .get(account, tail) as ContactRow | undefined;
  return byTail ? toContact(byTail) : null;
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Substring (case-insensitive) of name, company or number; for the number the query is normalised first, so `300-123` finds `+92300123...`. */
export function searchContactRows(db: SqliteDatabase, account: string, q: string, limit: number): Contact[] {
  const text = q.trim();
  const pattern = likePattern(text);
  const digits = normaliseNumber(text);
  const numberPattern = likePattern(digits === '' ? text : digits);
  const rows = statementCache(db)(
      `SELECT * FROM dir_contacts WHERE account = ?
         AND (name LIKE ? ESCAPE '\\' OR company LIKE ? ESCAPE '\\' OR number LIKE ? ESCAPE '\\')
       ORDER BY name COLLATE NOCASE, number LIMIT ?`,
    )
    .all(account, pattern, pattern, numberPattern, limit) as ContactRow[];
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
