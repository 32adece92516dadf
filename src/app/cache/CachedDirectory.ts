import type {
  Agent, Contact, CsvImportResult, CsvSource, Device, DeviceControlInput, DeviceControlSettings, Directory, Helpline,
} from '../../domain/directory/Directory';
import { DirectoryError } from '../../domain/directory/errors';
import {
  agentsDropdown, dispositionsDropdown, helplinesDropdown,
  type Disposition, type DispositionStore, type LookupItem, type LookupName, type Lookups,
} from '../../domain/directory/Lookups';
import { parseMac } from '../../protocol/mac';
import { normaliseNumber } from '../../domain/directory/numbers';
import type { CacheChange, CacheEventKind, CacheType } from './cacheTypes';
import { CacheUnavailableError } from './LayeredCache';
import type { TwoLayerCache } from './TwoLayerCache';

type Change = Omit<CacheChange, 'kind'>;

const DIRECTORY = ['directory'] as const;
const CONTACTS = ['contacts'] as const;

const DROPDOWN_TYPES: Record<LookupName, CacheType> = { agents: 'agentsDropdown', helplines: 'helplinesDropdown', dispositions: 'dispositionsDropdown' };

export interface CachedDirectoryOptions {
  /**
   * The source's own synchronous contact lookup, when it costs no more than a Redis read would (a
   * SQLite file on this machine): contactByNumber then reads the local layer, else this, as the
   * SQLite call log's caller cards do (contactByNumberSync), and keeps no contact in Redis. A new
   * caller's card was otherwise a Redis read, a file read and a Redis refill: about 5 % of a
   * shared server's CPU per call event (issue 15). Invalidation is the same: a contact write
   * anywhere drops the contacts of every process's local layer.
   */
  readContact?: (account: string, number: string) => Contact | null;
}

/**
 * The Directory port with the two-layer cache in front of its source (SqliteDirectory): reads are
 * cache-first; a write goes to the source, then invalidates its scope in every process before it
 * returns (TwoLayerCache.invalidate), so no read that starts after it returns sees the old value.
 *
 * Cached: agents by id, the identifier mappings (agent by extension, device owner by MAC, contact
 * by number), helplines by number, and the master lookups (the agent, helpline and disposition
 * lists and their drop-downs). Passed through: device health and control settings (they change
 * with every phone event; the password stays in SQLite), contact search, sessions.
 *
 * Invalidation is by scope: a change to agents, phones or helplines drops the account's whole
 * directory scope (an agent's phones and helplines are written from either side, so one write
 * can change several cached answers); a contact write drops the account's contacts. Writes are
 * refused (DirectoryError 'unavailable', a 503) while Redis is unreachable in shared mode: the
 * other processes could not be told.
 */
export class CachedDirectory implements Directory, Lookups {
  constructor(
    private readonly source: Directory,
    private readonly dispositions: DispositionStore,
    readonly cache: TwoLayerCache,
    private readonly options: CachedDirectoryOptions = {},
  ) {}

  // ── agents ──

  async upsertAgent(account: string, input: Parameters<Directory['upsertAgent']>[1]): Promise<Agent> {
    return this.write(account, { entity: 'agent', ids: [input.id], scopes: [...DIRECTORY] }, async () => {
      const existed = (await this.source.getAgent(account, input.id)) !== null;
      const agent = await this.source.upsertAgent(account, input);
      return { result: agent, kind: existed ? 'Update' : 'Create' };
    });
  }

  getAgent(account: string, id: string): Promise<Agent | null> {
    return this.cache.get('agent', account, id, () => this.source.getAgent(account, id));
  }

  /** Batch read: the agents of these ids (null for an unknown one), one source read for all the cache lacks. */
  async getAgents(account: string, ids: readonly string[]): Promise<Map<string, Agent | null>> {
    return this.cache.getMany<Agent | null>('agent', account, ids, async (missing) => {
      const found = await Promise.all(missing.map(async (id) => [id, await this.source.getAgent(account, id)] as const));
      return new Map(found);
    });
  }

  listAgents(account: string): Promise<Agent[]> {
    return this.cache.get('agentsMaster', account, '', () => this.source.listAgents(account));
  }

