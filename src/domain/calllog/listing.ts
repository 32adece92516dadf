import { CallLogError } from './errors';

/**
 * How both call-log adapters page and search the call list (CallLog.listCalls): the cursor, the
 * LIKE pattern of a free-text search, how far a contact-name search may expand.
 */

/** An opaque position in the newest-first order: base64url of [startedAt, id]. */
export function encodeCursor(startedAt: number, id: string): string {
  return Buffer.from(JSON.stringify([startedAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { startedAt: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === 'string') {
      return { startedAt: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through
  }
  throw new CallLogError('bad_cursor', 'the cursor is not one this server issued');
}

/** A LIKE pattern (escape `\`) that finds `q` anywhere. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** How many contact numbers a free-text search may expand to. */
export const MAX_CONTACT_MATCHES = 500;

/** The page of a query that asked for `limit + 1` rows, and the cursor of the next page when there is one. */
export function pageOf<T extends { started_at: number; id: string }>(rows: T[], limit: number): { page: T[]; next: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, next: rows.length > limit && last ? encodeCursor(last.started_at, last.id) : null };
}
