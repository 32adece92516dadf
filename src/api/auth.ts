import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AgentSessions } from '../domain/sessions/AgentSessions';
import { HttpError } from './http';

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

/**
 * Who a bearer token is. Both kinds are bound to the account this process serves: the admin token
 * (RINGSIDE_TOKEN) is its admin, and an agent token is looked up among that account's sessions
 * only, so another tenant's agent token is refused here (401) rather than served its own data.
 */
export class Authenticator {
  constructor(private readonly deps: { adminToken: string; account: string; sessions: AgentSessions; clock: () => number }) {}

  /** Admin token (RINGSIDE_TOKEN) or an agent session token of this account; null when neither. */
  async principal(token: string | null): Promise<Principal | null> {
    if (!token) return null;
    if (secretsEqual(token, this.deps.adminToken)) return { kind: 'admin', account: this.deps.account };
    const session = await this.deps.sessions.get(this.deps.account, token, this.deps.clock());
    return session ? { kind: 'agent', account: session.account, agent: session.agent } : null;
  }

  async require(req: IncomingMessage, role: 'admin' | 'any'): Promise<Principal> {
    const principal = await this.principal(bearerToken(req));
    if (!principal) throw new HttpError(401, 'missing or invalid bearer token');
    if (role === 'admin' && principal.kind !== 'admin') throw new HttpError(403, 'this endpoint needs the admin token');
    return principal;
  }
}
