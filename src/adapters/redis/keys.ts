/**
 * Every Redis key and channel name of Ringside is built here and nowhere else: the call-state
 * store's (domain/callstate/ttl.ts documents each one with its lifetime), the agent sessions',
 * statuses' and queues', the push hub's and the directory cache's (app/cache/cacheTypes.ts). This
 * module imports nothing, so any adapter (and the tools) can name keys without pulling in another.
 *
 * Tenant keys are `<root>:account:{<account>}:<name>`: the braces are a Cluster hash tag, so all
 * keys of one account share a slot and one Lua script may touch any of them. Global keys
 * (`<root>:<name>`, no hash tag) are never in a script together with an account's keys (in a
 * Cluster they live in another slot). Every key a script touches is passed to it in KEYS, built
 * here from what the client knows (account, remote, mac, event id, call id).
 */
export const DEFAULT_ROOT = 'cal';

/** Where the hub keeps its routing facts in Redis (CallStateKeys.push()). */
export interface PushRedisKeys {
  /** Hash `<node>:<connection id>` → JSON { account, agent, node, since }: every open UI connection (the seed's cal:ws:connections). */
  connections: string;
  /** The channel that carries an account's pushes to every node. */
  pushChannel(account: string): string;
  /** A pattern matching every account's push channel. */
  pushChannelPattern: string;
}

/** What a hash tag or a key separator could be confused with. The config already limits accounts to [A-Za-z0-9_.-]. */
const UNSAFE_ACCOUNT = /[{}:\s]/;

export class CallStateKeys {
  constructor(readonly root: string = DEFAULT_ROOT) {
    if (root === '' || /[{}]/.test(root)) throw new Error(`Redis key root must be non-empty and without braces: ${JSON.stringify(root)}`);
  }

  /** The keys of one account. */
  tenant(account: string): TenantKeys {
    if (account === '' || UNSAFE_ACCOUNT.test(account)) throw new Error(`Account unusable in a Redis key: ${JSON.stringify(account)}`);
    return new TenantKeys(`${this.root}:account:{${account}}:`);
  }

  /** Global zset: account -> when it last queued a missed call (the sweeper's list of accounts to visit). */
  missedAccounts(): string {
    return `${this.root}:missed:accounts`;
  }

  /**
   * The push hub's names (docs/redis.md, Push across processes: the seed's `cal:ws:connections`, and a `push` channel per
   * account; the account's `events` channel is the directory cache's invalidation channel and
   * stays free of popups), kept here so that one module names everything under the root.
   */
  push(): PushRedisKeys {
    return {
      connections: `${this.root}:ws:connections`,
      pushChannel: (account) => `${this.tenant(account).prefix}push`,
      // `{` and `}` are literal in a channel glob; only the account varies.
      pushChannelPattern: `${this.root}:account:{*}:push`,
    };
  }

  /**
   * The directory cache's names (REDIS_CACHE_DB; app/cache/cacheTypes.ts lists every entry with its
   * TTL): per account its entries, the scope versions and the `events` channel; globally
   * `<root>:events` and each process's acknowledgement channel.
   */
  cache(): CacheKeys {
    return new CacheKeys(this);
  }

  /** SCAN pattern of every key under this root (tests and maintenance). */
  everything(): string {
    return `${this.root}:*`;
  }
}

export class TenantKeys {
  constructor(readonly prefix: string) {}

  active(remote: string): string {
    return `${this.prefix}calls:active:${remote}`;
  }

  deviceReported(mac: string, remote: string): string {
    return `${this.prefix}calls:device_reported:${mac}:${remote}`;
  }

  ring(callId: string): string {
    return `${this.prefix}calls:ring:${callId}`;
  }

  ringRemote(remote: string): string {
    return `${this.prefix}calls:ring_remote:${remote}`;
  }

  direction(callId: string): string {
    return `${this.prefix}calls:direction:${callId}`;
  }

  recent(remote: string): string {
    return `${this.prefix}calls:recent:${remote}`;
  }

  /** zset call id -> until when it counts as answered (wasAnswered by call id, whatever the remote). */
  answered(): string {
    return `${this.prefix}calls:answered`;
  }

  eventResult(eventId: string): string {
    return `${this.prefix}calls:event_result:${eventId}`;
  }

  missedQueue(): string {
    return `${this.prefix}calls:missed:queue`;
  }

  missedSchedule(): string {
    return `${this.prefix}calls:missed:schedule`;
  }

  transfers(): string {
    return `${this.prefix}calls:transfers`;
  }

  relationship(childCallId: string): string {
    return `${this.prefix}calls:relationship:${childCallId}_parent`;
  }

  heartbeat(socketId: string): string {
    return `${this.prefix}sessions:heartbeat:${socketId}`;
  }

