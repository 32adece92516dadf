// What the server's messages mean for an agent's screens, decided once for the Electron shell (the
// popup, the tray's missed count) and the agent UI (the call cards, the missed-call list).
import type { ServerMessage, ServerMessageOf } from './messages';
import type { DeviceView } from './responses';
import type { MissedCallView } from './views';

/**
 * The missed calls an agent deals with (and may call back): the ones that rang for them, calls of
 * the helplines they belong to, and direct calls that rang for nobody in particular. The server
 * passes the agent's `helplines` (docs/agent-api.md, Who sees what) and lists an agent only these;
 * without `helplines`, any helpline call counts (a reader that does not know the membership, of a
 * list the server has already narrowed).
 */
export function isMissedCallFor(missed: Pick<MissedCallView, 'line' | 'helpline' | 'targets'>, agent: string, helplines?: readonly string[]): boolean {
  if (missed.targets.includes(agent)) return true;
  if (missed.line === 'helpline') return helplines === undefined || (missed.helpline !== null && helplines.includes(missed.helpline));
  return missed.targets.length === 0;
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

/** Whether Ringside can drive the phone (dial, answer, hang up, hold) with its saved settings, as the admin's or an agent's view of it says. */
export function phoneReady(device: DeviceView): boolean {
  return 'withheld' in device.control ? device.control.ready : device.control.passwordSet && device.control.host !== null;
}
