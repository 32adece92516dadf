import { migrate, statementCache, vacuum, type SqliteDatabase, type Statement } from '../database';
import type {
  Agent, Contact, CsvImportResult, CsvSource, Device, DeviceControlInput, DeviceControlSettings, Directory, Helpline,
} from '../../../domain/directory/Directory';
import { canonicaliseStoredNumbers, contactNumbersMatching, findContactByNumber, importContacts, searchContactRows, writeContact } from './contacts';
import { DEFAULT_IMPORT_LIMITS, validateContact, type ImportLimits } from '../../../domain/directory/contacts';
import {
  DEFAULT_SEARCH_LIMIT, agentRowValues, agentWrite, controlWrite, extensionTakenError, helplineWrite, openPassword, registeredFlag, searchLimit,
  toAgent, toAgents, toControlSettings, toDevice, toHelpline, unknownAgentError, unknownDeviceError,
  type AgentInput, type AgentRow, type DeviceRow, type HelplineRow,
} from '../../../domain/directory/rows';
import { extensionHolderOf, extensionIsHelplineError, helplineIsExtensionError, lineNumberKey } from '../../../domain/directory/rules';
import { requireMac } from '../../../domain/directory/mac';
import { parseMac } from '../../../protocol/mac';
import { normaliseNumber, numberNormaliser, type NumberNormaliser } from '../../../domain/directory/numbers';
import { DIRECTORY_MIGRATIONS, DIRECTORY_SCHEMA } from './schema';
import { SecretBox } from '../../../shared/secretBox';

export interface SqliteDirectoryOptions {
  /**
   * ISO 3166 alpha-2 country that national numbers belong to (RINGSIDE_DEFAULT_COUNTRY), so
   * `03001234567` is `+923001234567` with PK. Unset: national numbers are kept as written and
   * matched to E.164 ones by their last digits.
   */
  defaultCountry?: string | null;
  /** Row limit and batch size of a CSV import. */
  importLimits?: Partial<ImportLimits>;
  /**
   * Seals the phones' web passwords (the box of the secrets key file, src/app/secretsKey.ts).
   * Without it, a key that lives as long as this process (tests): passwords saved then do not
   * open after a restart.
   */
  secrets?: SecretBox;
  /** Told how many clear-text passwords were sealed at open, and which sealed ones do not open. */
  logger?: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

/**
 * The directory on the shared SQLite database (the call-log file is its source of truth).
 * The caller opens and closes the Database; `close()` only ends this adapter's use of it.
 * Every method is synchronous underneath, so the `*Sync` lookups are safe to use from the
 * call log (see contactHooksFor).
 *
 * Contacts are keyed by their number in E.164 where the number library can place it (with the
 * default country), so one number is one contact however it was written. Contacts stored under
 * a national form before a default country was set are re-keyed when the directory opens with
 * one (canonicaliseStoredNumbers): the keys depend on configuration, so a schema migration,
 * which runs once, cannot do it.
 */
export class SqliteDirectory implements Directory {
  private readonly sql: (text: string) => Statement;
  /** How contact numbers are normalised and matched (the default country). */
  readonly numbers: NumberNormaliser;
  private readonly importLimits: ImportLimits;
  private readonly secrets: SecretBox;

  constructor(private readonly db: SqliteDatabase, options: SqliteDirectoryOptions = {}) {
    this.sql = statementCache(db);
    this.numbers = numberNormaliser(options.defaultCountry);
    this.importLimits = { ...DEFAULT_IMPORT_LIMITS, ...options.importLimits };
    this.secrets = options.secrets ?? SecretBox.forThisProcess();
    migrate(db, DIRECTORY_SCHEMA, DIRECTORY_MIGRATIONS);
    canonicaliseStoredNumbers(db, this.numbers);
    this.sealClearPasswords(options.logger);
  }