  async agentByExtension(account: string, extension: string): Promise<Agent | null> {
    const key = extension.trim();
    if (key === '') return this.source.agentByExtension(account, extension);
    const id = await this.cache.get('agentByExtension', account, key, async () => (await this.source.agentByExtension(account, key))?.id ?? null);
    return id === null ? null : this.getAgent(account, id);
  }

  async ensureAgent(account: string, id: string, name: string): Promise<void> {
    if (await this.getAgent(account, id)) return;
    // Works while Redis is away (start-up): the invalidation is sent again once it is back.
    await this.source.upsertAgent(account, { id, name });
    await this.cache.invalidate(account, { kind: 'Create', entity: 'agent', ids: [id], scopes: [...DIRECTORY] });
  }

  // ── devices ──

  async bindDevice(account: string, mac: string, agent: string): Promise<Device> {
    return this.write(account, { entity: 'device', ids: [mac], scopes: [...DIRECTORY] }, async () => {
      const existed = (await this.source.deviceOwner(account, mac)) !== null;
      return { result: await this.source.bindDevice(account, mac, agent), kind: existed ? 'Update' : 'Create' };
    });
  }

  async claimDevice(account: string, mac: string, agent: string): Promise<string> {
    return this.write(account, { entity: 'device', ids: [parseMac(mac) ?? mac], scopes: [...DIRECTORY] }, async () => {
      const owner = await this.source.claimDevice(account, mac, agent);
      return { result: owner, kind: 'Update' };
    });
  }

  async deviceOwner(account: string, mac: string): Promise<string | null> {
    const normalised = parseMac(mac);
    if (normalised === null) return null;
    return this.cache.get('deviceOwner', account, normalised, () => this.source.deviceOwner(account, normalised));
  }

  /** Device health only: no cached answer depends on it (a new phone row has no owner). */
  recordDeviceEvent(account: string, input: Parameters<Directory['recordDeviceEvent']>[1]): Promise<void> {
    return this.source.recordDeviceEvent(account, input);
  }

  listDevices(account: string): Promise<Device[]> {
    return this.source.listDevices(account);
  }

  getDevice(account: string, mac: string): Promise<Device | null> {
    return this.source.getDevice(account, mac);
  }

  setDeviceControl(account: string, mac: string, input: DeviceControlInput): Promise<Device> {
    return this.source.setDeviceControl(account, mac, input);
  }

  deviceControl(account: string, mac: string): Promise<DeviceControlSettings | null> {
    return this.source.deviceControl(account, mac);
  }

  // ── helplines ──

  async upsertHelpline(account: string, input: Parameters<Directory['upsertHelpline']>[1]): Promise<Helpline> {
    return this.write(account, { entity: 'helpline', ids: [input.number], scopes: [...DIRECTORY] }, async () => {
      const existed = (await this.source.helplineByNumber(account, input.number)) !== null;
      return { result: await this.source.upsertHelpline(account, input), kind: existed ? 'Update' : 'Create' };
    });
  }

  async helplineByNumber(account: string, number: string): Promise<Helpline | null> {
    const normalised = normaliseNumber(number);
    if (normalised === '') return null;
    return this.cache.get('helpline', account, normalised, () => this.source.helplineByNumber(account, normalised));
  }

  listHelplines(account: string): Promise<Helpline[]> {
    return this.cache.get('helplinesMaster', account, '', () => this.source.listHelplines(account));
  }

  // ── contacts ──

  async upsertContact(account: string, contact: Contact): Promise<Contact> {
    return this.write(account, { entity: 'contact', ids: [contact.number], scopes: [...CONTACTS] }, async () => {
      const existed = (await this.source.contactByNumber(account, contact.number)) !== null;
      return { result: await this.source.upsertContact(account, contact), kind: existed ? 'Update' : 'Create' };
    });
  }

  async importContactsCsv(account: string, csv: CsvSource): Promise<CsvImportResult> {
    this.writable();
    try {
      return await this.source.importContactsCsv(account, csv);
    } finally {
      // Batches may have been written before a failure: drop the account's contacts either way.
      await this.cache.invalidate(account, { kind: 'Sync', entity: 'contact', ids: [], scopes: [...CONTACTS] });
    }
  }

