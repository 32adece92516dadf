import {
  DEFAULT_CONTROL_PORT, DEFAULT_CONTROL_USERNAME,
  type Agent, type Device, type DeviceControlInput, type DeviceControlSettings, type Helpline,
} from './Directory';
import { DirectoryError } from './errors';
import { requireMac } from './mac';
import { normaliseNumber } from './numbers';
import { SecretBox, SecretBoxError } from '../../shared/secretBox';

/**
 * The directory's rows as both adapters store them (SqliteDirectory, PostgresDirectory: the same
 * tables and columns, flags as 0/1 integers) and the views the port returns, with the checks of a
 * write's input that come before any SQL. Pure: one implementation for both databases.
 */
export type AgentRow = { account: string; id: string; name: string; extension: string | null; supervisor: number; admin: number };
export type DeviceRow = {
  account: string; mac: string; agent: string | null; ip: string | null; registered: number | null; last_event: string | null; last_seen_at: number | null;
  control_host: string | null; control_port: number | null; control_username: string | null; control_password: string | null; control_version: number;
};
export type HelplineRow = { account: string; number: string; name: string; all_agents: number };

export const DEFAULT_SEARCH_LIMIT = 20;
const MAX_SEARCH_LIMIT = 200;

/** A contact search's limit as asked, kept within 1..MAX_SEARCH_LIMIT. */
export function searchLimit(limit = DEFAULT_SEARCH_LIMIT): number {
  return Math.min(Math.max(1, Math.trunc(limit)), MAX_SEARCH_LIMIT);
}

export function requireText(value: string, what: string): string {
  const text = value.trim();
  if (text === '') throw new DirectoryError('invalid_input', `${what} is required`);
  return text;
}

export function unknownAgentError(agent: string): DirectoryError {
  return new DirectoryError('unknown_agent', `no agent ${agent} in this account`);
}

export function extensionTakenError(extension: string, holder: string): DirectoryError {
  return new DirectoryError('extension_taken', `extension ${extension} belongs to agent ${holder}`);
}

export type AgentInput = { id: string; name: string; extension?: string | null; devices?: string[]; helplines?: string[]; supervisor?: boolean; admin?: boolean };

/** upsertAgent's input checked and normalised: undefined keeps what is stored (Directory.upsertAgent). */
export function agentWrite(input: AgentInput) {
  return {
    id: requireText(input.id, 'agent id'),
    name: requireText(input.name, 'agent name'),
    extension: input.extension === undefined ? undefined : (input.extension?.trim() || null),
    devices: input.devices?.map(requireMac),
    helplines: input.helplines?.map((n) => requireText(normaliseNumber(n), 'helpline number')),
    supervisor: input.supervisor,
    admin: input.admin,
  };
}

/** The agent row's values for the upsert: the three `keep*` flags say which stored columns stay. */
export function agentRowValues(write: ReturnType<typeof agentWrite>, account: string): unknown[] {
  return [
    account, write.id, write.name, write.extension ?? null, write.supervisor ? 1 : 0, write.admin ? 1 : 0,
    write.extension === undefined ? 1 : 0, write.supervisor === undefined ? 1 : 0, write.admin === undefined ? 1 : 0,
  ];
}

/** upsertHelpline's input checked and normalised; `agents` null: every agent of the account. */
export function helplineWrite(input: { number: string; name: string; agents?: string[] | null }) {
  return {
    number: requireText(normaliseNumber(input.number), 'helpline number'),
    name: requireText(input.name, 'helpline name'),
    agents: input.agents == null ? null : [...new Set(input.agents)],
  };
}

/**
 * setDeviceControl's input checked, as named columns: `keep*` 1 keeps the stored value (the field
 * was absent), else the new value (null restores the default). The password is sealed here.
 */
