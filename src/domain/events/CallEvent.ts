/**
 * The event envelope: what the webhook listener makes of one Action URL request and
 * what travels on the bus. It is the only contract between ingest and the handlers.
 */
export const CALL_EVENT_TYPES = [
  'incoming', 'outgoing', 'answered', 'hangup', 'rejected', 'missed', 'transfer',
  'hold', 'unhold', 'dnd_on', 'dnd_off', 'registered', 'unregistered', 'boot',
] as const;

export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

/** The phone's own names for events (Action URL labels and older firmware paths). */
export const EVENT_ALIASES: Readonly<Record<string, CallEventType>> = {
  established: 'answered',
  terminated: 'hangup',
  blind_transfer: 'transfer',
  attended_transfer: 'transfer',
  resume: 'unhold',
};

export type TransferKind = 'blind' | 'attended';

export interface CallEvent {
  /** ULID, unique per received request; the idempotency key of every handler. */
  id: string;
  account: string;
  type: CallEventType;
  /** Milliseconds since the epoch when the listener accepted the request. */
  receivedAt: number;
  device: { mac: string | null; ip: string | null };
  /** SIP Call-ID when the phone sends one (GXV, newer GRP); legacy GXP/GRP send none. */
  callId: string | null;
  local: string;
  remote: string;
  displayRemote: string;
  activeUser: string;
  transferKind: TransferKind | null;
  /** The original parameters as received (decoded), unknown ones included. */
  raw: Record<string, string>;
}

export function resolveEventType(name: string): CallEventType | null {
  const lower = name.toLowerCase();
  if ((CALL_EVENT_TYPES as readonly string[]).includes(lower)) return lower as CallEventType;
  return EVENT_ALIASES[lower] ?? null;
}

/**
 * Events of one logical call must be applied in order. A logical call is identified by its
 * remote party (a ring group rings many devices for one remote), so the remote number is the
 * ordering key; device-only events (DND, registration) order per device.
 */
export function orderingKey(event: Pick<CallEvent, 'account' | 'remote' | 'device'>): string {
  const subject = event.remote !== '' ? `remote:${event.remote}` : `device:${event.device.mac ?? 'unknown'}`;
  return `${event.account}|${subject}`;
}

/**
 * A copy of the event that shares no object with it: what JSON.parse(JSON.stringify(event))
 * gives, without the text in between (the spool hands an event it has just written to its
 * consumer this way instead of parsing its body back: issue 15). A field added to CallEvent that
 * holds an object must be copied here too (a test checks that nothing is shared).
 */
export function copyCallEvent(event: CallEvent): CallEvent {
  return { ...event, device: { ...event.device }, raw: { ...event.raw } };
}
