// The session token: it comes in the URL fragment (`#token=`, which never reaches a server or its
// logs), is kept in sessionStorage for reloads of this tab, and is taken out of the address bar so
// it is not copied along with the URL or left in the history.
import { tokenFromHash } from '../events';

const TOKEN_KEY = 'ringside.session';
const SEEN_MISSED_KEY = 'ringside.seenMissed';

export function takeSessionToken(): string | null {
  const fromHash = tokenFromHash(window.location.hash);
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY);
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
