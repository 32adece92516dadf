import { LRUCache } from 'lru-cache';
import type { RedisClient, ScriptRunner } from './scripts';
import type { CallStateKeys } from './keys';
import { checkSessionTtl, newSessionToken, sessionIdOf, type AgentSessionRecord, type AgentSessions, type NewAgentSession } from '../../domain/sessions/AgentSessions';
import { backoffDelay } from '../../protocol/backoff';
import type { Logger } from '../../shared/logger';

export interface RedisAgentSessionsOptions {
  /**
   * True while Redis cannot be asked now. adapters.ts passes "the connection is not ready", so a
   * process that started while Redis was unreachable serves its UIs at once. Default: the
   * connection was ready before and is not now (before its first connect, commands wait for it).
   */
  away?: () => boolean;
  logger?: Logger;
}

/** Retry timing of a session made while Redis was away and not yet written to it. */
const WRITE_RETRY = { baseMs: 200, capMs: 5_000, jitter: 'equal' } as const;

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
 *
 * A session made while Redis is away (the seat's UI of a process started during an outage) is
 * kept the same way and written to Redis in the background once it is back (retried with
 * backoff), so the token then works on every process too.
 */
export class RedisAgentSessions implements AgentSessions {
  private readonly seen = new LRUCache<string, AgentSessionRecord>({ max: SEEN_SESSIONS });
  /** Sessions made while Redis was away, not written to it yet (by id). */
  private readonly unwritten = new Map<string, { record: AgentSessionRecord; now: number }>();
  private writeTimer: NodeJS.Timeout | null = null;
  private writeAttempt = 0;
  private writing = false;
  private closed = false;
  private wasReady = false;
  private readonly onReady = () => this.scheduleWrite(0);

  constructor(
    private readonly client: RedisClient,
    private readonly keys: CallStateKeys,
    private readonly scripts: ScriptRunner,
    private readonly options: RedisAgentSessionsOptions = {},
  ) {
    client.on('ready', this.onReady);
  }

  async create(account: string, agent: string, ttlMs: number, now: number): Promise<NewAgentSession> {
    checkSessionTtl(ttlMs);
    const token = newSessionToken();
    const id = sessionIdOf(token);
    const expiresAt = now + ttlMs;
    const record: AgentSessionRecord = { id, account, agent, createdAt: now, expiresAt };
    if (this.redisAway()) {
      // Not waiting for Redis: this process accepts the token now, and writes it once Redis is back.
      this.seen.set(id, record);
      this.unwritten.set(id, { record, now });
      this.scheduleWrite(0);
      return { token, expiresAt };
    }
    await this.write(record, now);
    this.seen.set(id, record);
    return { token, expiresAt };
  }

  async get(account: string, token: string, now: number): Promise<AgentSessionRecord | null> {
    if (token === '') return null;
    const id = sessionIdOf(token);
    if (this.redisAway() || this.unwritten.has(id)) return live(this.seen.get(id) ?? null, account, now);
    const record = live(parse(await this.client.get(this.keys.tenant(account).session(id))), account, now);
    if (record) this.seen.set(id, record);
    else if (this.seen.get(id)?.account === account && !this.unwritten.has(id)) this.seen.delete(id);
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
    const unwritten = this.unwritten.get(id)?.record.account === account && this.unwritten.delete(id);
    const replies = await this.client.multi().del(k.session(id)).zrem(k.sessionsActive(), id).exec();
    if (this.seen.get(id)?.account === account) this.seen.delete(id);
    return replies?.[0]?.[1] === 1 || unwritten;
  }

  async revokeAgent(account: string, agent: string): Promise<number> {
    for (const [id, record] of this.seen.entries()) if (record.account === account && record.agent === agent) this.seen.delete(id);
    for (const [id, { record }] of this.unwritten) if (record.account === account && record.agent === agent) this.unwritten.delete(id);
    const k = this.keys.tenant(account);
    const ids = await this.client.zrange(k.sessionsActive(), 0, -1);
    if (ids.length === 0) return 0;
    const records = await this.client.mget(...ids.map((id) => k.session(id)));
    const theirs = ids.filter((_, i) => parse(records[i] ?? null)?.agent === agent);
    if (theirs.length === 0) return 0;
    await this.client.multi().del(...theirs.map((id) => k.session(id))).zrem(k.sessionsActive(), ...theirs).exec();
    return theirs.length;
  }

  /** Whether Redis cannot be asked now (RedisAgentSessionsOptions.away). */
  private redisAway(): boolean {
    if (this.options.away) return this.options.away();
    if (this.client.status === 'ready') {
      this.wasReady = true;
      return false;
    }
    return this.wasReady;
  }

  private async write(record: AgentSessionRecord, now: number): Promise<void> {
    const k = this.keys.tenant(record.account);
    await this.scripts.run('sessionCreate', [k.session(record.id), k.sessionsActive()], [record.id, JSON.stringify(record), record.expiresAt, now]);
  }

  /** Writes the sessions made while Redis was away, once it answers; retried with backoff. */
  private scheduleWrite(delayMs: number): void {
    if (this.closed || this.writing || this.unwritten.size === 0) return;
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = setTimeout(() => {
      this.writeTimer = null;
      void this.writeUnwritten();
    }, delayMs);
    this.writeTimer.unref();
  }

  private async writeUnwritten(): Promise<void> {
    // Commands issued now would wait in the client's queue for Redis: the 'ready' event comes back here.
    if (this.closed || this.client.status !== 'ready') return;
    this.writing = true;
    try {
      for (const [id, { record, now }] of [...this.unwritten]) {
        if (!this.unwritten.has(id)) continue;
        await this.write(record, now);
        this.unwritten.delete(id);
      }
      this.writeAttempt = 0;
    } catch (err) {
      this.options.logger?.warn({ err }, 'sessions: writing a session made while Redis was away failed; retrying');
      this.writeAttempt += 1;
    } finally {
      this.writing = false;
    }
    if (this.unwritten.size > 0) this.scheduleWrite(backoffDelay(this.writeAttempt, WRITE_RETRY));
  }

  /** Sessions made while Redis was away and not written to it yet. */
  get unwrittenCount(): number {
    return this.unwritten.size;
  }

  /** The connection belongs to the caller; a session not written to Redis by now stays this process's. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.client.off('ready', this.onReady);
  }
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