  searchContacts(account: string, q: string, limit?: number): Promise<Contact[]> {
    return this.source.searchContacts(account, q, limit);
  }

  async contactByNumber(account: string, number: string): Promise<Contact | null> {
    if (this.options.readContact) return this.contactByNumberSync(account, number, this.options.readContact);
    const key = number.trim();
    if (key === '') return this.source.contactByNumber(account, number);
    return this.cache.get('contact', account, key, () => this.source.contactByNumber(account, key));
  }

  /**
   * contactByNumber for a synchronous reader, the SQLite call log's caller cards: the local layer,
   * else `read` (the source's own synchronous lookup, as cheap as Redis would be) kept there. The
   * same entries as contactByNumber, so a contact write drops what this gave. Nothing waits
   * between the read and keeping it, so no invalidation can fall in between.
   */
  contactByNumberSync(account: string, number: string, read: (account: string, number: string) => Contact | null): Contact | null {
    const key = number.trim();
    if (key === '') return read(account, number);
    const cached = this.cache.peek<Contact | null>('contact', account, key);
    if (cached !== undefined) return cached;
    const contact = read(account, key);
    this.cache.keepLocal('contact', account, key, contact);
    return contact;
  }

  // ── removals ──

  removeAgent(account: string, id: string): Promise<boolean> {
    return this.removal(account, { entity: 'agent', ids: [id], scopes: [...DIRECTORY] }, () => this.source.removeAgent(account, id));
  }

  removeDevice(account: string, mac: string): Promise<boolean> {
    return this.removal(account, { entity: 'device', ids: [mac], scopes: [...DIRECTORY] }, () => this.source.removeDevice(account, mac));
  }

  removeHelpline(account: string, number: string): Promise<boolean> {
    return this.removal(account, { entity: 'helpline', ids: [number], scopes: [...DIRECTORY] }, () => this.source.removeHelpline(account, number));
  }

  removeContact(account: string, number: string): Promise<boolean> {
    return this.removal(account, { entity: 'contact', ids: [number], scopes: [...CONTACTS] }, () => this.source.removeContact(account, number));
  }

  // ── master lookups ──

  dropdown(account: string, name: LookupName): Promise<LookupItem[]> {
    return this.cache.get(DROPDOWN_TYPES[name], account, '', async () => {
      if (name === 'agents') return agentsDropdown(await this.source.listAgents(account));
      if (name === 'helplines') return helplinesDropdown(await this.source.listHelplines(account));
      return dispositionsDropdown(await this.dispositions.list(account));
    });
  }

  listDispositions(account: string): Promise<Disposition[]> {
    return this.cache.get('dispositionsMaster', account, '', () => this.dispositions.list(account));
  }

  setDispositions(account: string, items: readonly Disposition[]): Promise<Disposition[]> {
    return this.write(account, { entity: 'disposition', ids: items.map((d) => d.code), scopes: ['dispositions'] }, async () => ({
      result: await this.dispositions.set(account, items), kind: 'Sync',
    }));
  }

  /** The source is the caller's (it shares the database with the call log); the cache belongs to the adapters. */
  async close(): Promise<void> {
    await this.source.close();
  }

  // ── writes ──

  private writable(): void {
    try {
      this.cache.assertWritable();
    } catch (err) {
      if (err instanceof CacheUnavailableError) throw new DirectoryError('unavailable', err.message);
      throw err;
    }
  }

  /**
   * A write the source refuses (a DirectoryError such as 'extension_is_helpline', which the source
   * checks inside its own atomic write: see domain/directory/rules.ts) is thrown as it is, and
   * nothing is invalidated or announced: nothing changed.
   */
  private async write<T>(account: string, change: Change, work: () => Promise<{ result: T; kind: CacheEventKind }>): Promise<T> {
    this.writable();
    const { result, kind } = await work();
    await this.cache.invalidate(account, { ...change, kind });
    return result;
  }

  private async removal(account: string, change: Change, work: () => Promise<boolean>): Promise<boolean> {
    this.writable();
    const removed = await work();
    if (removed) await this.cache.invalidate(account, { ...change, kind: 'Delete' });
    return removed;
  }
}
