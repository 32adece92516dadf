import type { Logger } from '../../shared/logger';
import { GrandstreamPhoneClient } from './GrandstreamPhoneClient';

/** What the registry needs to drive one phone (the directory's control settings of a device). */
export interface PhoneTarget {
  account: string;
  mac: string;
  host: string;
  port: number;
  username: string;
  password: string;
  /** The settings' save counter: a new save (even of the same values) starts a fresh client. */
  version: number;
}

export interface PhoneRegistryOptions {
  logger?: Logger;
  /** Per request to a phone; default the client's (5 s). */
  timeoutMs?: number;
  clock?: () => number;
}

/**
 * One GrandstreamPhoneClient per phone, so every API request for a phone shares its web session,
 * its one-request-at-a-time queue and its failed-login guard (two refused logins and Ringside
 * stops until the settings are saved again). A client is replaced when the phone's settings
 * change: a new save, or a new address reported by the phone.
 */
export class PhoneRegistry {
  private readonly clients = new Map<string, { key: string; client: GrandstreamPhoneClient }>();

  constructor(private readonly options: PhoneRegistryOptions = {}) {}

  clientFor(target: PhoneTarget): GrandstreamPhoneClient {
    const id = `${target.account}\u0000${target.mac}`;
    // In memory only (the client holds the password anyway); a device removed and added again
    // starts its save counter over, so the password itself must be part of the key.
    const key = JSON.stringify([target.version, target.host, target.port, target.username, target.password]);
    const existing = this.clients.get(id);
    if (existing && existing.key === key) return existing.client;
    const client = new GrandstreamPhoneClient({
      host: target.host,
      port: target.port,
      username: target.username,
      password: target.password,
      ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      ...(this.options.logger ? { logger: this.options.logger } : {}),
    });
    this.clients.set(id, { key, client });
    return client;
  }

  /** Drops the phone's client (device removed); the next request starts a fresh one. */
  forget(account: string, mac: string): void {
    this.clients.delete(`${account}\u0000${mac}`);
  }

  get size(): number {
    return this.clients.size;
  }
}
