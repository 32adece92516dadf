import { LRUCache } from 'lru-cache';
import type { RedisClient, ScriptRunner } from './scripts';
import type { CallStateKeys } from './keys';
import { checkSessionTtl, newSessionToken, sessionIdOf, type AgentSessionRecord, type AgentSessions, type NewAgentSession } from '../../domain/sessions/AgentSessions';

/**
 * Agent UI sessions in Redis (shared mode), under the account's hash tag: `session:<id>` (the
 * session JSON, expiring with the session) and `sessions:active` (zset id -> expires at). A token
 * is looked up only under the account the process serves, so another tenant's token finds nothing.
 * Expiry is decided against the method's `now` (kept in the record) as well as by the key's TTL.
 *
 * While Redis is away (the connection is not ready), a token is checked against the sessions this
 * process found or made lately (`seen`, in memory) instead of waiting for Redis: an open UI keeps
 * working and learns from its `health` message that Redis is down. A session revoked through
 * another process meanwhile is honoured once Redis is back.
 */
export class RedisAgentSessions implements AgentSessions {
  private readonly seen = new LRUCache<string, AgentSessionRecord>({ max: SEEN_SESSIONS });
  private wasReady = false;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: CallStateKeys,
    private readonly scripts: ScriptRunner,
  ) {}

  async create(account: string, agent: string, ttlMs: number, now: number): Promise<NewAgentSession> {
    checkSessionTtl(ttlMs);
    const k = this.keys.tenant(account);
    const token = newSessionToken();
    const id = sessionIdOf(token);
    const expiresAt = now + ttlMs;
    const record: AgentSessionRecord = { id, account, agent, createdAt: now, expiresAt };
    await this.scripts.run('sessionCreate', [k.session(id), k.sessionsActive()], [id, JSON.stringify(record), expiresAt, now]);
    this.seen.set(id, record);
    return { token, expiresAt };
  }

  async get(account: string, token: string, now: number): Promise<AgentSessionRecord | null> {
    if (token === '') return null;
    const id = sessionIdOf(token);
    if (this.redisAway()) return live(this.seen.get(id) ?? null, account, now);
    const record = live(parse(await this.client.get(this.keys.tenant(account).session(id))), account, now);
    if (record) this.seen.set(id, record);
    else if (this.seen.get(id)?.account === account) this.seen.delete(id);
    return record;
  }

  async list(account: string, now: number): Promise<AgentSessionRecord[]> {
    const k = this.keys.tenant(account);
    const ids = await this.client.zrangebyscore(k.sessionsActive(), `(${now}`, '+inf');
    if (ids.length === 0) return [];
    const records = await this.client.mget(...ids.map((id) => k.session(id)));
    return records.map((json) => live(parse(json), account, now)).filter((r): r is AgentSessionRecord => r !== null)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async revoke(account: string, token: string): Promise<boolean> {
    if (token === '') return false;
    const k = this.keys.tenant(account);
    const id = sessionIdOf(token);
    const replies = await this.client.multi().del(k.session(id)).zrem(k.sessionsActive(), id).exec();
    if (this.seen.get(id)?.account === account) this.seen.delete(id);
    return replies?.[0]?.[1] === 1;
  }

  async revokeAgent(account: string, agent: string): Promise<number> {
    for (const [id, record] of this.seen.entries()) if (record.account === account && record.agent === agent) this.seen.delete(id);
    const k = this.keys.tenant(account);
    const ids = await this.client.zrange(k.sessionsActive(), 0, -1);
    if (ids.length === 0) return 0;
    const records = await this.client.mget(...ids.map((id) => k.session(id)));
    const theirs = ids.filter((_, i) => parse(records[i] ?? null)?.agent === agent);
    if (theirs.length === 0) return 0;
    await this.client.multi().del(...theirs.map((id) => k.session(id))).zrem(k.sessionsActive(), ...theirs).exec();
    return theirs.length;
  }

  /** The connection was up and is not now (before its first connect, commands wait for it). */
  private redisAway(): boolean {
    if (this.client.status === 'ready') {
      this.wasReady = true;
      return false;
    }
    return this.wasReady;
  }

  /** The connection belongs to the caller. */
  async close(): Promise<void> {}
}

/** Sessions remembered for Redis outages (a few hundred bytes each). */
const SEEN_SESSIONS = 10_000;

function parse(json: string | null): AgentSessionRecord | null {
  if (json === null) return null;
  try {
    return JSON.parse(json) as AgentSessionRecord;
  } catch {
    return null;
  }
}

/** The stored session if it is this account's and live at `now`. */
function live(record: AgentSessionRecord | null, account: string, now: number): AgentSessionRecord | null {
  if (!record || record.account !== account || !(record.expiresAt > now)) return null;
  return { id: record.id, account: record.account, agent: record.agent, createdAt: record.createdAt, expiresAt: record.expiresAt };
}
