import { setImmediate as nextTurn } from 'node:timers/promises';
import { migrate, transaction, type PostgresClient, type PostgresPool, type Queryable } from '../database';
import type {
  Agent, Contact, CsvImportResult, CsvSource, Device, DeviceControlInput, DeviceControlSettings, Directory, Helpline,
} from '../../../domain/directory/Directory';
import type { PostgresContactLookup, PostgresContactSearch } from '../../../domain/calllog/contactHooks';
import { DEFAULT_IMPORT_LIMITS, readContactsCsv, validateContact, type ImportLimits } from '../../../domain/directory/contacts';
import {
  DEFAULT_SEARCH_LIMIT, agentRowValues, agentWrite, controlWrite, extensionTakenError, helplineWrite, registeredFlag, searchLimit,
  toAgents, toControlSettings, toDevice, toHelpline, unknownAgentError, unknownDeviceError,
  type AgentInput, type AgentRow, type DeviceRow, type HelplineRow,
} from '../../../domain/directory/rows';
import { extensionHolderOf, extensionIsHelplineError, helplineIsExtensionError, lineNumberKey } from '../../../domain/directory/rules';
import { requireMac } from '../../../domain/directory/mac';
import { parseMac } from '../../../protocol/mac';
import { normaliseNumber, numberNormaliser, type NumberNormaliser } from '../../../domain/directory/numbers';
import { SecretBox } from '../../../shared/secretBox';
import type { Logger } from '../../../shared/logger';
import { canonicaliseStoredNumbers, contactNumbersMatching, contactsByNumbers, searchContactRows, writeContacts } from './contacts';
import { directoryWrite, notifyDirectoryChange } from './writes';
import { DIRECTORY_PG_MIGRATIONS, DIRECTORY_SCHEMA } from './schema';

export { ALL_ACCOUNTS, listenForDirectoryChanges, type DirectoryListener } from './listen';

export interface PostgresDirectoryOptions {
  /** ISO 3166 alpha-2 country national numbers belong to (RINGSIDE_DEFAULT_COUNTRY), as SqliteDirectory. */
  defaultCountry?: string | null;
  /** Seals the phones' web passwords: the same key file on every server of the database. */
  secrets: SecretBox;
  /** Told when contacts are re-keyed at open (a default country newly set). */
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Row limit and batch size of a CSV import. */
  importLimits?: Partial<ImportLimits>;
}

/** Taken by the servers re-keying contacts at open, so two starting together do not re-key the same rows. */
const REKEY_LOCK = 0x44495201;

/**
 * The directory in the shared PostgreSQL database (several servers, docs/architecture.md): the
 * same tables and behaviour as SqliteDirectory, its pure rules in src/domain/directory.
 *
 * Where SQLite's IMMEDIATE transaction makes a rule's check and its write one step, here every
 * write of agents, phones and helplines takes the account's advisory lock first (writes.ts): what
 * the rule reads (rules.ts: extensions, helpline numbers) cannot change under it, so two servers
 * racing cannot both pass the check. Every write also notifies `ringside_directory` with its
 * account, so servers without Redis drop their cache (listenForDirectoryChanges); device health
 * (recordDeviceEvent: every phone event, never cached) does not.
 * The pool belongs to the caller.
 */
export class PostgresDirectory implements Directory {
  readonly numbers: NumberNormaliser;
  private readonly importLimits: ImportLimits;

  private constructor(private readonly pool: PostgresPool, private readonly secrets: SecretBox, options: PostgresDirectoryOptions) {
    this.numbers = numberNormaliser(options.defaultCountry);
    this.importLimits = { ...DEFAULT_IMPORT_LIMITS, ...options.importLimits };
  }

