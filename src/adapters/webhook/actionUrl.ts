import { decodeText, isUnfilledVariable } from './decode';
import { httpError, type HttpError } from './requestParser';

/**
 * Reads a phone's Action URL request target:
 *   /gs/cti/<event>[/<params>][?<params>]
 *   /gs/<token>/cti/<event>[/<params>][?<params>]
 * in origin form or absolute form (`http://host:port/gs/...`). Parameters may be written as a
 * path segment after the event (Grandstream's own examples have no `?`), as a query, or both.
 */
export interface ActionUrl {
  /** The event name as sent (decoded); not yet resolved to an event type. */
  eventName: string;
  /** The token from the path, or from a `token` parameter; null when neither is present. */
  token: string | null;
  /** Decoded, trimmed parameters (last one wins), without the token. Unfilled variables are ''. */
  params: Record<string, string>;
}

export type ActionUrlResult = { ok: true; value: ActionUrl } | { ok: false; error: HttpError };

export function parseActionUrl(target: string): ActionUrlResult {
  const path = originForm(target);
  if (path === null) return fail(400, 'request target must be a path or an absolute URL');
  const q = path.indexOf('?');
  const pathPart = q === -1 ? path : path.slice(0, q);
  const route = matchRoute(pathPart);
  if (route === null) return fail(404, 'unknown path');
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  const found = { token: null as string | null };
  if (route.rest.length > 0) readParams(route.rest, params, found);
  if (q !== -1) readParams(path.slice(q + 1), params, found);
  const token = route.token ?? found.token;
  return { ok: true, value: { eventName: route.eventName, token, params } };
}

function fail(status: number, reason: string): ActionUrlResult {
  // The request itself was well-formed, so the connection may stay open.
  return { ok: false, error: httpError(status, reason, false) };
}

/** Strips `http://authority` from an absolute-form target; null for anything but a path. */
function originForm(target: string): string | null {
  if (target.charCodeAt(0) === 0x2f /* / */) return target;
  const lower = target.slice(0, 8).toLowerCase();
  const schemeEnd = lower.startsWith('http://') ? 7 : lower.startsWith('https://') ? 8 : -1;
  if (schemeEnd === -1) return null;
  const slash = target.indexOf('/', schemeEnd);
  if (slash === -1) {
    // `http://host?x` has an empty path; `http://host` is `/`.
    const q = target.indexOf('?', schemeEnd);
    return q === -1 ? '/' : `/${target.slice(q)}`;
  }
  return target.slice(slash);
}

interface Route {
  token: string | null;
  eventName: string;
  /** Path-style parameters after the event, '' when none. */
  rest: string;
}

/** Walks `/gs/[<token>/]cti/<event>[/rest]` segment by segment (no regex, no split). */
function matchRoute(path: string): Route | null {
  const cursor = { pos: 1 };
  if (!sameText(nextSegment(path, cursor), 'gs')) return null;
  let token: string | null = null;
  let segment = nextSegment(path, cursor);
  if (!sameText(segment, 'cti')) {
    if (segment === null || segment.length === 0) return null;
    token = decodeText(segment).trim();
    if (!sameText(nextSegment(path, cursor), 'cti')) return null;
  }
  segment = nextSegment(path, cursor);
  if (segment === null || segment.length === 0) return null;
  const rest = cursor.pos <= path.length ? path.slice(cursor.pos) : '';
  // Anything after the event must be parameters; `/gs/cti/incoming/extra` is a wrong path.
  if (rest.length > 0 && rest.indexOf('=') === -1) return null;
  return { token: token === '' ? null : token, eventName: decodeText(segment).trim(), rest };
}

/** The segment starting at cursor.pos up to the next '/', or null past the end. */
function nextSegment(path: string, cursor: { pos: number }): string | null {
  if (cursor.pos > path.length) return null;
  const slash = path.indexOf('/', cursor.pos);
  const end = slash === -1 ? path.length : slash;
  const segment = path.slice(cursor.pos, end);
  cursor.pos = end + 1;
  return segment;
}

function sameText(segment: string | null, expected: string): boolean {
  return segment !== null && segment.length === expected.length && segment.toLowerCase() === expected;
}

/** Parses `a=1&b=2` into `params`; the `token` parameter goes to `found.token` instead. */
function readParams(text: string, params: Record<string, string>, found: { token: string | null }): void {
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('&', pos);
    if (end === -1) end = text.length;
    if (end > pos) readPair(text.slice(pos, end), params, found);
    pos = end + 1;
  }
}

function readPair(pair: string, params: Record<string, string>, found: { token: string | null }): void {
  const eq = pair.indexOf('=');
  const key = decodeText(eq === -1 ? pair : pair.slice(0, eq)).trim();
  if (key.length === 0) return;
  let value = eq === -1 ? '' : decodeText(pair.slice(eq + 1)).trim();
  if (isUnfilledVariable(value)) value = '';
  if (key.toLowerCase() === 'token') {
    if (value.length > 0) found.token = value;
    return;
  }
  params[key] = value;
}
