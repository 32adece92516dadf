import type { PushRedisKeys } from '../../push/RedisPushHub';

/**
 * Every Redis key of the call-state store is built here and nowhere else (ttl.ts documents each
 * one with its lifetime). Tenant keys are `<root>:account:{<account>}:<name>`: the braces are a
 * Cluster hash tag, so all keys of one account share a slot and one Lua script may touch any of
 * them. Global keys (`<root>:<name>`, no hash tag) are never in a script together with an
 * account's keys (in a Cluster they live in another slot). Every key a script touches is passed
 * to it in KEYS, built here from what the client knows (account, remote, mac, event id, call id).
 */
export const DEFAULT_ROOT = 'cal';

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
   * The push hub's names (SPEC 5: the seed's `cal:ws:connections`, and a `push` channel per
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

  agentsConnected(): string {
    return `${this.prefix}agents:connected`;
  }

  agentsAvailable(): string {
    return `${this.prefix}agents:available`;
  }

  presence(agent: string): string {
    return `${this.prefix}agent:presence:${agent}`;
  }

  /** hash agent -> presence record JSON: presenceRecords in one read. */
  presenceIndex(): string {
    return `${this.prefix}agents:presence`;
  }
}