  /** zset socket id -> expiry: the account's sessions, so liveSessions needs no SCAN. */
  sessionsLive(): string {
    return `${this.prefix}sessions:live`;
  }

  /** hash socket id -> agent, beside sessionsLive. */
  sessionAgents(): string {
    return `${this.prefix}sessions:agents`;
  }

  // ── the agent status store (RedisAgentStatusStore.ts; written from PresenceService) ──

  /** set: the account's agents (the directory's, as the last presence pass saw them). */
  agentsRegistered(): string {
    return `${this.prefix}agents:registered`;
  }

  /** set: agents whose status is available (online, not on a call, no away/DND). */
  agentsAvailable(): string {
    return `${this.prefix}agents:available`;
  }

  /** set: agents with a live UI session (status other than offline). */
  agentsConnected(): string {
    return `${this.prefix}agents:connected`;
  }

  /** hash agent id -> display name. */
  agentsByUser(): string {
    return `${this.prefix}agents:by_user`;
  }

  /** hash: status, manual, phone_dnd, name, since, at. */
  agentStatus(agent: string): string {
    return `${this.prefix}agent:status:${agent}`;
  }

  // ── agent UI sessions (RedisAgentSessions.ts) ──

  /** The session JSON; `id` is the sha256 of the token, never the token itself. */
  session(id: string): string {
    return `${this.prefix}session:${id}`;
  }

  /** zset session id -> expires at. */
  sessionsActive(): string {
    return `${this.prefix}sessions:active`;
  }

  // ── queues (RedisQueues.ts; the call-back queue is one) ──

  /** zset item id -> score (oldest first). `name` is checked by the Queues port: [A-Za-z0-9_.-]. */
  queue(name: string): string {
    return `${this.prefix}queue:${name}`;
  }

  /** hash item id -> {data, audience} JSON, beside queue(name). */
  queueItems(name: string): string {
    return `${this.prefix}queue:${name}:items`;
  }

  /** hash queue name -> {name, description, createdAt} JSON. */
  queuesMeta(): string {
    return `${this.prefix}queues:meta`;
  }

  presence(agent: string): string {
    return `${this.prefix}agent:presence:${agent}`;
  }

  /** hash agent -> presence record JSON: presenceRecords in one read. */
  presenceIndex(): string {
    return `${this.prefix}agents:presence`;
  }
}

/** The directory cache's keys and channels (see CallStateKeys.cache()). */
export class CacheKeys {
  constructor(private readonly keys: CallStateKeys) {}

  /** Refuses an account with braces, a colon or blanks, as every tenant key does. */
  tenant(account: string): TenantCacheKeys {
    return new TenantCacheKeys(this.keys.tenant(account).prefix);
  }

  /** Pattern of every account's invalidation channel (`{` and `}` are literal in a glob). */
  accountEventsPattern(): string {
    return `${this.keys.root}:account:{*}:events`;
  }

  /** SCAN pattern of every account's keys (a global Sync finds the accounts with entries). */
  tenantPattern(): string {
    return `${this.keys.root}:account:{*}:*`;
  }

  /** Invalidation channel of changes that are not one account's (the seed's `cal:events`). */
  globalEvents(): string {
    return `${this.keys.root}:events`;
  }

  /** Where the processes that dropped an invalidated entry confirm it to the process that wrote. */
  acks(node: string): string {
    return `${this.keys.root}:cache:acks:${node}`;
  }
}

export class TenantCacheKeys {
  constructor(readonly prefix: string) {}

  /** hash agent id -> Agent JSON (or null: no such agent). */
  agentsById(): string {
    return `${this.prefix}agents:by_id`;
  }

  /** hash extension -> agent id (identifier mapping). */
  agentIdents(): string {
    return `${this.prefix}agent:idents`;
  }

  /** hash MAC -> the agent the phone is bound to (identifier mapping). */
  deviceIdents(): string {
    return `${this.prefix}device:idents`;
  }

  /** hash helpline number -> Helpline JSON. */
  helplinesByNumber(): string {
    return `${this.prefix}helplines:by_number`;
  }

  /** hash number as asked -> Contact JSON (identifier mapping). */
  contactIdents(): string {
    return `${this.prefix}contact:idents`;
  }

  /** JSON string: a whole list (agents, helplines, dispositions). */
  masterLookup(name: string): string {
    return `${this.prefix}masterlookup:${name}`;
  }

  /** JSON string: a list as the UI's drop-downs show it ({value, label}). */
  dropdown(name: string): string {
    return `${this.prefix}dropdown:${name}`;
  }

  /** hash scope -> counter, bumped by every write: a reader's late refill of an older value is refused. */
  versions(): string {
    return `${this.prefix}cache:versions`;
  }

  /** The account's invalidation channel (Create/Update/Delete/Sync). */
  events(): string {
    return `${this.prefix}events`;
  }
}
