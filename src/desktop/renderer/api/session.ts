// The session token: it comes in the URL fragment (`#token=`, which never reaches a server or its
// logs), is kept in sessionStorage for reloads of this tab, and is taken out of the address bar so
// it is not copied along with the URL or left in the history.
// The fragment also says which view this is (`#popup&token=…`: the shell's popup window), so it is
// read before it is taken out, and kept with the token for reloads.
import { parseRoute, resolveRoute, type Route } from '../route';

const TOKEN_KEY = 'ringside.session';
const VIEW_KEY = 'ringside.view';
const SEEN_MISSED_KEY = 'ringside.seenMissed';

function readKept(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function keep(key: string, value: string): void {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    // Storage disabled: a reload then needs the link again.
  }
}

/** The view and session token of this page; the fragment is taken out of the address bar. */
export function takeSession(): Route {
  const fromHash = parseRoute(window.location.hash);
  if (fromHash.token) {
    keep(TOKEN_KEY, fromHash.token);
    keep(VIEW_KEY, fromHash.view);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return resolveRoute(fromHash, { token: readKept(TOKEN_KEY), view: readKept(VIEW_KEY) });
}

/** A renewed token replaces the kept one, so a reload uses it. */
export function keepSessionToken(token: string): void {
  keep(TOKEN_KEY, token);
}

/** Missed calls already seen survive a reload, so the unread count does not come back. */
export function loadSeenMissed(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(SEEN_MISSED_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export function saveSeenMissed(ids: readonly string[]): void {
  try {
    localStorage.setItem(SEEN_MISSED_KEY, JSON.stringify(ids));
  } catch {
    // Storage full or disabled: the count just comes back after a reload.
  }
}

/** Signed out (the session expired or was ended): a reload shows the sign-in page, not a dead session. */
export function forgetSessionToken(): void {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: nothing was kept.
  }
}

const INVITE_KEY = 'ringside.invite';

/**
 * An invite link (`#invite=<code>`): the code is taken out of the address bar (it is a credential)
 * and kept for this tab until the password is chosen, so a reload still shows the invite page.
 */
export function takeInvite(code: string | null): string | null {
  if (code !== null) {
    keep(INVITE_KEY, code);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return code;
  }
  return readKept(INVITE_KEY);
}

export function forgetInvite(): void {
  try {
    sessionStorage.removeItem(INVITE_KEY);
  } catch {
    // Storage disabled: nothing was kept.
  }
}