export function controlWrite(input: DeviceControlInput, secrets: SecretBox) {
  const text = (value: string | null | undefined, what: string): string | null | undefined =>
    value === undefined || value === null ? value : requireText(value, what);
  const host = text(input.host, 'control host');
  const username = text(input.username, 'control username');
  if (input.password === '') throw new DirectoryError('invalid_input', 'an empty password is not a password; send null to remove it');
  if (input.port !== undefined && input.port !== null && !(Number.isInteger(input.port) && input.port >= 1 && input.port <= 65535)) {
    throw new DirectoryError('invalid_input', 'control port must be 1-65535');
  }
  const keep = (value: unknown) => (value === undefined ? 1 : 0);
  return {
    keepHost: keep(host), host: host ?? null,
    keepPort: keep(input.port), port: input.port ?? null,
    keepUsername: keep(username), username: username ?? null,
    keepPassword: keep(input.password), password: input.password == null ? null : secrets.seal(input.password),
  };
}

/** The refusal of control settings for a phone the directory does not know. */
export function unknownDeviceError(mac: string): DirectoryError {
  return new DirectoryError('unknown_device', `no device ${mac} in this account`);
}

/** The 0/1 `registered` column a phone event sets (null: this event says nothing about it). */
export function registeredFlag(event: string): number | null {
  return event === 'registered' ? 1 : event === 'unregistered' ? 0 : null;
}

/**
 * The phone's web password as stored: sealed (src/shared/secretBox.ts), so the database holds
 * no password in clear. Clear text found in the column (written by an older Ringside, perhaps one
 * still running on a shared file) is used as it is and sealed at the next start (SqliteDirectory).
 * A sealed value that does not open (the key file was replaced) counts as no password: the phone
 * is not driven and `passwordSet` is false, until it is entered again.
 */
export function openPassword(secrets: SecretBox, stored: string | null): string | null {
  if (stored === null) return null;
  if (!SecretBox.isSealed(stored)) return stored;
  try {
    return secrets.open(stored);
  } catch (error) {
    if (error instanceof SecretBoxError) return null;
    throw error;
  }
}

export function toDevice(row: DeviceRow, secrets: SecretBox): Device {
  return {
    mac: row.mac,
    account: row.account,
    agent: row.agent,
    ip: row.ip,
    registered: row.registered === null ? null : row.registered === 1,
    lastEvent: row.last_event,
    lastSeenAt: row.last_seen_at,
    control: {
      host: row.control_host ?? row.ip,
      hostFromEvents: row.control_host === null && row.ip !== null,
      port: row.control_port ?? DEFAULT_CONTROL_PORT,
      username: row.control_username ?? DEFAULT_CONTROL_USERNAME,
      passwordSet: openPassword(secrets, row.control_password) !== null,
    },
  };
}

export function toControlSettings(row: DeviceRow, secrets: SecretBox): DeviceControlSettings {
  return {
    account: row.account,
    mac: row.mac,
    agent: row.agent,
    host: row.control_host ?? row.ip,
    port: row.control_port ?? DEFAULT_CONTROL_PORT,
    username: row.control_username ?? DEFAULT_CONTROL_USERNAME,
    password: openPassword(secrets, row.control_password),
    version: row.control_version,
  };
}

export function toAgent(row: AgentRow, devices: string[], helplines: string[]): Agent {
  return { id: row.id, account: row.account, name: row.name, extension: row.extension, devices, helplines, supervisor: row.supervisor === 1, admin: row.admin === 1 };
}

/**
 * The account's agents from its three reads (agents, bound phones, helpline memberships), each
 * with its phones (by MAC) and helplines (by number) in the order the reads gave them.
 */
export function toAgents(rows: AgentRow[], devices: Array<{ agent: string; mac: string }>, members: Array<{ agent: string; helpline: string }>): Agent[] {
  const group = (pairs: Array<[string, string]>): Map<string, string[]> => {
    const map = new Map<string, string[]>();
    for (const [agent, value] of pairs) map.set(agent, [...(map.get(agent) ?? []), value]);
    return map;
  };
  const devicesOf = group(devices.map((d) => [d.agent, d.mac]));
  const helplinesOf = group(members.map((m) => [m.agent, m.helpline]));
  return rows.map((row) => toAgent(row, devicesOf.get(row.id) ?? [], helplinesOf.get(row.id) ?? []));
}

export function toHelpline(row: HelplineRow, members: string[]): Helpline {
  return { number: row.number, account: row.account, name: row.name, agents: row.all_agents === 1 ? null : members };
}
