// The popup view's model: the shell's small always-on-top window (src/desktop/main/popupWindow.ts) shows
// the calls ringing for this agent, one compact row each, fed over IPC (window.ringside.popup), not
// by a WebSocket of its own. Pure: the rows, the feed's order rules and what crosses the bridge.
import type { PopupCall } from '../bridge';
import { formatTimer, helplineLabel } from '../format';

/** The window's size as the shell sets it (src/desktop/main/popupPlacement.ts): a header and up to three rows. */
export const POPUP_WIDTH = 380;
export const POPUP_HEADER_PX = 44;
export const POPUP_ROW_PX = 96;
export const POPUP_MAX_ROWS = 3;

export interface PopupRow {
  callId: string;
  /** Large: the caller's name, or the number when there is no name. */
  title: string;
  /** Large too, next to the name; null when the title is the number already. */
  number: string | null;
  /** Small: company and notes on one line, or null. */
  details: string | null;
  /** "Direct line", "Helpline Support (5000)" or "Helpline 5000". */
  line: string;
  /** "Transferred from Bob", or null. */
  transferred: string | null;
  /** The ring timer (0:07). */
  timer: string;
  /** An http(s) CRM page, or null (anything else is not offered as a link). */
  crmUrl: string | null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** Only http and https pages open from the popup. */
export function safeCrmUrl(value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/**
 * The calls as they crossed the bridge, checked: the shell sends PopupEntry[], but a view that
 * throws on one odd entry shows nothing; entries without a call id or number are dropped.
 */
export function toPopupCalls(raw: unknown): PopupCall[] {
  if (!Array.isArray(raw)) return [];
  const calls: PopupCall[] = [];
  const seen = new Set<string>();
  for (const item of raw) {
    if (typeof item !== 'object' || item === null) continue;
    const r = item as Record<string, unknown>;
    const callId = text(r.callId);
    const remote = text(r.remote);
    if (!callId || !remote || seen.has(callId)) continue;
    seen.add(callId);
    calls.push({
      callId, remote,
      name: text(r.name), company: text(r.company), notes: text(r.notes), crmUrl: text(r.crmUrl),
      line: r.line === 'helpline' ? 'helpline' : 'direct',
      helpline: text(r.helpline),
      transferredFromName: text(r.transferredFromName),
      startedAt: typeof r.startedAt === 'number' && Number.isFinite(r.startedAt) ? r.startedAt : Date.now(),
    });
  }
  return calls;
}

export function lineText(line: PopupCall['line'], helpline: string | null, helplineName: (number: string) => string | null): string {
  if (line !== 'helpline' || helpline === null) return 'Direct line';
  return helplineLabel(helplineName(helpline), helpline);
}

export function popupRow(call: PopupCall, now: number, helplineName: (number: string) => string | null = () => null): PopupRow {
  const name = call.name && call.name !== call.remote ? call.name : null;
  const details = [call.company, call.notes].filter((d): d is string => !!d).join(' · ');
  return {
    callId: call.callId,
    title: name ?? call.remote,
    number: name ? call.remote : null,
    details: details === '' ? null : details,
    line: lineText(call.line, call.helpline, helplineName),
    transferred: call.transferredFromName ? `Transferred from ${call.transferredFromName}` : null,
    timer: formatTimer(now - call.startedAt),
    crmUrl: safeCrmUrl(call.crmUrl),
  };
}

/** The header: how many calls ring. */
export function popupHeading(count: number): string {
  if (count === 0) return 'No call ringing';
  return count === 1 ? 'Incoming call' : `${count} incoming calls`;
}

/** The window height the shell gives this many calls (the list scrolls beyond three). */
export function popupHeight(count: number): number {
  return POPUP_HEADER_PX + Math.min(Math.max(count, 1), POPUP_MAX_ROWS) * POPUP_ROW_PX;
}

/**
 * The feed: the snapshot asked for at start (`popup.calls()`) and the pushes (`popup.onCalls`).
 * A push is always the whole, newest list, so a snapshot that answers after a push is older and
 * is dropped. Calls the agent closed (×) stay hidden until the shell's list no longer has them.
 */
export interface PopupFeed {
  calls: readonly PopupCall[];
  /** A push arrived: snapshots are stale from now on. */
  pushed: boolean;
  dismissed: readonly string[];
}

export type PopupFeedEvent =
  | { type: 'snapshot'; calls: readonly PopupCall[] }
  | { type: 'push'; calls: readonly PopupCall[] }
  | { type: 'dismiss'; callId: string };

export const EMPTY_FEED: PopupFeed = { calls: [], pushed: false, dismissed: [] };

export function popupFeed(state: PopupFeed, event: PopupFeedEvent): PopupFeed {
  switch (event.type) {
    case 'snapshot':
      if (state.pushed) return state;
      return { ...state, calls: event.calls, dismissed: state.dismissed.filter((id) => event.calls.some((c) => c.callId === id)) };
    case 'push':
      return { calls: event.calls, pushed: true, dismissed: state.dismissed.filter((id) => event.calls.some((c) => c.callId === id)) };
    case 'dismiss':
      return state.dismissed.includes(event.callId) ? state : { ...state, dismissed: [...state.dismissed, event.callId] };
  }
}

/** The calls to show, newest first as the shell sends them. */
export function visibleCalls(feed: PopupFeed): PopupCall[] {
  return feed.calls.filter((c) => !feed.dismissed.includes(c.callId));
}
