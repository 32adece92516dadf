// Ringside's files on disk (docs/architecture.md, Files on disk), with the real server in-process:
// the data directory 0700 and every file in it 0600 whatever the umask, wider ones narrowed at
// start with one warning line each; phone web passwords sealed, never in the bytes of the database
// or its WAL, yet the phone still logged in with them; handled markers pruned after their window.
// Tests run in forked processes (vitest pool 'forks'), so this file sets its own umask.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/app/config/loadConfig';
import { startRingside, type RingsideInstance } from '../../../src/app/server';
import { HANDLED_EVENT_WINDOW_MS } from '../../../src/domain/bus/HandledEventLedger';
import { createLogger } from '../../../src/shared/logger';
import { SecretBox } from '../../../src/shared/secretBox';
import { ALICE } from '../../../tools/simulator/cast';
import { startTestRingside, type TestRingside } from '../../support/ringside';
import { makeTempDir } from '../../support/tmp';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../unit/tools/simulator/controlHelpers';
import { newCaller, params, phoneSays } from './fixtures';

const DAY = 24 * 60 * 60_000;
const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8);
const posix = process.platform !== 'win32';

let previousUmask: number;
beforeAll(() => {
  previousUmask = process.umask(0o022);
});
afterAll(() => {
  process.umask(previousUmask);
});

let tmp: ReturnType<typeof makeTempDir>;
let r: TestRingside | null = null;
let direct: RingsideInstance | null = null;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(async () => {
  await closeAllPhones();
  await r?.stop();
  await direct?.close();
  r = null;
  direct = null;
  tmp.cleanup();
});

/** Every file directly in a directory with its mode: { 'ringside.db': '600', … }. */
function modesIn(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile()).map((name) => [name, modeOf(join(dir, name))]));
}

/** The bytes of a database file and its WAL, as anyone able to read them sees them. */
function rawBytes(file: string): string {
  return ['', '-wal'].map((suffix) => (existsSync(`${file}${suffix}`) ? readFileSync(`${file}${suffix}`).toString('latin1') : '')).join('');
}

/** Starts the server as `ringside serve` would on this data directory (tokens generated there), logging warnings into `lines`. */
async function startWithLog(dataDir: string, overrides: Record<string, unknown> = {}): Promise<{ instance: RingsideInstance; lines: string[] }> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push((JSON.parse(String(chunk)) as { msg: string }).msg);
      done();
    },
  });
  const config = loadConfig({
    env: { RINGSIDE_PROVISIONING_FILE: '/nonexistent/ringside.json' },
    overrides: { dataDir, webhook: { host: '127.0.0.1', port: 0 }, api: { host: '127.0.0.1', port: 0 }, logLevel: 'warn', ...overrides },
  });
  direct = await startRingside(config, { logger: createLogger({ level: 'warn', destination }), stopGraceMs: 500 });
  return { instance: direct, lines };
}

/** A database as an older Ringside left it under umask 022: 0644, in WAL mode. */
function olderDatabase(file: string, setup?: (db: Database.Database) => void): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  setup?.(db);
  db.close();
}

describe.skipIf(!posix)('file modes', () => {
  it('a data directory made at first start under umask 022 is 0700, and every file in it 0600 (databases with their -wal and -shm, tokens, secrets key)', async () => {
    const dataDir = join(tmp.dir, 'Ringside');
    r = await startTestRingside({}, dataDir);
    await r.agent('alice', { devices: ['00:0B:82:00:00:0A'] });
    await phoneSays(r, [['incoming', params('00:0B:82:00:00:0A', newCaller())]]);

    expect(modeOf(dataDir)).toBe('700');
    const modes = modesIn(dataDir);
    for (const file of ['ringside.db', 'ringside.db-wal', 'ringside.db-shm', 'spool.db', 'spool.db-wal', 'state.db', 'state.db-wal', 'secrets.key']) {
      expect(modes, file).toHaveProperty([file]);
    }
    expect(Object.entries(modes).filter(([, mode]) => mode !== '600')).toEqual([]);
  });

  it("an older Ringside's data directory (0755, databases 0644) is narrowed at start, one warning line per file naming it and its old mode", async () => {
    const dataDir = join(tmp.dir, 'Ringside');
    mkdirSync(dataDir, { mode: 0o755 });
    for (const name of ['ringside.db', 'spool.db', 'state.db']) olderDatabase(join(dataDir, name));
    expect(modeOf(join(dataDir, 'ringside.db'))).toBe('644');

    const { lines } = await startWithLog(dataDir);
    expect(modeOf(dataDir)).toBe('700');
    expect(Object.entries(modesIn(dataDir)).filter(([, mode]) => mode !== '600')).toEqual([]);
    const narrowed = lines.filter((line) => line.includes('was readable by others'));
    expect(narrowed.sort()).toEqual([
      `${dataDir} was readable by others (mode 0755); made it 0700`,
      `${join(dataDir, 'ringside.db')} was readable by others (mode 0644); made it 0600`,
      `${join(dataDir, 'spool.db')} was readable by others (mode 0644); made it 0600`,
      `${join(dataDir, 'state.db')} was readable by others (mode 0644); made it 0600`,
    ].sort());
  });

  it("RINGSIDE_DATABASE outside the data directory: the file is made 0600 and the secrets key sits beside it 0600; the shared directory is left as it is", async () => {
    const shared = join(tmp.dir, 'office');
    mkdirSync(shared, { mode: 0o755 });
    const database = join(shared, 'office.db');
    olderDatabase(database);
    expect(modeOf(database)).toBe('644');

    await startWithLog(join(tmp.dir, 'Ringside'), { database });
    expect(modeOf(database)).toBe('600');
    expect(modeOf(join(shared, 'secrets.key'))).toBe('600');
    expect(modeOf(shared)).toBe('755');
    expect(existsSync(join(tmp.dir, 'Ringside', 'secrets.key'))).toBe(false);
  });
});

