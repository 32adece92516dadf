import type { Agent, Device, DeviceControlView, Helpline } from '../../protocol/responses';
import type { Contact } from '../../protocol/views';

/** Agents, devices, helplines and contacts as the agent API shows them: defined in src/protocol. */
export type { Agent, Contact, Device, DeviceControlView, Helpline };

/** What the phone client needs, password included. Only the phone registry reads this. */
export interface DeviceControlSettings {
  account: string;
  mac: string;
  agent: string | null;
  host: string | null;
  port: number;
  username: string;
  password: string | null;
  /** Bumped on every save of the settings. */
  version: number;
}

/** A partial update: a missing field keeps its value, null restores the default (password: none). */
export interface DeviceControlInput {
  host?: string | null;
  port?: number | null;
  username?: string | null;
  password?: string | null;
}

export const DEFAULT_CONTROL_PORT = 80;
export const DEFAULT_CONTROL_USERNAME = 'user';

/** A CSV file: the whole text, or its chunks as they arrive (an HTTP request body). */
export type CsvSource = string | AsyncIterable<Uint8Array | string>;

export interface CsvImportResult {
  imported: number;
  rejected: Array<{ line: number; reason: string }>;
}

/**
 * The directory port: agents, devices, helplines, contacts and agent sessions of each account.
 * Adapters: SqliteDirectory (the call-log database is its source of truth) and PostgresDirectory
 * (several servers); the two-layer cache (CachedDirectory) is in front of either. Every method is
 * scoped by account.
 */
export interface Directory {
  /**
   * A missing `extension`, `devices`, `helplines`, `supervisor` or `admin` keeps what is stored.
   * A number in `helplines` that is not a helpline yet becomes one (of its listed agents).
   *
   * Refused, with nothing written (checked in the same atomic write, see rules.ts):
   * - DirectoryError 'extension_is_helpline': the extension is a helpline number of the account
   *   (checked first), or a helpline `helplines` would create is an agent's extension;
   * - DirectoryError 'extension_taken': another agent of the account has the extension.
   */
  upsertAgent(account: string, input: { id: string; name: string; extension?: string | null; devices?: string[]; helplines?: string[]; supervisor?: boolean; admin?: boolean }): Promise<Agent>;
  getAgent(account: string, id: string): Promise<Agent | null>;
  listAgents(account: string): Promise<Agent[]>;
  agentByExtension(account: string, extension: string): Promise<Agent | null>;

  /** Binds a phone (normalised MAC) to an agent; agent must exist. */
  bindDevice(account: string, mac: string, agent: string): Promise<Device>;
  /**
   * Zero-typing pairing (single seat): binds the phone to `agent` only if nobody owns it yet
   * (in the same atomic write); answers the owner afterwards, whoever it is.
   */
  claimDevice(account: string, mac: string, agent: string): Promise<string>;
  deviceOwner(account: string, mac: string): Promise<string | null>;
  recordDeviceEvent(account: string, input: { mac: string; ip: string | null; event: string; at: number }): Promise<void>;
  listDevices(account: string): Promise<Device[]>;
  /** One phone as listDevices shows it (normalised MAC), or null when the account has no such phone: one row, not the list. */
  getDevice(account: string, mac: string): Promise<Device | null>;
  /** Saves the phone's control settings (the device must be known); resets its phone client. */
  setDeviceControl(account: string, mac: string, input: DeviceControlInput): Promise<Device>;
  /** The settings with the password, for driving the phone; null for an unknown device. */
  deviceControl(account: string, mac: string): Promise<DeviceControlSettings | null>;

  /**
   * Refused, with nothing written (checked in the same atomic write, see rules.ts):
   * - DirectoryError 'extension_is_helpline': the number is an agent's extension in the account (checked first);
   * - DirectoryError 'unknown_agent': one of `agents` does not exist.
   */
  upsertHelpline(account: string, input: { number: string; name: string; agents?: string[] | null }): Promise<Helpline>;
  helplineByNumber(account: string, number: string): Promise<Helpline | null>;
  listHelplines(account: string): Promise<Helpline[]>;

  upsertContact(account: string, contact: Contact): Promise<Contact>;
  /** Streams the file through the CSV reader; bad rows come back with their line, good ones are upserted by number. */
  importContactsCsv(account: string, csv: CsvSource): Promise<CsvImportResult>;
  searchContacts(account: string, q: string, limit?: number): Promise<Contact[]>;
  /** The contact of a number in any spelling (see numbers.ts: E.164 with the default country, then the last digits). */
  contactByNumber(account: string, number: string): Promise<Contact | null>;

  /** Removes the agent, unbinds its phones, drops its helpline memberships and ends its UI sessions. False when unknown. */
  removeAgent(account: string, id: string): Promise<boolean>;
  /** Forgets the phone (its binding and health). False when unknown. */
  removeDevice(account: string, mac: string): Promise<boolean>;
  removeHelpline(account: string, number: string): Promise<boolean>;
  removeContact(account: string, number: string): Promise<boolean>;


  close(): Promise<void>;
}
