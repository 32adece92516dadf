// What the server's messages mean for an agent's screens, decided once for the Electron shell (the
// popup, the tray's missed count) and the agent UI (the call cards, the missed-call list).
import type { ServerMessage, ServerMessageOf } from './messages';
import type { MissedCallView } from './views';

/**
 * The missed calls an agent deals with: the ones that rang for them, helpline calls (anyone on
 * the account may call those back), and calls that rang for nobody in particular.
 */
export function isMissedCallFor(missed: Pick<MissedCallView, 'line' | 'targets'>, agent: string): boolean {
  return missed.line === 'helpline' || missed.targets.length === 0 || missed.targets.includes(agent);
}

/**
 * The messages after which a call no longer rings for the agent who gets them: answered by this
 * agent (call.answered) or by someone else (call.dismissed), ended, missed, or transferred away.
 * A popup for the call closes, and a ringing call card stops ringing.
 */
export const RINGING_ENDS = ['call.answered', 'call.dismissed', 'call.ended', 'call.missed', 'call.transferred'] as const;
export type RingingEndType = (typeof RINGING_ENDS)[number];
export type RingingEndMessage = ServerMessageOf<RingingEndType>;

const ENDS: ReadonlySet<string> = new Set(RINGING_ENDS);

export function endsRinging(message: ServerMessage): message is RingingEndMessage {
  return ENDS.has(message.type);
}

/** The call whose ringing the message ends for the agent who gets it, or null. */
export function ringingEndedFor(message: ServerMessage): string | null {
  return endsRinging(message) ? (message.call?.id ?? null) : null;
}