describe("phones' web passwords", () => {
  it('PUT control: the password is in neither the database file nor its WAL, yet the simulated phone accepts the login with it, also after a restart', async () => {
    const dataDir = join(tmp.dir, 'Ringside');
    r = await startTestRingside({}, dataDir);
    await r.agent(ALICE.id, { devices: [ALICE.phone.mac] });
    const phone = await startPhone({ identity: ALICE.phone, form: 'session' });
    const saved = await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: phone.host, port: phone.port, password: PHONE_PASSWORD } });
    expect(saved.status).toBe(200);
    expect(JSON.stringify(saved.body)).not.toContain(PHONE_PASSWORD);

    const database = join(dataDir, 'ringside.db');
    expect(rawBytes(database)).not.toContain(PHONE_PASSWORD);
    expect(await r.api('POST', `/api/devices/${ALICE.phone.mac}/control/test`)).toMatchObject({ status: 200, body: { ok: true, phoneStatus: 'available' } });
    expect(phone.auth.stats).toMatchObject({ failedLogins: 0 });
    expect(phone.auth.stats.logins).toBeGreaterThanOrEqual(1);

    await r.stop();
    r = null;
    expect(rawBytes(database)).not.toContain(PHONE_PASSWORD);
    r = await startTestRingside({}, dataDir);
    expect(await r.api('POST', `/api/devices/${ALICE.phone.mac}/control/test`)).toMatchObject({ status: 200, body: { ok: true } });
  });

  it("an older Ringside's clear-text password is sealed at start, gone from the file's bytes, and the phone still logs in with it", async () => {
    const dataDir = join(tmp.dir, 'Ringside');
    r = await startTestRingside({}, dataDir);
    await r.agent(ALICE.id, { devices: [ALICE.phone.mac] });
    const phone = await startPhone({ identity: ALICE.phone, form: 'passcode' });
    await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: phone.host, port: phone.port } });
    await r.stop();
    r = null;
    const database = join(dataDir, 'ringside.db');
    {
      // As an older Ringside kept it: in clear.
      const db = new Database(database);
      db.prepare('UPDATE dir_devices SET control_password = ?').run(PHONE_PASSWORD);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    }
    expect(rawBytes(database)).toContain(PHONE_PASSWORD);

    r = await startTestRingside({}, dataDir);
    expect(rawBytes(database)).not.toContain(PHONE_PASSWORD);
    const stored = new Database(database, { readonly: true });
    try {
      expect(SecretBox.isSealed(stored.prepare('SELECT control_password FROM dir_devices').pluck().get() as string)).toBe(true);
    } finally {
      stored.close();
    }
    expect(await r.api('POST', `/api/devices/${ALICE.phone.mac}/control/test`)).toMatchObject({ status: 200, body: { ok: true, loginForm: 'passcode' } });
    expect(phone.auth.stats.failedLogins).toBe(0);
  });
});

describe('handled markers', () => {
  it("are pruned by housekeeping once older than the redelivery window, not kept for the calls' retention; the calls stay", async () => {
    const dataDir = join(tmp.dir, 'Ringside');
    r = await startTestRingside({}, dataDir);
    await r.agent('alice', { devices: ['00:0B:82:00:00:0A'] });
    const caller = newCaller();
    await phoneSays(r, [['incoming', params('00:0B:82:00:00:0A', caller)], ['hangup', params('00:0B:82:00:00:0A', caller)]]);
    const markers = () => {
      const db = new Database(join(dataDir, 'ringside.db'), { readonly: true });
      try {
        return db.prepare('SELECT COUNT(*) FROM cl_processed_events').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    const written = markers();
    expect(written).toBeGreaterThan(0);

    r.advance(HANDLED_EVENT_WINDOW_MS - DAY);
    await r.settle();
    expect(markers()).toBe(written);

    r.advance(2 * DAY);
    await r.settle();
    expect(markers()).toBe(0);
    const calls = await r.api<{ items: Array<{ remote: string }> }>('GET', `/api/calls?remote=${encodeURIComponent(caller)}`);
    expect(calls.body.items).toHaveLength(1);
  });
});