  /**
   * Seals the phone passwords an older Ringside kept in clear (once; a no-op afterwards), then
   * rewrites the file (VACUUM) and empties the WAL, so the old clear bytes are not left behind in
   * freed space or in old WAL frames. Several processes opening a shared file at once: each checks
   * inside its own write transaction, so one seals and the others find nothing to do.
   */
  private sealClearPasswords(logger: SqliteDirectoryOptions['logger']): void {
    const sealed = this.db.transaction(() => {
      const rows = this.sql('SELECT account, mac, control_password FROM dir_devices WHERE control_password IS NOT NULL')
        .all() as Array<{ account: string; mac: string; control_password: string }>;
      let count = 0;
      for (const row of rows) {
        if (SecretBox.isSealed(row.control_password)) {
          if (openPassword(this.secrets, row.control_password) === null) {
            logger?.warn({ mac: row.mac }, `the saved web password of phone ${row.mac} does not open with this secrets key (was the key file replaced?): enter it again`);
          }
          continue;
        }
        this.sql('UPDATE dir_devices SET control_password = ? WHERE account = ? AND mac = ?').run(this.secrets.seal(row.control_password), row.account, row.mac);
        count++;
      }
      return count;
    }).immediate();
    if (sealed === 0) return;
    vacuum(this.db);
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Another process reading right now: its next checkpoint empties the WAL instead.
    }
    logger?.info({ phones: sealed }, `sealed ${sealed} phone web password(s) kept in clear by an older Ringside`);
  }

  // ── agents ──

  async upsertAgent(account: string, input: AgentInput): Promise<Agent> {
    const write = agentWrite(input);
    const { id, extension, devices, helplines } = write;
    // One IMMEDIATE transaction: the write lock is taken before the checks, so no other
    // connection (or process on the file) can write a colliding helpline or extension between
    // the checks and the write (rules.ts).
    this.db.transaction(() => {
      if (extension) {
        const key = lineNumberKey(extension);
        if (key !== '' && this.helplineExists(account, key)) throw extensionIsHelplineError(extension);
        const holder = this.sql('SELECT id FROM dir_agents WHERE account = ? AND extension = ? AND id <> ?').get(account, extension, id) as { id: string } | undefined;
        if (holder) throw extensionTakenError(extension, holder.id);
      }
      this.sql(
          `INSERT INTO dir_agents (account, id, name, extension, supervisor, admin) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (account, id) DO UPDATE SET name = excluded.name,
             extension = CASE WHEN ? THEN extension ELSE excluded.extension END,
             supervisor = CASE WHEN ? THEN supervisor ELSE excluded.supervisor END,
             admin = CASE WHEN ? THEN admin ELSE excluded.admin END`,
        )
        .run(...agentRowValues(write, account));
      if (devices) {
        this.sql('UPDATE dir_devices SET agent = NULL WHERE account = ? AND agent = ? AND mac NOT IN (SELECT value FROM json_each(?))')
          .run(account, id, JSON.stringify(devices));
        for (const mac of devices) this.bindDeviceRow(account, mac, id);
      }
      if (helplines) {
        this.sql('DELETE FROM dir_helpline_members WHERE account = ? AND agent = ?').run(account, id);
        for (const number of helplines) {
          // A number an agent is put on becomes a helpline (of its listed agents) if it was not one
          // yet, unless it is an extension (this agent's just written one included).
          if (!this.helplineExists(account, number)) {
            const holder = this.extensionHolder(account, number);
            if (holder !== null) throw helplineIsExtensionError(number, holder);
          }
          this.sql('INSERT INTO dir_helplines (account, number, name, all_agents) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING')
            .run(account, number, number);
          this.sql('INSERT OR IGNORE INTO dir_helpline_members (account, helpline, agent) VALUES (?, ?, ?)').run(account, number, id);
        }
      }
    }).immediate();
    return this.agentSync(account, id)!;
  }

  async getAgent(account: string, id: string): Promise<Agent | null> {
    return this.agentSync(account, id);
  }

  async listAgents(account: string): Promise<Agent[]> {
    const rows = this.sql('SELECT * FROM dir_agents WHERE account = ? ORDER BY id').all(account) as AgentRow[];
    const devices = this.sql('SELECT agent, mac FROM dir_devices WHERE account = ? AND agent IS NOT NULL ORDER BY mac').all(account) as Array<{ agent: string; mac: string }>;
    const members = this.sql('SELECT agent, helpline FROM dir_helpline_members WHERE account = ? ORDER BY helpline').all(account) as Array<{ agent: string; helpline: string }>;
    return toAgents(rows, devices, members);
  }

