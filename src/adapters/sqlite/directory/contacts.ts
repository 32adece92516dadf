import { setImmediate as nextTurn } from 'node:timers/promises';
import { statementCache, type SqliteDatabase } from '../database';
import type { Contact, CsvImportResult, CsvSource } from '../../../domain/directory/Directory';
import {
  DEFAULT_IMPORT_LIMITS, contactRowValues, contactSearchValues, likePattern, readContactsCsv, rekeyedNumbers, toContact,
  type ContactRow, type ImportLimits,
} from '../../../domain/directory/contacts';
import { numberTail, type NumberNormaliser } from '../../../domain/directory/numbers';

// The contact rules (checks, CSV reading, search patterns, re-keying) are src/domain/directory/contacts.ts;
// this file holds SqliteDirectory's SQL for them.

const UPSERT_SQL = `
  INSERT INTO dir_contacts (account, number, number_tail, name, company, notes, crm_url)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (account, number) DO UPDATE SET
    name = excluded.name, company = excluded.company, notes = excluded.notes, crm_url = excluded.crm_url`;

/** Writes a validated contact (its number already the directory's key). */
export function writeContact(db: SqliteDatabase, account: string, contact: Contact): void {
  statementCache(db)(UPSERT_SQL).run(...contactRowValues(account, contact));
}

/**
 * Re-keys contacts stored before a default country was configured (or before the number
 * library): a national number the library can now place becomes E.164 (rekeyedNumbers). E.164
 * keys never change, so this only looks at the others, and is idempotent. When the E.164 key is
 * already taken, the row under it is kept and the national one dropped.
 */
export function canonicaliseStoredNumbers(db: SqliteDatabase, numbers: NumberNormaliser): { rekeyed: number; merged: number } {
  if (numbers.defaultCountry === null) return { rekeyed: 0, merged: 0 };
  const sql = statementCache(db);
  return db.transaction(() => {
    const rows = sql(`SELECT account, number FROM dir_contacts WHERE number NOT LIKE '+%' AND length(number) > 6`).all() as Array<{ account: string; number: string }>;
    let rekeyed = 0;
    let merged = 0;
    for (const move of rekeyedNumbers(rows, numbers)) {
      const moved = sql('UPDATE OR IGNORE dir_contacts SET number = ?, number_tail = ? WHERE account = ? AND number = ?')
        .run(move.to, move.tail, move.account, move.from).changes;
      if (moved > 0) {
        rekeyed += 1;
      } else {
        sql('DELETE FROM dir_contacts WHERE account = ? AND number = ?').run(move.account, move.from);
        merged += 1;
      }
    }
    return { rekeyed, merged };
  }).immediate();
}

/**
 * Imports `number,name,company,notes,crm_url` (readContactsCsv reads and checks the file as it
 * arrives). The good rows are upserted by number once the whole file has been read, in
 * transactions of `batchSize` rows with the event loop free in between (popups keep flowing
 * during a large import). A file that fails as a whole writes nothing.
 */
export async function importContacts(
  db: SqliteDatabase, account: string, source: CsvSource, numbers: NumberNormaliser, limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
): Promise<CsvImportResult> {
  const { valid, rejected } = await readContactsCsv(source, numbers, limits);
  const write = db.transaction((batch: Contact[]) => {
    for (const contact of batch) writeContact(db, account, contact);
  });
  for (let at = 0; at < valid.length; at += limits.batchSize) {
    if (at > 0) await nextTurn();
    write.immediate(valid.slice(at, at + limits.batchSize));
  }
  return { imported: valid.length, rejected };
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
  // The exact number first, else the longest number sharing its last digits; one statement (one
  // read of the file) for both, as a caller not in the directory needs both (issue 15).
  const row = statementCache(db)(
    `SELECT * FROM (
       SELECT *, 0 AS rank FROM dir_contacts WHERE account = @account AND number = @number
       UNION ALL
       SELECT *, 1 AS rank FROM dir_contacts
        WHERE @tail IS NOT NULL AND account = @account AND number_tail = @tail AND (@e164 = 0 OR number NOT LIKE '+%')
     ) ORDER BY rank, length(number) DESC, number LIMIT 1`,
  ).get({ account, number: key.number, tail: numberTail(key.number), e164: key.e164 ? 1 : 0 }) as ContactRow | undefined;
  return row ? toContact(row) : null;
}

/** Substring (case-insensitive) of name, company or number (contactSearchValues). */
export function searchContactRows(db: SqliteDatabase, account: string, q: string, limit: number, numbers: NumberNormaliser): Contact[] {
  const { pattern, numberPattern, number } = contactSearchValues(q, numbers);
  const rows = statementCache(db)(
      `SELECT * FROM dir_contacts WHERE account = ?
         AND (name LIKE ? ESCAPE '\\' OR company LIKE ? ESCAPE '\\' OR number LIKE ? ESCAPE '\\' OR number = ?)
       ORDER BY name COLLATE NOCASE, number LIMIT ?`,
    )
    .all(account, pattern, pattern, numberPattern, number, limit) as ContactRow[];
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
