import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AgentSessions } from '../domain/sessions/AgentSessions';
import { codedHttpError, HttpError } from './http';

export type Principal =
  | { kind: 'admin'; account: string }
  | { kind: 'agent'; account: string; agent: string };

/** Compares digests so neither the length nor the content of the secret leaks through timing. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}

/** The process's live tokens (src/app/Credentials.ts): the admin token changes when it is rotated. */
export interface TokenChecks {
  isAdmin(candidate: string): boolean;
  /** The phones' webhook token (current or replaced): it only delivers phone events. */
  isWebhookToken(candidate: string): boolean;
}

/**
 * Who a bearer token is. Both kinds are bound to the account this process serves: the admin token
 * (RINGSIDE_ADMIN_TOKEN, `<data dir>/admin-token`) is its admin, and an agent token is looked up
 * among that account's sessions only, so another tenant's agent token is refused here (401)
 * rather than served its own data. The webhook token the phones carry is no principal at all.
 */
export class Authenticator {
  constructor(private readonly deps: {
    tokens: TokenChecks; account: string; sessions: AgentSessions; clock: () => number;
    /**
     * Whether an agent administers the account (src/api/roles.ts isAdminAgent: marked `admin` in
     * the directory, or a single seat's own agent). Read per request, so a change applies to open
     * sessions at once. Absent: no agent is an admin.
     */
    isAdminAgent?: (account: string, agent: string) => Promise<boolean>;
  }) {}

  /** The admin token or an agent session token of this account; null for anything else (the webhook token included). */
  /** Whether this principal administers the account (the admin token, or an agent isAdminAgent says is). */
  async isAdminAgent(principal: Principal): Promise<boolean> {
    if (principal.kind === 'admin') return true;
    return (await this.deps.isAdminAgent?.(principal.account, principal.agent)) ?? false;
  }

  async principal(token: string | null): Promise<Principal | null> {
    if (!token) return null;
    if (this.deps.tokens.isAdmin(token)) return { kind: 'admin', account: this.deps.account };
    if (this.deps.tokens.isWebhookToken(token)) return null;
    const session = await this.deps.sessions.get(this.deps.account, token, this.deps.clock());
    return session ? { kind: 'agent', account: session.account, agent: session.agent } : null;
  }

  /**
   * `any`: the admin token or an agent session. `admin`: the admin token, or the session of an
   * agent who administers the account (isAdminAgent). `adminToken`: the admin token itself, for
   * what stays with it (the token rotation of /api/tokens/*: least privilege).
   */
  async require(req: IncomingMessage, role: 'admin' | 'adminToken' | 'any'): Promise<Principal> {
    const token = bearerToken(req);
    const principal = await this.principal(token);
    // A token of the wrong kind, as an agent token on an admin endpoint is: it is known, and may not do this.
    if (!principal && token !== null && this.deps.tokens.isWebhookToken(token)) {
      throw codedHttpError(403, 'webhook_token', 'this is the webhook token the phones carry: it only delivers phone events; the agent API takes the admin token or an agent token');
    }
    if (!principal) throw new HttpError(401, 'missing or invalid bearer token');
    if (role === 'adminToken' && principal.kind !== 'admin') {
      throw codedHttpError(403, 'admin_token_only', 'this endpoint needs the admin token itself: an agent marked admin cannot change the tokens');
    }
    if (role === 'admin' && principal.kind !== 'admin' && !(await this.isAdminAgent(principal))) {
      throw new HttpError(403, 'this endpoint needs the admin token or an agent marked admin');
    }
    return principal;
  }
}