  async agentByExtension(account: string, extension: string): Promise<Agent | null> {
    const row = this.sql('SELECT id FROM dir_agents WHERE account = ? AND extension = ?').get(account, extension.trim()) as { id: string } | undefined;
    return row ? this.agentSync(account, row.id) : null;
  }

  private agentSync(account: string, id: string): Agent | null {
    const row = this.sql('SELECT * FROM dir_agents WHERE account = ? AND id = ?').get(account, id) as AgentRow | undefined;
    if (!row) return null;
    const devices = this.sql('SELECT mac FROM dir_devices WHERE account = ? AND agent = ? ORDER BY mac').pluck().all(account, id) as string[];
    const helplines = this.sql('SELECT helpline FROM dir_helpline_members WHERE account = ? AND agent = ? ORDER BY helpline').pluck().all(account, id) as string[];
    return toAgent(row, devices, helplines);
  }

  private agentExists(account: string, id: string): boolean {
    return this.sql('SELECT 1 FROM dir_agents WHERE account = ? AND id = ?').get(account, id) !== undefined;
  }

  /** `number` normalised (lineNumberKey), as helplines are stored. */
  private helplineExists(account: string, number: string): boolean {
    return this.sql('SELECT 1 FROM dir_helplines WHERE account = ? AND number = ?').get(account, number) !== undefined;
  }

  /**
   * The agent whose extension is the helpline number `number` (normalised), if any (rules.ts).
   * Extensions are stored as typed, so they are compared in their normalised form: the exact
   * match is found by the index, any other spelling by reading the account's extensions.
   */
  private extensionHolder(account: string, number: string): string | null {
    const exact = this.sql('SELECT id FROM dir_agents WHERE account = ? AND extension = ?').get(account, number) as { id: string } | undefined;
    if (exact !== undefined) return exact.id;
    const agents = this.sql('SELECT id, extension FROM dir_agents WHERE account = ? AND extension IS NOT NULL ORDER BY id').all(account) as Array<{ id: string; extension: string }>;
    return extensionHolderOf(number, agents);
  }

  // ── devices ──

  async bindDevice(account: string, mac: string, agent: string): Promise<Device> {
    const normalised = requireMac(mac);
    this.db.transaction(() => {
      if (!this.agentExists(account, agent)) throw unknownAgentError(agent);
      this.bindDeviceRow(account, normalised, agent);
    }).immediate();
    return this.deviceSync(account, normalised)!;
  }

  async claimDevice(account: string, mac: string, agent: string): Promise<string> {
    const normalised = requireMac(mac);
    return this.db.transaction(() => {
      if (!this.agentExists(account, agent)) throw unknownAgentError(agent);
      this.sql(`INSERT INTO dir_devices (account, mac, agent) VALUES (?, ?, ?)
                ON CONFLICT (account, mac) DO UPDATE SET agent = excluded.agent WHERE dir_devices.agent IS NULL`)
        .run(account, normalised, agent);
      return this.deviceSync(account, normalised)!.agent ?? agent;
    }).immediate();
  }

  private bindDeviceRow(account: string, mac: string, agent: string): void {
    this.sql('INSERT INTO dir_devices (account, mac, agent) VALUES (?, ?, ?) ON CONFLICT (account, mac) DO UPDATE SET agent = excluded.agent')
      .run(account, mac, agent);
  }

  async deviceOwner(account: string, mac: string): Promise<string | null> {
    // Not a MAC at all: no phone has it.
    const normalised = parseMac(mac);
    if (normalised === null) return null;
    return this.deviceSync(account, normalised)?.agent ?? null;
  }

  /** Device health: last event, IP and registration; an event older than the last one seen only fills gaps. */
  async recordDeviceEvent(account: string, input: { mac: string; ip: string | null; event: string; at: number }): Promise<void> {
    const mac = requireMac(input.mac);
    const registered = registeredFlag(input.event);
    this.sql(
        `INSERT INTO dir_devices (account, mac, agent, ip, registered, last_event, last_seen_at) VALUES (?, ?, NULL, ?, ?, ?, ?)
         ON CONFLICT (account, mac) DO UPDATE SET
           ip = CASE WHEN excluded.last_seen_at >= COALESCE(last_seen_at, excluded.last_seen_at) THEN COALESCE(excluded.ip, ip) ELSE COALESCE(ip, excluded.ip) END,
           registered = CASE WHEN excluded.last_seen_at >= COALESCE(last_seen_at, excluded.last_seen_at) THEN COALESCE(excluded.registered, registered) ELSE COALESCE(registered, excluded.registered) END,
           last_event = CASE WHEN excluded.last_seen_at >= COALESCE(last_seen_at, excluded.last_seen_at) THEN excluded.last_event ELSE last_event END,
           last_seen_at = MAX(COALESCE(last_seen_at, excluded.last_seen_at), excluded.last_seen_at)`,
      )
      .run(account, mac, input.ip, registered, input.event, input.at);
  }

