import { createHash, randomBytes } from 'node:crypto';

/**
 * The agent UI session port (docs/redis.md, Sessions, agent statuses and queues: the seed's `session:<id>` with `sessions:active`): the token
 * `POST /api/session` hands out, bound to one account and one agent, with a lifetime.
 * Adapters: SqliteAgentSessions (the call-log database; embedded mode, and every seat sharing the
 * file) and RedisAgentSessions (shared mode: sessions live in Redis, so a token works on every
 * process of its account and survives restarts of any of them).
 *
 * A session is stored under the sha256 of its token (`id`): the token itself is never stored.
 * Every lookup names the account, and a session is found only under its own account: a process
 * of one tenant never accepts another tenant's agent token.
 */
export interface AgentSessionRecord {
  /** sha256 of the token (hex). */
  id: string;
  account: string;
  agent: string;
  createdAt: number;
  expiresAt: number;
}

export interface NewAgentSession {
  token: string;
  expiresAt: number;
}

export interface AgentSessions {
  /** A new opaque token for the agent's UI; the caller checks that the agent exists. */
  create(account: string, agent: string, ttlMs: number, now: number): Promise<NewAgentSession>;
  /** The session of this token in this account, live at `now`; null otherwise (another account's token included). */
  get(account: string, token: string, now: number): Promise<AgentSessionRecord | null>;
  /** The account's sessions live at `now` (sessions:active), oldest first. */
  list(account: string, now: number): Promise<AgentSessionRecord[]>;
  /** Ends one session; false when the token has none in this account. */
  revoke(account: string, token: string): Promise<boolean>;
  /** Ends every session of the agent (the agent was removed); how many were ended. */
  revokeAgent(account: string, agent: string): Promise<number>;
  close(): Promise<void>;
}

/** 32 random bytes, base64url: fits a URL, a fragment and a Sec-WebSocket-Protocol value. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The id a token's session is stored under. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function checkSessionTtl(ttlMs: number): void {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError('a session needs a positive, finite ttl');
}
