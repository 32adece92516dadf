// A caller's card: the contact stored under the caller's number, else one stored without its
// country that ends in the same digits (src/adapters/sqlite/directory/contacts.ts, one statement for both).
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteDirectory } from '../../../../../src/adapters/sqlite/directory/SqliteDirectory';
import { openTempDatabase } from '../../../../support/tmp';

const contact = (number: string, name: string) => ({ number, name, company: null, notes: null, crmUrl: null });

describe('SqliteDirectory.contactByNumber', () => {
  let temp: ReturnType<typeof openTempDatabase>;
  let directory: SqliteDirectory;

  beforeEach(() => {
    temp = openTempDatabase();
    // No default country: a national number stays as written, so only its last digits can match.
    directory = new SqliteDirectory(temp.db);
  });
  afterEach(() => temp.cleanup());

  it('finds a contact stored without the country by the last digits of an international caller; the longest such number wins', async () => {
    await directory.upsertContact('acme', contact('300 1234567', 'Short'));
    await directory.upsertContact('acme', contact('0300 1234567', 'Zara (local)'));
    expect((await directory.contactByNumber('acme', '+923001234567'))?.name).toBe('Zara (local)');
    expect(await directory.contactByNumber('acme', '+923001234568')).toBeNull();
  });

  it('prefers the contact stored under the caller\'s own number to one that only ends the same', async () => {
    await directory.upsertContact('acme', contact('0300 1234567', 'Zara (local)'));
    await directory.upsertContact('acme', contact('+92 300 1234567', 'Zara'));
    expect((await directory.contactByNumber('acme', '+923001234567'))?.name).toBe('Zara');
    // A caller written the local way finds the local contact exactly.
    expect((await directory.contactByNumber('acme', '03001234567'))?.name).toBe('Zara (local)');
  });

  it('does not match an international contact by the last digits of another international caller', async () => {
    await directory.upsertContact('acme', contact('+44 300 1234567', 'London'));
    expect(await directory.contactByNumber('acme', '+923001234567')).toBeNull();
  });
});

describe('SqliteDirectory.contactByNumber statements', () => {
  it('asks SQLite once for a caller who is not in the directory (the exact number and the last digits together)', async () => {
    const ran: string[] = [];
    const db = new Database(':memory:', { verbose: (sql) => ran.push(String(sql)) });
    try {
      const directory = new SqliteDirectory(db);
      await directory.upsertContact('acme', contact('0300 1234567', 'Zara (local)'));
      ran.length = 0;
      expect(await directory.contactByNumber('acme', '+923001239999')).toBeNull();
      expect(ran.filter((sql) => /FROM dir_contacts/.test(sql))).toHaveLength(1);
    } finally {
      db.close();
    }
  });
});
