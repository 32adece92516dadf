// Phone web passwords are sealed at rest (src/shared/secretBox.ts): never in clear in the database
// file or its WAL, yet given back in clear to the phone client; an older Ringside's clear ones are
// sealed at open (docs/architecture.md, Files on disk).
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../../../src/adapters/sqlite/database';
import { SqliteDirectory } from '../../../../../src/adapters/sqlite/directory/SqliteDirectory';
import { SecretBox } from '../../../../../src/shared/secretBox';
import { makeTempDir } from '../../../../support/tmp';

const PASSWORD = 'Desk-Phone-Pw-4711';
const MAC = '000B82000001';
const REMOVED_PHONE_PASSWORD = 'Removed-Phone-Pw-0815';

let tmp: ReturnType<typeof makeTempDir>;
let file: string;
const opened: SqliteDatabase[] = [];
const key = SecretBox.generateKey();

function open(secrets = SecretBox.withKey(key), logger?: { info: (f: object, m: string) => void; warn: (f: object, m: string) => void }): { db: SqliteDatabase; dir: SqliteDirectory } {
  const db = openDatabase(file);
  opened.push(db);
  return { db, dir: new SqliteDirectory(db, { secrets, logger }) };
}

/** Every byte of the database file and its WAL, as anyone who can read them sees them. */
function rawBytes(): string {
  return ['', '-wal'].map((suffix) => (existsSync(`${file}${suffix}`) ? readFileSync(`${file}${suffix}`).toString('latin1') : '')).join('');
}

const storedColumn = (db: SqliteDatabase): string | null =>
  db.prepare('SELECT control_password FROM dir_devices WHERE mac = ?').pluck().get(MAC) as string | null;

function recordingLogger() {
  const lines: string[] = [];
  return { lines, info: (_f: object, m: string) => void lines.push(`info: ${m}`), warn: (_f: object, m: string) => void lines.push(`warn: ${m}`) };
}

beforeEach(() => {
  tmp = makeTempDir();
  file = join(tmp.dir, 'ringside.db');
});
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
  tmp.cleanup();
});

describe('phone web passwords at rest', () => {
  it('a saved password is sealed in the column and absent from the bytes of the file and its WAL, yet the phone client gets it in clear, also after a restart', async () => {
    const { db, dir } = open();
    await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', devices: [MAC] });
    const device = await dir.setDeviceControl('acme', MAC, { password: PASSWORD });
    expect(device.control.passwordSet).toBe(true);
    expect(JSON.stringify(device)).not.toContain(PASSWORD);

    expect(SecretBox.isSealed(storedColumn(db)!)).toBe(true);
    expect(rawBytes()).not.toContain(PASSWORD);
    expect(rawBytes()).toContain('v1:');
    expect((await dir.deviceControl('acme', MAC))?.password).toBe(PASSWORD);

    db.close();
    expect(rawBytes()).not.toContain(PASSWORD);
    const again = open();
    expect((await again.dir.deviceControl('acme', MAC))?.password).toBe(PASSWORD);
  });

  it("an older Ringside's clear-text password is sealed at open, and its clear bytes are gone from the file and the WAL", async () => {
    {
      const { db, dir } = open();
      await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', devices: [MAC] });
      // As an older Ringside stored it: the column in clear, an earlier password changed since, and
      // phones removed since whose passwords still sit in the file's free pages.
      db.prepare('UPDATE dir_devices SET control_password = ? WHERE mac = ?').run(`${PASSWORD}-before`, MAC);
      db.prepare('UPDATE dir_devices SET control_password = ? WHERE mac = ?').run(PASSWORD, MAC);
      const removed = Array.from({ length: 300 }, (_, i) => `000B8201${i.toString(16).toUpperCase().padStart(4, '0')}`);
      for (const mac of removed) db.prepare("INSERT INTO dir_devices (account, mac, control_password) VALUES ('acme', ?, ?)").run(mac, REMOVED_PHONE_PASSWORD);
      for (const mac of removed) await dir.removeDevice('acme', mac);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    }
    expect(rawBytes()).toContain(PASSWORD);
    expect(rawBytes()).toContain(REMOVED_PHONE_PASSWORD);

    const logger = recordingLogger();
    const { db, dir } = open(SecretBox.withKey(key), logger);
    expect(SecretBox.isSealed(storedColumn(db)!)).toBe(true);
    expect(rawBytes()).not.toContain(PASSWORD);
    expect(rawBytes()).not.toContain(REMOVED_PHONE_PASSWORD);
    expect((await dir.deviceControl('acme', MAC))?.password).toBe(PASSWORD);
    expect(logger.lines).toEqual(['info: sealed 1 phone web password(s) kept in clear by an older Ringside']);

    // Once: the next open finds nothing to seal.
    const quiet = recordingLogger();
    open(SecretBox.withKey(key), quiet);
    expect(quiet.lines).toEqual([]);
  });

  it('a sealed password that does not open with the key (key file replaced) counts as not set, with a warning, and the phone is not driven with garbage', async () => {
    {
      const { db, dir } = open();
      await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', devices: [MAC] });
      await dir.setDeviceControl('acme', MAC, { password: PASSWORD });
      db.close();
    }
    const logger = recordingLogger();
    const { dir } = open(SecretBox.withKey(SecretBox.generateKey()), logger);
    expect(logger.lines).toEqual([`warn: the saved web password of phone ${MAC} does not open with this secrets key (was the key file replaced?): enter it again`]);
    expect((await dir.deviceControl('acme', MAC))?.password).toBeNull();
    expect((await dir.listDevices('acme'))[0]?.control.passwordSet).toBe(false);
    // Entering it again works.
    await dir.setDeviceControl('acme', MAC, { password: 'new-one-123' });
    expect((await dir.deviceControl('acme', MAC))?.password).toBe('new-one-123');
  });

  it('a clear value written by an older Ringside still running on a shared file is used as it is until the next start seals it', async () => {
    const { db, dir } = open();
    await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', devices: [MAC] });
    const older = new Database(file);
    older.prepare('UPDATE dir_devices SET control_password = ? WHERE mac = ?').run(PASSWORD, MAC);
    older.close();
    expect((await dir.deviceControl('acme', MAC))?.password).toBe(PASSWORD);
    db.close();
    open();
    expect(rawBytes()).not.toContain(PASSWORD);
  });
});
