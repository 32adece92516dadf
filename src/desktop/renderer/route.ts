// Which view this page is and its session token, from the URL fragment: `#token=…` is the agent UI,
// `#popup&token=…` the shell's incoming-call popup. The fragment is read before the session code
// takes it out of the address bar; the view is kept with the token, so a reload stays what it was.
import { tokenFromHash } from './events';

export type View = 'main' | 'popup';

export interface Route {
  view: View;
  /** The token in the fragment, or null (then the one kept from before, if any). */
  token: string | null;
}

/** `#popup&token=x`, `#token=x&popup`, `#popup=1&token=x`: the popup; anything else the agent UI. */
export function parseRoute(hash: string): Route {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return { view: params.has('popup') ? 'popup' : 'main', token: tokenFromHash(hash) };
}

/**
 * The view and token to use: the fragment's when it carries a token (a fresh link decides), else
 * what was kept for this window (a reload, after the fragment was taken out of the address bar).
 */
export function resolveRoute(fromHash: Route, kept: { token: string | null; view: string | null }): Route {
  if (fromHash.token) return fromHash;
  if (!kept.token) return { view: fromHash.view, token: null };
  return { view: fromHash.view === 'popup' || kept.view === 'popup' ? 'popup' : 'main', token: kept.token };
}
