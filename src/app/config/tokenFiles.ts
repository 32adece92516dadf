import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateFileWith, keepFilePrivate, PRIVATE_FILE_MODE } from '../../shared/privateFiles';

/**
 * The two credentials of a Ringside process and the files they are kept in (docs/webhook.md,
 * Token; docs/agent-api.md, Authentication):
 *
 * - the webhook token (`<data dir>/webhook-token`): in every phone's Action URLs; it can do
 *   nothing but deliver phone events;
 * - the admin token (`<data dir>/admin-token`): the agent API's admin; never in a phone.
 *
 * Each is generated at first start (24 random bytes, base64url) unless configured, and kept in a
 * file of mode 0600 (made 0600 again when found wider). A data directory of an older Ringside
 * has only `token` (the one token it had, in every phone): it becomes the webhook token, so the
 * phones keep working, and a new admin token is generated.
 */
export type TokenKind = 'webhook' | 'admin';

export const TOKEN_KINDS: readonly TokenKind[] = ['webhook', 'admin'];

export const TOKEN_FILE_NAMES: Readonly<Record<TokenKind, string>> = { webhook: 'webhook-token', admin: 'admin-token' };

/** The one token of Ringside before the webhook and admin tokens were separated. */
export const LEGACY_TOKEN_FILE_NAME = 'token';

/** The webhook token a rotation replaced, and until when phones may still use it (JSON). */
export const PREVIOUS_WEBHOOK_TOKEN_FILE_NAME = 'webhook-token.previous';

/** The shortest token accepted (configured ones; generated ones have 32 characters). */
export const MIN_TOKEN_LENGTH = 16;

export class TokenFileError extends Error {}

export function tokenFile(dataDir: string, kind: TokenKind): string {
  return join(dataDir, TOKEN_FILE_NAMES[kind]);
}

export function previousWebhookTokenFile(dataDir: string): string {
  return join(dataDir, PREVIOUS_WEBHOOK_TOKEN_FILE_NAME);
}

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Tokens travel in URL paths and HTTP headers: printable ASCII without spaces, at least 16 characters. */
export function tokenProblem(value: string): string | null {
  if (value.length < MIN_TOKEN_LENGTH) return `at least ${MIN_TOKEN_LENGTH} characters`;
  if (!/^[\x21-\x7e]+$/.test(value)) return 'printable ASCII characters without spaces only';
  return null;
}

/** The token in a file (trimmed), or null when there is no file. */
export function readTokenFile(file: string): string | null {
  if (!existsSync(file)) return null;
  const value = readFileSync(file, 'utf8').trim();
  const problem = tokenProblem(value);
  if (problem !== null) throw new TokenFileError(`${file} does not hold a usable token (${problem}); delete it to have a new one generated`);
  keepFilePrivate(file);
  return value;
}

function temporaryName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Writes the whole content under a temporary name (0600), so no reader ever sees half a file. */
function writeTemporary(file: string, content: string): string {
  const temporary = temporaryName(file);
  writeFileSync(temporary, content, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  keepFilePrivate(temporary);
  return temporary;
}

/** Replaces the file atomically (rename), mode 0600. */
export function writeSecretFile(file: string, content: string): void {
  const temporary = writeTemporary(file, content);
  try {
    renameSync(temporary, file);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
}

export interface PersistedToken {
  value: string;
  file: string;
  /** What happened to the file now: it was there, it was generated, or the old `token` became it. */
  how: 'read' | 'generated' | 'migrated';
}

/** The kind's token from its file; generated (or, for the webhook token, taken over from `token`) when there is none. */
export function persistedToken(dataDir: string, kind: TokenKind): PersistedToken {
  const file = tokenFile(dataDir, kind);
  const existing = readTokenFile(file);
  if (existing !== null) return { value: existing, file, how: 'read' };
  // Owner-only from the start (docs/architecture.md, Files on disk); an existing wider one is narrowed at server start.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (kind === 'webhook') {
    const legacy = join(dataDir, LEGACY_TOKEN_FILE_NAME);
    const legacyValue = readTokenFile(legacy);
    if (legacyValue !== null && createPrivateFileWith(file, `${legacyValue}\n`)) {
      // The old file held the admin token too: it goes, so nothing reads it as admin again.
      unlinkSync(legacy);
      return { value: legacyValue, file, how: 'migrated' };
    }
  }
  const created = createPrivateFileWith(file, `${generateToken()}\n`);
  return { value: readTokenFile(file)!, file, how: created ? 'generated' : 'read' };
}

export interface PreviousWebhookToken {
  token: string;
  /** Epoch ms; the token is refused from then on. */
  validUntil: number;
  /** Epoch ms of the rotation that replaced it. */
  rotatedAt: number;
}

/** The replaced webhook token still in its grace period, or null (none, expired, or unreadable). */
export function readPreviousWebhookToken(dataDir: string, now: number): PreviousWebhookToken | null {
  const file = previousWebhookTokenFile(dataDir);
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<PreviousWebhookToken>;
    keepFilePrivate(file);
    const { token, validUntil, rotatedAt } = parsed;
    if (typeof token !== 'string' || tokenProblem(token) !== null || typeof validUntil !== 'number' || typeof rotatedAt !== 'number') return null;
    return validUntil > now ? { token, validUntil, rotatedAt } : null;
  } catch {
    return null;
  }
}

export function writePreviousWebhookToken(dataDir: string, previous: PreviousWebhookToken): void {
  writeSecretFile(previousWebhookTokenFile(dataDir), `${JSON.stringify(previous)}\n`);
}

export function removePreviousWebhookToken(dataDir: string): void {
  try {
    unlinkSync(previousWebhookTokenFile(dataDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * The kind's token as it is now: re-read from its file when it is kept there (a running server
 * may have rotated it since the configuration was loaded), else the configured one.
 */
export function currentToken(config: { webhookToken: string; adminToken: string; tokenOrigins: Readonly<Record<TokenKind, { file: string | null }>> }, kind: TokenKind): string {
  const file = config.tokenOrigins[kind].file;
  const fromFile = file === null ? null : readTokenFile(file);
  return fromFile ?? (kind === 'webhook' ? config.webhookToken : config.adminToken);
}
