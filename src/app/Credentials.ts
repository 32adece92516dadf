import { timingSafeEqual } from 'node:crypto';
import { tokenDigest as digest } from '../adapters/webhook/token';
import { secretsEqual } from '../api/auth';
import type { Logger } from '../shared/logger';
import type { RingsideConfig, TokenOrigin } from './config/schema';
import {
  generateToken, readPreviousWebhookToken, removePreviousWebhookToken, tokenFile, writePreviousWebhookToken, writeSecretFile,
  type PreviousWebhookToken, type TokenKind,
} from './config/tokenFiles';
import type { PhoneOnPreviousToken, TokensView } from '../protocol/responses';

/** How long phones may keep using a replaced webhook token unless the rotation says otherwise. */
export const DEFAULT_WEBHOOK_GRACE_MS = 24 * 60 * 60_000;

/** A rotation Ringside will not do: the token is configured (it would come back at the next start). */
export class TokenConfiguredError extends Error {
  constructor(readonly kind: TokenKind) {
    super(`the ${kind} token is set by the configuration (${kind === 'webhook' ? 'RINGSIDE_WEBHOOK_TOKEN or RINGSIDE_TOKEN' : 'RINGSIDE_ADMIN_TOKEN'}, a flag or a config file): `
      + 'change it there and restart; Ringside rotates only the tokens it keeps in its data directory');
  }
}

/** Which webhook token a phone's request carried. */
export type WebhookTokenMatch = 'current' | 'previous' | null;

const MAX_TRACKED_PHONES = 10_000;

/**
 * The credentials of this process, live: the webhook token phones carry (and the one a rotation
 * replaced, during its grace period), and the admin token. Rotation writes the token files first
 * (0600, atomically) and then switches, so a running server changes token without a restart and
 * a restart finds the same tokens.
 */
export class Credentials {
  private webhook: string;
  /** The webhook token's digest, kept: every phone request is compared with it (one hash per request). */
  private webhookDigest: Buffer;
  private admin: string;
  private previous: PreviousWebhookToken | null;
  /** Phones that delivered an event with the previous webhook token, by MAC (or source address). */
  private readonly onPrevious = new Map<string, PhoneOnPreviousToken>();
  private rotatedAt: number | null;

  constructor(private readonly config: RingsideConfig, private readonly deps: { clock: () => number; logger: Logger }) {
    this.webhook = config.webhookToken;
    this.webhookDigest = digest(this.webhook);
    this.admin = config.adminToken;
    this.previous = config.tokenOrigins.webhook.source === 'file' ? readPreviousWebhookToken(config.dataDir, deps.clock()) : null;
    if (this.previous && secretsEqual(this.previous.token, this.webhook)) this.previous = null;
    this.rotatedAt = this.previous?.rotatedAt ?? null;
  }

  /** The webhook token the Action URLs carry now. */
  webhookToken(): string {
    return this.webhook;
  }

  /** Whether a phone's token is the webhook token (or the replaced one, while its grace lasts). */
  matchWebhook(candidate: string): WebhookTokenMatch {
    const given = digest(candidate);
    if (timingSafeEqual(given, this.webhookDigest)) return 'current';
    const previous = this.activePrevious();
    return previous !== null && timingSafeEqual(given, digest(previous.token)) ? 'previous' : null;
  }

  /** A phone delivered an event with the replaced token: listed until it is re-provisioned. */
  notePreviousUse(phone: { mac: string | null; ip: string | null }, at: number): void {
    const key = phone.mac ?? `ip:${phone.ip ?? 'unknown'}`;
    if (!this.onPrevious.has(key) && this.onPrevious.size >= MAX_TRACKED_PHONES) return;
    this.onPrevious.set(key, { mac: phone.mac, ip: phone.ip, lastSeenAt: at });
  }

  isAdmin(candidate: string): boolean {
    return secretsEqual(candidate, this.admin);
  }

  /** The webhook token (current or replaced, expired or not) presented where it has no business. */
  isWebhookToken(candidate: string): boolean {
    return secretsEqual(candidate, this.webhook) || (this.previous !== null && secretsEqual(candidate, this.previous.token));
  }

  origin(kind: TokenKind): TokenOrigin {
    return this.config.tokenOrigins[kind];
  }

  /**
   * A new webhook token, at once. The replaced one keeps working for `graceMs` (0: refused at
   * once) so phones not re-provisioned yet still deliver; a replaced token still in its grace
   * is dropped (only the latest replaced token is kept).
   */
  rotateWebhook(graceMs: number): { rotatedAt: number; previousValidUntil: number | null } {
    this.requireFile('webhook');
    const now = this.deps.clock();
    const replaced = this.webhook;
    const fresh = generateToken();
    const previous = graceMs > 0 ? { token: replaced, validUntil: now + graceMs, rotatedAt: now } : null;
    // The grace first: a crash between the two writes leaves the old token current, never lost.
    if (previous) writePreviousWebhookToken(this.config.dataDir, previous);
    else removePreviousWebhookToken(this.config.dataDir);
    writeSecretFile(tokenFile(this.config.dataDir, 'webhook'), `${fresh}\n`);
    this.webhook = fresh;
    this.webhookDigest = digest(fresh);
    this.previous = previous;
    this.rotatedAt = now;
    this.onPrevious.clear();
    this.deps.logger.warn({ previousValidUntil: previous?.validUntil ?? null }, 'webhook token rotated');
    return { rotatedAt: now, previousValidUntil: previous?.validUntil ?? null };
  }

  /** Ends the replaced webhook token's grace now; false when there was none. */
  retirePreviousWebhook(): boolean {
    const had = this.activePrevious() !== null;
    this.previous = null;
    this.onPrevious.clear();
    if (this.origin('webhook').source === 'file') removePreviousWebhookToken(this.config.dataDir);
    if (had) this.deps.logger.warn('the replaced webhook token is refused from now on');
    return had;
  }

  /** A new admin token, at once; the old one is refused from now on. */
  rotateAdmin(): { rotatedAt: number } {
    this.requireFile('admin');
    const fresh = generateToken();
    writeSecretFile(tokenFile(this.config.dataDir, 'admin'), `${fresh}\n`);
    this.admin = fresh;
    this.deps.logger.warn('admin token rotated');
    return { rotatedAt: this.deps.clock() };
  }

  /** What GET /api/tokens shows: where each token is kept, the grace, the phones still on the old token. Never a token. */
  view(): TokensView {
    const previous = this.activePrevious();
    const describe = (kind: TokenKind) => {
      const origin = this.origin(kind);
      return { source: origin.source, file: origin.file, deprecatedSetting: origin.legacy ? 'RINGSIDE_TOKEN' : null, rotatable: origin.source === 'file' };
    };
    return {
      webhook: {
        ...describe('webhook'),
        rotatedAt: this.rotatedAt,
        previous: previous === null ? null : {
          validUntil: previous.validUntil,
          phones: [...this.onPrevious.values()].sort((a, b) => (a.mac ?? '').localeCompare(b.mac ?? '')),
        },
      },
      admin: describe('admin'),
    };
  }

  private activePrevious(): PreviousWebhookToken | null {
    if (this.previous !== null && this.previous.validUntil <= this.deps.clock()) {
      this.previous = null;
      this.onPrevious.clear();
    }
    return this.previous;
  }

  private requireFile(kind: TokenKind): void {
    if (this.origin(kind).source !== 'file') throw new TokenConfiguredError(kind);
  }
}
