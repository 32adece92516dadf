import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Directory } from '../directory/Directory';
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

export class Authenticator {
  constructor(private readonly deps: { adminToken: string; account: string; directory: Directory; clock: () => number }) {}

  /** Admin token (RINGSIDE_TOKEN) or an agent session token; null when neither. */
  async principal(token: string | null): Promise<Principal | null> {
    if (!token) return null;
    if (secretsEqual(token, this.deps.adminToken)) return { kind: 'admin', account: this.deps.account };
    const session = await this.deps.directory.sessionByToken(token, this.deps.clock());
    return session ? { kind: 'agent', account: session.account, agent: session.agent } : null;
  }

  async require(req: IncomingMessage, role: 'admin' | 'any'): Promise<Principal> {
    const principal = await this.principal(bearerToken(req));
    if (!principal) throw new HttpError(401, 'missing or invalid bearer token');
    if (role === 'admin' && principal.kind !== 'admin') throw new HttpError(403, 'this endpoint needs the admin token');
    return principal;
  }
}