  /** Migrates the schema, then re-keys contacts stored under national numbers if a default country is now set. */
  static async open(pool: PostgresPool, options: PostgresDirectoryOptions): Promise<PostgresDirectory> {
    await migrate(pool, DIRECTORY_SCHEMA, DIRECTORY_PG_MIGRATIONS);
    const directory = new PostgresDirectory(pool, options.secrets, options);
    const rekeyed = await transaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [REKEY_LOCK]);
      const accounts = await canonicaliseStoredNumbers(client, directory.numbers);
      for (const account of accounts) await notifyDirectoryChange(client, account);
      return accounts;
    });
    if (rekeyed.size > 0) options.logger?.info({ accounts: [...rekeyed] }, `contacts stored under national numbers were re-keyed to E.164 (default country ${directory.numbers.defaultCountry})`);
    return directory;
  }

  /** A write of the account's agents, phones or helplines: under its lock (writes.ts), told to the other servers. */
  private locked<T>(account: string, fn: (client: PostgresClient) => Promise<T>): Promise<T> {
    return directoryWrite(this.pool, account, { locked: true }, fn);
  }

  /** A write that no rule reads (contacts, control settings): told to the other servers. */
  private notifying<T>(account: string, fn: (client: PostgresClient) => Promise<T>): Promise<T> {
    return directoryWrite(this.pool, account, { locked: false }, fn);
  }

  // ── agents ──

  async upsertAgent(account: string, input: AgentInput): Promise<Agent> {
    const write = agentWrite(input);
    const { id, extension, devices, helplines } = write;
    await this.locked(account, async (db) => {
      if (extension) {
        const key = lineNumberKey(extension);
        if (key !== '' && (await this.helplineExists(db, account, key))) throw extensionIsHelplineError(extension);
        const holder = await one<{ id: string }>(db, 'SELECT id FROM dir_agents WHERE account = $1 AND extension = $2 AND id <> $3', [account, extension, id]);
        if (holder) throw extensionTakenError(extension, holder.id);
      }
      await db.query(
        `INSERT INTO dir_agents AS a (account, id, name, extension, supervisor, admin) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (account, id) DO UPDATE SET name = excluded.name,
           extension = CASE WHEN $7 = 1 THEN a.extension ELSE excluded.extension END,
           supervisor = CASE WHEN $8 = 1 THEN a.supervisor ELSE excluded.supervisor END,
           admin = CASE WHEN $9 = 1 THEN a.admin ELSE excluded.admin END`,
        agentRowValues(write, account),
      );
      if (devices) {
        await db.query('UPDATE dir_devices SET agent = NULL WHERE account = $1 AND agent = $2 AND NOT (mac = ANY($3::text[]))', [account, id, devices]);
        for (const mac of devices) await bindDeviceRow(db, account, mac, id);
      }
      if (helplines) await this.joinHelplines(db, account, id, helplines);
    });
    return (await this.getAgent(account, id))!;
  }

  /** The agent's helplines become exactly `numbers`; a number that is not a helpline yet becomes one, unless it is an extension (rules.ts). */
  private async joinHelplines(db: Queryable, account: string, id: string, numbers: string[]): Promise<void> {
    await db.query('DELETE FROM dir_helpline_members WHERE account = $1 AND agent = $2', [account, id]);
    for (const number of numbers) {
      if (!(await this.helplineExists(db, account, number))) {
        const holder = await extensionHolder(db, account, number);
        if (holder !== null) throw helplineIsExtensionError(number, holder);
      }
      await db.query('INSERT INTO dir_helplines (account, number, name, all_agents) VALUES ($1, $2, $2, 0) ON CONFLICT DO NOTHING', [account, number]);
      await db.query('INSERT INTO dir_helpline_members (account, helpline, agent) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [account, number, id]);
    }
  }

  async getAgent(account: string, id: string): Promise<Agent | null> {
    return (await this.agentsWhere(account, id))[0] ?? null;
  }

  async listAgents(account: string): Promise<Agent[]> {
    return this.agentsWhere(account, null);
  }

  /** The account's agents (one of them when `id` is given), with their phones and helplines: three reads. */
  private async agentsWhere(account: string, id: string | null): Promise<Agent[]> {
    const params = [account, id];
    const [agents, devices, members] = await Promise.all([
      this.pool.query<AgentRow>('SELECT * FROM dir_agents WHERE account = $1 AND ($2::text IS NULL OR id = $2) ORDER BY id COLLATE "C"', params),
      this.pool.query<{ agent: string; mac: string }>(
        'SELECT agent, mac FROM dir_devices WHERE account = $1 AND agent IS NOT NULL AND ($2::text IS NULL OR agent = $2) ORDER BY mac COLLATE "C"', params,
      ),
      this.pool.query<{ agent: string; helpline: string }>(
        'SELECT agent, helpline FROM dir_helpline_members WHERE account = $1 AND ($2::text IS NULL OR agent = $2) ORDER BY helpline COLLATE "C"', params,
      ),
    ]);
    return toAgents(agents.rows, devices.rows, members.rows);
  }

  async agentByExtension(account: string, extension: string): Promise<Agent | null> {
    const row = await one<{ id: string }>(this.pool, 'SELECT id FROM dir_agents WHERE account = $1 AND extension = $2', [account, extension.trim()]);
    return row ? this.getAgent(account, row.id) : null;
  }

  /** `number` normalised (lineNumberKey), as helplines are stored. */
  private async helplineExists(db: Queryable, account: string, number: string): Promise<boolean> {
    return (await one(db, 'SELECT 1 FROM dir_helplines WHERE account = $1 AND number = $2', [account, number])) !== null;
  }

  // ── devices ──

  async bindDevice(account: string, mac: string, agent: string): Promise<Device> {
    const normalised = requireMac(mac);
    await this.locked(account, async (db) => {
      await requireAgent(db, account, agent);
      await bindDeviceRow(db, account, normalised, agent);
    });
    return (await this.device(account, normalised))!;
  }

  async claimDevice(account: string, mac: string, agent: string): Promise<string> {
    const normalised = requireMac(mac);
    return this.locked(account, async (db) => {
      await requireAgent(db, account, agent);
      const { rows } = await db.query<{ agent: string | null }>(
        `INSERT INTO dir_devices AS d (account, mac, agent) VALUES ($1, $2, $3)
         ON CONFLICT (account, mac) DO UPDATE SET agent = excluded.agent WHERE d.agent IS NULL
         RETURNING d.agent`,
        [account, normalised, agent],
      );
      // No row returned: someone owns it (the row is locked by the statement, so it is still theirs).
      return rows[0]?.agent ?? (await one<{ agent: string }>(db, 'SELECT agent FROM dir_devices WHERE account = $1 AND mac = $2', [account, normalised]))!.agent;
    });
  }

  async deviceOwner(account: string, mac: string): Promise<string | null> {
    // Not a MAC at all: no phone has it.
    const normalised = parseMac(mac);
    if (normalised === null) return null;
    return (await this.device(account, normalised))?.agent ?? null;
  }

  /** Device health: last event, IP and registration; an event older than the last one seen only fills gaps. */
  async recordDeviceEvent(account: string, input: { mac: string; ip: string | null; event: string; at: number }): Promise<void> {
    const mac = requireMac(input.mac);
    await this.pool.query(
      `INSERT INTO dir_devices AS d (account, mac, agent, ip, registered, last_event, last_seen_at) VALUES ($1, $2, NULL, $3, $4, $5, $6)
       ON CONFLICT (account, mac) DO UPDATE SET
         ip = CASE WHEN excluded.last_seen_at >= COALESCE(d.last_seen_at, excluded.last_seen_at) THEN COALESCE(excluded.ip, d.ip) ELSE COALESCE(d.ip, excluded.ip) END,
         registered = CASE WHEN excluded.last_seen_at >= COALESCE(d.last_seen_at, excluded.last_seen_at) THEN COALESCE(excluded.registered, d.registered) ELSE COALESCE(d.registered, excluded.registered) END,
         last_event = CASE WHEN excluded.last_seen_at >= COALESCE(d.last_seen_at, excluded.last_seen_at) THEN excluded.last_event ELSE d.last_event END,
         last_seen_at = GREATEST(d.last_seen_at, excluded.last_seen_at)`,
      [account, mac, input.ip, registeredFlag(input.event), input.event, input.at],
    );
  }

  async listDevices(account: string): Promise<Device[]> {
    const { rows } = await this.pool.query<DeviceRow>('SELECT * FROM dir_devices WHERE account = $1 ORDER BY mac COLLATE "C"', [account]);
    return rows.map((row) => toDevice(row, this.secrets));
  }

  async getDevice(account: string, mac: string): Promise<Device | null> {
    return this.device(account, requireMac(mac));
  }

  async setDeviceControl(account: string, mac: string, input: DeviceControlInput): Promise<Device> {
    const normalised = requireMac(mac);
    const c = controlWrite(input, this.secrets);
    const changed = await this.notifying(account, (db) => db.query(
      `UPDATE dir_devices SET
         control_host = CASE WHEN $3 = 1 THEN control_host ELSE $4 END,
         control_port = CASE WHEN $5 = 1 THEN control_port ELSE $6::integer END,
         control_username = CASE WHEN $7 = 1 THEN control_username ELSE $8 END,
         control_password = CASE WHEN $9 = 1 THEN control_password ELSE $10 END,
         control_version = control_version + 1
       WHERE account = $1 AND mac = $2`,
      [account, normalised, c.keepHost, c.host, c.keepPort, c.port, c.keepUsername, c.username, c.keepPassword, c.password],
    ));
    if (changed.rowCount === 0) throw unknownDeviceError(normalised);
    return (await this.device(account, normalised))!;
  }

  async deviceControl(account: string, mac: string): Promise<DeviceControlSettings | null> {
    const row = await this.deviceRow(account, requireMac(mac));
    return row ? toControlSettings(row, this.secrets) : null;
  }

  private async device(account: string, mac: string): Promise<Device | null> {
    const row = await this.deviceRow(account, mac);
    return row ? toDevice(row, this.secrets) : null;
  }

  private deviceRow(account: string, mac: string): Promise<DeviceRow | null> {
    return one<DeviceRow>(this.pool, 'SELECT * FROM dir_devices WHERE account = $1 AND mac = $2', [account, mac]);
  }

  // ── helplines ──

  /** `agents` null or absent: every agent of the account (membership rows are kept but not used). */
  async upsertHelpline(account: string, input: { number: string; name: string; agents?: string[] | null }): Promise<Helpline> {
    const { number, name, agents } = helplineWrite(input);
    await this.locked(account, async (db) => {
      const holder = await extensionHolder(db, account, number);
      // The message names the number as it was sent (trimmed), as the API has always answered.
      if (holder !== null) throw helplineIsExtensionError(input.number.trim(), holder);
      for (const agent of agents ?? []) await requireAgent(db, account, agent);
      await db.query(
        `INSERT INTO dir_helplines (account, number, name, all_agents) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account, number) DO UPDATE SET name = excluded.name, all_agents = excluded.all_agents`,
        [account, number, name, agents === null ? 1 : 0],
      );
      if (agents !== null) {
        await db.query('DELETE FROM dir_helpline_members WHERE account = $1 AND helpline = $2', [account, number]);
        await db.query('INSERT INTO dir_helpline_members (account, helpline, agent) SELECT $1, $2, unnest($3::text[])', [account, number, agents]);
      }
    });
    return (await this.helplinesWhere(account, number))[0]!;
  }

  async helplineByNumber(account: string, number: string): Promise<Helpline | null> {
    const normalised = normaliseNumber(number);
    return normalised === '' ? null : ((await this.helplinesWhere(account, normalised))[0] ?? null);
  }

  async listHelplines(account: string): Promise<Helpline[]> {
    return this.helplinesWhere(account, null);
  }

  /** The account's helplines (one of them when `number` is given) with their members: two reads. */
  private async helplinesWhere(account: string, number: string | null): Promise<Helpline[]> {
    const params = [account, number];
    const [helplines, members] = await Promise.all([
      this.pool.query<HelplineRow>('SELECT * FROM dir_helplines WHERE account = $1 AND ($2::text IS NULL OR number = $2) ORDER BY number COLLATE "C"', params),
      this.pool.query<{ helpline: string; agent: string }>(
        'SELECT helpline, agent FROM dir_helpline_members WHERE account = $1 AND ($2::text IS NULL OR helpline = $2) ORDER BY agent COLLATE "C"', params,
      ),
    ]);
    return helplines.rows.map((row) => toHelpline(row, members.rows.filter((m) => m.helpline === row.number).map((m) => m.agent)));
  }

  // ── contacts ──

  async upsertContact(account: string, contact: Contact): Promise<Contact> {
    const valid = validateContact(contact, this.numbers);
    await this.notifying(account, (db) => writeContacts(db, account, [valid]));
    return valid;
  }

  /**
   * The file is read and checked as it arrives (readContactsCsv); the good rows are written once it
   * has all been read, a transaction per `batchSize` rows with the event loop free in between.
   */
  async importContactsCsv(account: string, csv: CsvSource): Promise<CsvImportResult> {
    const { valid, rejected } = await readContactsCsv(csv, this.numbers, this.importLimits);
    for (let at = 0; at < valid.length; at += this.importLimits.batchSize) {
      if (at > 0) await nextTurn();
      await this.notifying(account, (db) => writeContacts(db, account, valid.slice(at, at + this.importLimits.batchSize)));
    }
    return { imported: valid.length, rejected };
  }

  async searchContacts(account: string, q: string, limit = DEFAULT_SEARCH_LIMIT): Promise<Contact[]> {
    return searchContactRows(this.pool, account, q, searchLimit(limit), this.numbers);
  }

  async contactByNumber(account: string, number: string): Promise<Contact | null> {
    return (await this.contactsByNumbers(account, [number])).get(number) ?? null;
  }

  /** The contacts of many numbers (as the calls have them) in one query: the call log's caller cards. */
  contactsByNumbers(account: string, numbers: string[]): Promise<Map<string, Contact>> {
    return contactsByNumbers(this.pool, account, numbers, this.numbers);
  }

  /** Numbers (with their tails) of contacts whose name or company contains q; for the call log's free-text search. */
  contactNumbersMatching(account: string, q: string, limit = 500): Promise<Array<{ number: string; tail: string | null }>> {
    return contactNumbersMatching(this.pool, account, q, limit);
  }

  // ── removals ──

  async removeAgent(account: string, id: string): Promise<boolean> {
    return this.locked(account, async (db) => {
      await db.query('UPDATE dir_devices SET agent = NULL WHERE account = $1 AND agent = $2', [account, id]);
      await db.query('DELETE FROM dir_helpline_members WHERE account = $1 AND agent = $2', [account, id]);
      // Its password goes with its row; an open invite must not sign in an agent made later under the same id.
      await db.query('DELETE FROM dir_invites WHERE account = $1 AND agent = $2', [account, id]);
      // Its UI sessions, where the `sessions` schema keeps them here (PostgresAgentSessions; else Redis does).
      if ((await one<{ found: boolean }>(db, "SELECT to_regclass('dir_sessions') IS NOT NULL AS found", []))!.found) {
        await db.query('DELETE FROM dir_sessions WHERE account = $1 AND agent = $2', [account, id]);
      }
      return ((await db.query('DELETE FROM dir_agents WHERE account = $1 AND id = $2', [account, id])).rowCount ?? 0) > 0;
    });
  }

  async removeDevice(account: string, mac: string): Promise<boolean> {
    const normalised = requireMac(mac);
    return this.locked(account, async (db) => ((await db.query('DELETE FROM dir_devices WHERE account = $1 AND mac = $2', [account, normalised])).rowCount ?? 0) > 0);
  }

  async removeHelpline(account: string, number: string): Promise<boolean> {
    const normalised = normaliseNumber(number);
    return this.locked(account, async (db) => {
      await db.query('DELETE FROM dir_helpline_members WHERE account = $1 AND helpline = $2', [account, normalised]);
      return ((await db.query('DELETE FROM dir_helplines WHERE account = $1 AND number = $2', [account, normalised])).rowCount ?? 0) > 0;
    });
  }

  async removeContact(account: string, number: string): Promise<boolean> {
    const key = this.numbers.canonical(number).number;
    return this.notifying(account, async (db) => ((await db.query('DELETE FROM dir_contacts WHERE account = $1 AND number = $2', [account, key])).rowCount ?? 0) > 0);
  }

  /** The pool belongs to the caller (shared with the call log and the other stores). */
  async close(): Promise<void> {}
}

