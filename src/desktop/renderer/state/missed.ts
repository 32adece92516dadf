// The missed-call list as the agent sees it: the server's order (open ones first, then newest),
// kept current by call.missed and missed.claimed, and which of them the agent has not looked at.
import { isMissedCallFor } from '../../../protocol/rules';
import type { MissedCallView } from '../api/types';

/** How many seen ids are remembered across reloads: plenty for a day's open missed calls. */
export const MAX_SEEN = 500;

function rank(item: MissedCallView): number {
  return item.status === 'open' ? 0 : 1;
}

/** Open first, then newest first (as GET /api/missed orders them). */
export function sortMissed(items: readonly MissedCallView[]): MissedCallView[] {
  return [...items].sort((a, b) => rank(a) - rank(b) || b.at - a.at || (a.callId < b.callId ? 1 : -1));
}

/** How far a missed call has got: it only moves forward (open, then claimed, then closed). */
const PROGRESS: Readonly<Record<MissedCallView['status'], number>> = { open: 0, claimed: 1, closed: 2 };

/**
 * Adds a missed call or replaces it with its newer state (claimed, closed). A view older than the
 * one held is dropped: the call-back's HTTP answer (claimed) can arrive after the WebSocket has
 * already said the call-back closed it.
 */
export function upsertMissed(items: readonly MissedCallView[], item: MissedCallView): MissedCallView[] {
  const held = items.find((m) => m.callId === item.callId);
  if (held && PROGRESS[held.status] > PROGRESS[item.status]) return items as MissedCallView[];
  return sortMissed([item, ...items.filter((m) => m.callId !== item.callId)]);
}

/**
 * The missed calls this agent deals with (isMissedCallFor in src/protocol/rules.ts: the ones that
 * rang for them, helpline calls, and those that rang nobody in particular). The server lists an
 * agent only the helpline calls of their own helplines; a supervisor, who is listed every missed
 * call, sees here the direct calls that rang them and every helpline call. Without knowing who
 * the agent is, all of them.
 */
export function missedFor(items: readonly MissedCallView[], me: string | null): MissedCallView[] {
  if (me === null) return [...items];
  return items.filter((m) => isMissedCallFor(m, me));
}

/** Open missed calls the agent has not seen in the list yet. */
export function unreadCount(items: readonly MissedCallView[], seen: ReadonlySet<string>): number {
  return items.filter((m) => m.status === 'open' && !seen.has(m.callId)).length;
}

/** Every open one counts as seen now; the newest ids are kept when the list grows too long. */
export function markSeen(items: readonly MissedCallView[], seen: readonly string[]): string[] {
  const open = items.filter((m) => m.status === 'open').map((m) => m.callId);
  const merged = [...new Set([...open, ...seen])];
  return merged.slice(0, MAX_SEEN);
}

export type MissedState = 'open' | 'mine' | 'someone_else' | 'closed';

/** Where a missed call stands for this agent: still to call back, being called back (by whom), or done. */
export function missedState(item: MissedCallView, me: string | null): MissedState {
  if (item.status === 'closed') return 'closed';
  if (item.status === 'open') return 'open';
  return me !== null && item.owner === me ? 'mine' : 'someone_else';
}