  async listDevices(account: string): Promise<Device[]> {
    return (this.sql('SELECT * FROM dir_devices WHERE account = ? ORDER BY mac').all(account) as DeviceRow[]).map((row) => toDevice(row, this.secrets));
  }

  async getDevice(account: string, mac: string): Promise<Device | null> {
    return this.deviceSync(account, requireMac(mac));
  }

  async setDeviceControl(account: string, mac: string, input: DeviceControlInput): Promise<Device> {
    const normalised = requireMac(mac);
    const columns = controlWrite(input, this.secrets);
    const changed = this.sql(
        `UPDATE dir_devices SET
           control_host = CASE WHEN @keepHost THEN control_host ELSE @host END,
           control_port = CASE WHEN @keepPort THEN control_port ELSE @port END,
           control_username = CASE WHEN @keepUsername THEN control_username ELSE @username END,
           control_password = CASE WHEN @keepPassword THEN control_password ELSE @password END,
           control_version = control_version + 1
         WHERE account = @account AND mac = @mac`,
      )
      .run({ account, mac: normalised, ...columns });
    if (changed.changes === 0) throw unknownDeviceError(normalised);
    return this.deviceSync(account, normalised)!;
  }

  async deviceControl(account: string, mac: string): Promise<DeviceControlSettings | null> {
    const normalised = requireMac(mac);
    const row = this.sql('SELECT * FROM dir_devices WHERE account = ? AND mac = ?').get(account, normalised) as DeviceRow | undefined;
    return row ? toControlSettings(row, this.secrets) : null;
  }

  private deviceSync(account: string, mac: string): Device | null {
    const row = this.sql('SELECT * FROM dir_devices WHERE account = ? AND mac = ?').get(account, mac) as DeviceRow | undefined;
    return row ? toDevice(row, this.secrets) : null;
  }

  // ── helplines ──

  /** `agents` null or absent: every agent of the account (membership rows are kept but not used). */
  async upsertHelpline(account: string, input: { number: string; name: string; agents?: string[] | null }): Promise<Helpline> {
    const { number, name, agents } = helplineWrite(input);
    // IMMEDIATE: the rule's check and the write are one atomic step across connections (rules.ts).
    this.db.transaction(() => {
      const holder = this.extensionHolder(account, number);
      // The message names the number as it was sent (trimmed), as the API has always answered.
      if (holder !== null) throw helplineIsExtensionError(input.number.trim(), holder);
      for (const agent of agents ?? []) {
        if (!this.agentExists(account, agent)) throw unknownAgentError(agent);
      }
      this.sql(
          `INSERT INTO dir_helplines (account, number, name, all_agents) VALUES (?, ?, ?, ?)
           ON CONFLICT (account, number) DO UPDATE SET name = excluded.name, all_agents = excluded.all_agents`,
        )
        .run(account, number, name, agents === null ? 1 : 0);
      if (agents !== null) {
        this.sql('DELETE FROM dir_helpline_members WHERE account = ? AND helpline = ?').run(account, number);
        for (const agent of agents) {
          this.sql('INSERT INTO dir_helpline_members (account, helpline, agent) VALUES (?, ?, ?)').run(account, number, agent);
        }
      }
    }).immediate();
    return this.helplineSync(account, number)!;
  }

  async helplineByNumber(account: string, number: string): Promise<Helpline | null> {
    const normalised = normaliseNumber(number);
    return normalised === '' ? null : this.helplineSync(account, normalised);
  }

  async listHelplines(account: string): Promise<Helpline[]> {
    const numbers = this.sql('SELECT number FROM dir_helplines WHERE account = ? ORDER BY number').pluck().all(account) as string[];
    return numbers.map((number) => this.helplineSync(account, number)!);
  }

