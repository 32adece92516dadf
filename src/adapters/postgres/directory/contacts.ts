import type { Queryable } from '../database';
import type { Contact } from '../../../domain/directory/Directory';
import { contactForKey, contactRowValues, contactSearchValues, likePattern, rekeyedNumbers, toContact, type ContactRow } from '../../../domain/directory/contacts';
import { numberTail, type NumberNormaliser } from '../../../domain/directory/numbers';

// PostgresDirectory's SQL for contacts; the rules (checks, CSV reading, search patterns,
// re-keying, which row is a number's contact) are src/domain/directory/contacts.ts, shared with SQLite.

type StoredContact = ContactRow & { number_tail: string | null };

/**
 * Upserts validated contacts (numbers already the directory's key) in one statement. A batch may
 * hold one number twice (a file spelling it two ways): the later row wins, as it would written
 * one by one, and ON CONFLICT never meets a row twice.
 */
export async function writeContacts(db: Queryable, account: string, contacts: readonly Contact[]): Promise<void> {
  const latest = [...new Map(contacts.map((contact) => [contact.number, contact])).values()];
  if (latest.length === 0) return;
  const columns: unknown[][] = [[], [], [], [], [], []];
  for (const contact of latest) contactRowValues(account, contact).slice(1).forEach((value, at) => columns[at]!.push(value));
  await db.query(
    `INSERT INTO dir_contacts (account, number, number_tail, name, company, notes, crm_url)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
     ON CONFLICT (account, number) DO UPDATE SET
       name = excluded.name, company = excluded.company, notes = excluded.notes, crm_url = excluded.crm_url`,
    [account, ...columns],
  );
}

/**
 * The contacts of several numbers as the calls have them (any spelling), in one query: each
 * number's key and last digits are looked up together, then contactForKey picks its contact.
 */
export async function contactsByNumbers(db: Queryable, account: string, raws: readonly string[], numbers: NumberNormaliser): Promise<Map<string, Contact>> {
  const keys = new Map(raws.map((raw) => [raw, numbers.canonical(raw)]));
  const wanted = [...new Set([...keys.values()].map((key) => key.number).filter((number) => number !== ''))];
  const found = new Map<string, Contact>();
  if (wanted.length === 0) return found;
  const tails = [...new Set(wanted.map(numberTail).filter((tail): tail is string => tail !== null))];
  const { rows } = await db.query<StoredContact>(
    'SELECT * FROM dir_contacts WHERE account = $1 AND (number = ANY($2::text[]) OR number_tail = ANY($3::text[]))',
    [account, wanted, tails],
  );
  for (const [raw, key] of keys) {
    const row = contactForKey(key, rows);
    if (row) found.set(raw, toContact(row));
  }
  return found;
}

/** Substring (case-insensitive) of name, company or number (contactSearchValues), ordered by name as SQLite's NOCASE does. */
export async function searchContactRows(db: Queryable, account: string, q: string, limit: number, numbers: NumberNormaliser): Promise<Contact[]> {
  const { pattern, numberPattern, number } = contactSearchValues(q, numbers);
  const { rows } = await db.query<ContactRow>(
    `SELECT * FROM dir_contacts WHERE account = $1
       AND (name ILIKE $2 ESCAPE '\\' OR company ILIKE $2 ESCAPE '\\' OR number ILIKE $3 ESCAPE '\\' OR number = $4)
     ORDER BY lower(name COLLATE "C"), number COLLATE "C" LIMIT $5`,
    [account, pattern, numberPattern, number, limit],
  );
  return rows.map(toContact);
}

/** Numbers (and number tails) of contacts whose name or company contains q: the call log's free-text search. */
export async function contactNumbersMatching(db: Queryable, account: string, q: string, limit: number): Promise<Array<{ number: string; tail: string | null }>> {
  const { rows } = await db.query<{ number: string; tail: string | null }>(
    `SELECT number, number_tail AS tail FROM dir_contacts WHERE account = $1
       AND (name ILIKE $2 ESCAPE '\\' OR company ILIKE $2 ESCAPE '\\') LIMIT $3`,
    [account, likePattern(q.trim()), limit],
  );
  return rows;
}

/**
 * Re-keys contacts stored under a national number once a default country is configured
 * (rekeyedNumbers), as SqliteDirectory does at open: the row already under the E.164 key is kept
 * and the national one dropped. Idempotent. Returns the accounts it changed.
 */
export async function canonicaliseStoredNumbers(db: Queryable, numbers: NumberNormaliser): Promise<Set<string>> {
  const changed = new Set<string>();
  if (numbers.defaultCountry === null) return changed;
  const { rows } = await db.query<{ account: string; number: string }>(
    `SELECT account, number FROM dir_contacts WHERE number NOT LIKE '+%' AND length(number) > 6`,
  );
  for (const move of rekeyedNumbers(rows, numbers)) {
    const moved = await db.query(
      `UPDATE dir_contacts SET number = $1, number_tail = $2 WHERE account = $3 AND number = $4
         AND NOT EXISTS (SELECT 1 FROM dir_contacts WHERE account = $3 AND number = $1)`,
      [move.to, move.tail, move.account, move.from],
    );
    if (moved.rowCount === 0) await db.query('DELETE FROM dir_contacts WHERE account = $1 AND number = $2', [move.account, move.from]);
    changed.add(move.account);
  }
  return changed;
}
