import type { TenantCacheKeys } from '../../adapters/redis/keys';

/**
 * Every entry of the directory cache with its two lifetimes, in one place (the call state's is
 * domain/callstate/ttl.ts). The local layer is one lru-cache per type, bounded by size and TTL as the
 * seed lists them (users and devices 20 MB, accounts 50 MB, regions 5 MB, all 60 s; the seed's
 * flow states, 4 h, have no counterpart in Ringside). The Redis layer is REDIS_CACHE_DB; its
 * keys are built by adapters/redis/keys.ts (CacheKeys), all under `<root>:account:{<account>}:`.
 *
 * type                 local (size, TTL)        Redis key (TTL)                              value
 * agent                20 MB, 60 s (users)      agents:by_id          hash id         (1 h)   Agent | null
 * agentByExtension     20 MB, 60 s (users)      agent:idents          hash extension  (1 h)   agent id | null
 * deviceOwner          20 MB, 60 s (devices)    device:idents         hash MAC        (1 h)   agent id | null
 * helpline             50 MB, 60 s (accounts)   helplines:by_number   hash number     (1 h)   Helpline | null
 * contact              20 MB, 60 s (users)      contact:idents        hash number as asked (1 h)  Contact | null   (a SQLite directory: local layer only, CachedDirectoryOptions.readContact)
 * agentsMaster          5 MB, 60 s (regions)    masterlookup:agents        string (1 h, refreshed after 45 min)   Agent[]
 * agentsDropdown        5 MB, 60 s              dropdown:agents            string (1 h, refreshed after 45 min)   {value, label}[]
 * helplinesMaster       5 MB, 60 s              masterlookup:helplines     string (1 h, refreshed after 45 min)   Helpline[]
 * helplinesDropdown     5 MB, 60 s              dropdown:helplines         string (1 h, refreshed after 45 min)   {value, label}[]
 * dispositionsMaster    5 MB, 60 s              masterlookup:dispositions  string (24 h, refreshed after 20 h)    Disposition[]
 * dispositionsDropdown  5 MB, 60 s              dropdown:dispositions      string (24 h, refreshed after 20 h)    {value, label}[]
 *
 * cache:versions   hash scope -> counter, bumped by every write of the scope      25 h, renewed by each write
 * events           the account's invalidation channel (pub/sub, no key)
 * <root>:events            global invalidation channel (a Sync there: every process clears its local layer)
 * <root>:cache:acks:<node> channel where processes confirm an invalidation to the process that wrote
 *
 * A hash's TTL runs from its first entry (all its entries go together); a write deletes every key
 * of its scope at once. Values are JSON `{"at": <ms loaded from the source>, "v": <value>}`.
 * Not cached: device health and control settings (listDevices, deviceControl: they change with
 * every phone event, and the password never leaves SQLite), contact search, and sessions.
 */

/** What one write invalidates: every type of the scope, in the written account. */
export type CacheScope = 'directory' | 'contacts' | 'dispositions';
export const CACHE_SCOPES: readonly CacheScope[] = ['directory', 'contacts', 'dispositions'];

export type CacheType =
  | 'agent' | 'agentByExtension' | 'deviceOwner' | 'helpline' | 'contact'
  | 'agentsMaster' | 'agentsDropdown' | 'helplinesMaster' | 'helplinesDropdown' | 'dispositionsMaster' | 'dispositionsDropdown';

export interface CacheTypeSpec {
  scope: CacheScope;
  local: { maxBytes: number; ttlMs: number };
  /** `hash`: one hash per account, an entry per id; `string`: one JSON string per account (the id is ''). */
  redis: { key: (keys: TenantCacheKeys) => string; shape: 'hash' | 'string'; ttlMs: number };
  /** An entry read when older than this is reloaded from the source in the background (time-based refresh). */
  refreshAfterMs?: number;
}

const MB = 1024 * 1024;
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const USERS = { maxBytes: 20 * MB, ttlMs: 60 * SECOND };
const DEVICES = { maxBytes: 20 * MB, ttlMs: 60 * SECOND };
const ACCOUNTS = { maxBytes: 50 * MB, ttlMs: 60 * SECOND };
const REGIONS = { maxBytes: 5 * MB, ttlMs: 60 * SECOND };

const hash = (key: (keys: TenantCacheKeys) => string) => ({ key, shape: 'hash' as const, ttlMs: HOUR });
const list = (key: (keys: TenantCacheKeys) => string, ttlMs: number) => ({ key, shape: 'string' as const, ttlMs });

export const CACHE_TYPES: Readonly<Record<CacheType, CacheTypeSpec>> = {
  agent: { scope: 'directory', local: USERS, redis: hash((k) => k.agentsById()) },
  agentByExtension: { scope: 'directory', local: USERS, redis: hash((k) => k.agentIdents()) },
  deviceOwner: { scope: 'directory', local: DEVICES, redis: hash((k) => k.deviceIdents()) },
  helpline: { scope: 'directory', local: ACCOUNTS, redis: hash((k) => k.helplinesByNumber()) },
  contact: { scope: 'contacts', local: USERS, redis: hash((k) => k.contactIdents()) },
  agentsMaster: { scope: 'directory', local: REGIONS, redis: list((k) => k.masterLookup('agents'), HOUR), refreshAfterMs: 45 * MINUTE },
  agentsDropdown: { scope: 'directory', local: REGIONS, redis: list((k) => k.dropdown('agents'), HOUR), refreshAfterMs: 45 * MINUTE },
  helplinesMaster: { scope: 'directory', local: REGIONS, redis: list((k) => k.masterLookup('helplines'), HOUR), refreshAfterMs: 45 * MINUTE },
  helplinesDropdown: { scope: 'directory', local: REGIONS, redis: list((k) => k.dropdown('helplines'), HOUR), refreshAfterMs: 45 * MINUTE },
  dispositionsMaster: { scope: 'dispositions', local: REGIONS, redis: list((k) => k.masterLookup('dispositions'), 24 * HOUR), refreshAfterMs: 20 * HOUR },
  dispositionsDropdown: { scope: 'dispositions', local: REGIONS, redis: list((k) => k.dropdown('dispositions'), 24 * HOUR), refreshAfterMs: 20 * HOUR },
};

export const CACHE_TYPE_NAMES = Object.keys(CACHE_TYPES) as CacheType[];

/** The types a write of the scope invalidates. */
export function typesOf(scope: CacheScope): CacheType[] {
  return CACHE_TYPE_NAMES.filter((type) => CACHE_TYPES[type].scope === scope);
}

/** Lifetime of the account's scope versions; each write renews it. */
export const VERSIONS_TTL_MS = 25 * HOUR;

/** How long a write waits for every other process to confirm it dropped the entry. */
export const ACK_WAIT_MS = 1_000;

/** The seed's event kinds: what happened to the entity. */
export type CacheEventKind = 'Create' | 'Update' | 'Delete' | 'Sync';
export type CacheEntity = 'agent' | 'device' | 'helpline' | 'contact' | 'disposition' | 'all';

/** What a write changed (the cache drops every entry of `scopes` in the account). */
export interface CacheChange {
  kind: CacheEventKind;
  entity: CacheEntity;
  /** The written entities' ids (informative: invalidation is by scope). */
  ids: string[];
  scopes: CacheScope[];
}

/** A change as published on the account's (or the global) channel. */
export interface CacheEvent extends CacheChange {
  id: string;
  /** The process that wrote; it waits for the others' acknowledgements. */
  node: string;
  /** null: a global event (every account). */
  account: string | null;
  at: number;
}