  private helplineSync(account: string, number: string): Helpline | null {
    const row = this.sql('SELECT * FROM dir_helplines WHERE account = ? AND number = ?').get(account, number) as HelplineRow | undefined;
    if (!row) return null;
    const members = row.all_agents === 1 ? [] : (this.sql('SELECT agent FROM dir_helpline_members WHERE account = ? AND helpline = ? ORDER BY agent').pluck().all(account, number) as string[]);
    return toHelpline(row, members);
  }

  // ── contacts ──

  async upsertContact(account: string, contact: Contact): Promise<Contact> {
    const valid = validateContact(contact, this.numbers);
    writeContact(this.db, account, valid);
    return valid;
  }

  async importContactsCsv(account: string, csv: CsvSource): Promise<CsvImportResult> {
    return importContacts(this.db, account, csv, this.numbers, this.importLimits);
  }

  async searchContacts(account: string, q: string, limit = DEFAULT_SEARCH_LIMIT): Promise<Contact[]> {
    return searchContactRows(this.db, account, q, searchLimit(limit), this.numbers);
  }

  async contactByNumber(account: string, number: string): Promise<Contact | null> {
    return this.contactByNumberSync(account, number);
  }

  /** Synchronous contactByNumber, for the call log's caller cards (same database, no I/O wait). */
  contactByNumberSync(account: string, number: string): Contact | null {
    return findContactByNumber(this.db, account, number, this.numbers);
  }

  /** Numbers (with their tails) of contacts whose name or company contains q; for the call log's free-text search. */
  contactNumbersMatchingSync(account: string, q: string, limit = 500): Array<{ number: string; tail: string | null }> {
    return contactNumbersMatching(this.db, account, q, limit);
  }

  async removeAgent(account: string, id: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.sql('UPDATE dir_devices SET agent = NULL WHERE account = ? AND agent = ?').run(account, id);
      this.sql('DELETE FROM dir_helpline_members WHERE account = ? AND agent = ?').run(account, id);
      this.sql('DELETE FROM dir_sessions WHERE account = ? AND agent = ?').run(account, id);
      // Its password goes with its row; an open invite must not sign in an agent made later under the same id.
      this.sql('DELETE FROM dir_invites WHERE account = ? AND agent = ?').run(account, id);
      return this.sql('DELETE FROM dir_agents WHERE account = ? AND id = ?').run(account, id).changes > 0;
    }).immediate();
  }

  async removeDevice(account: string, mac: string): Promise<boolean> {
    return this.sql('DELETE FROM dir_devices WHERE account = ? AND mac = ?').run(account, requireMac(mac)).changes > 0;
  }

  async removeHelpline(account: string, number: string): Promise<boolean> {
    const normalised = normaliseNumber(number);
    return this.db.transaction(() => {
      this.sql('DELETE FROM dir_helpline_members WHERE account = ? AND helpline = ?').run(account, normalised);
      return this.sql('DELETE FROM dir_helplines WHERE account = ? AND number = ?').run(account, normalised).changes > 0;
    }).immediate();
  }

  async removeContact(account: string, number: string): Promise<boolean> {
    return this.sql('DELETE FROM dir_contacts WHERE account = ? AND number = ?').run(account, this.numbers.canonical(number).number).changes > 0;
  }

  /** The Database belongs to the caller (it is shared with the call log); nothing to release here. */
  async close(): Promise<void> {}
}

export type ContactLookup = (account: string, number: string) => Contact | null;
export type ContactSearch = (account: string, q: string) => Array<{ number: string; tail: string | null }>;

/** The call log's synchronous caller-card lookup, backed by this directory. */
export function contactLookupFor(directory: SqliteDirectory): ContactLookup {
  return (account, number) => directory.contactByNumberSync(account, number);
}

/** Both hooks the call log takes: `new SqliteCallLog(db, contactHooksFor(directory))`. */
export function contactHooksFor(directory: SqliteDirectory): { contactLookup: ContactLookup; contactSearch: ContactSearch } {
  return {
    contactLookup: contactLookupFor(directory),
    contactSearch: (account, q) => directory.contactNumbersMatchingSync(account, q),
  };
}