/** The first row of a query, or null. */
async function one<R extends object = Record<string, unknown>>(db: Queryable, text: string, params: unknown[]): Promise<R | null> {
  const { rows } = await db.query<R>(text, params);
  return rows[0] ?? null;
}

async function requireAgent(db: Queryable, account: string, agent: string): Promise<void> {
  if (!(await one(db, 'SELECT 1 FROM dir_agents WHERE account = $1 AND id = $2', [account, agent]))) throw unknownAgentError(agent);
}

async function bindDeviceRow(db: Queryable, account: string, mac: string, agent: string): Promise<void> {
  await db.query('INSERT INTO dir_devices (account, mac, agent) VALUES ($1, $2, $3) ON CONFLICT (account, mac) DO UPDATE SET agent = excluded.agent', [account, mac, agent]);
}

/**
 * The agent whose extension is the helpline number `number` (normalised), if any (rules.ts).
 * Extensions are stored as typed: the exact match by the index, any other spelling by reading the account's extensions.
 */
async function extensionHolder(db: Queryable, account: string, number: string): Promise<string | null> {
  const exact = await one<{ id: string }>(db, 'SELECT id FROM dir_agents WHERE account = $1 AND extension = $2', [account, number]);
  if (exact) return exact.id;
  const { rows } = await db.query<{ id: string; extension: string }>(
    'SELECT id, extension FROM dir_agents WHERE account = $1 AND extension IS NOT NULL ORDER BY id COLLATE "C"', [account],
  );
  return extensionHolderOf(number, rows);
}

/** Both hooks the PostgreSQL call log takes: `PostgresCallLog.open(pool, { ...postgresContactHooks(directory) })`. */
export function postgresContactHooks(directory: PostgresDirectory): { contactLookup: PostgresContactLookup; contactSearch: PostgresContactSearch } {
  return {
    contactLookup: (account, numbers) => directory.contactsByNumbers(account, numbers),
    contactSearch: (account, q) => directory.contactNumbersMatching(account, q),
  };
}
