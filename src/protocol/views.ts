// The values the agent API answers with and the WebSocket messages carry: a call with its legs, a
// missed call, the caller card, an agent's presence, the health of Ringside and of the phones. One
// zod schema each, the TypeScript types inferred from it. The server builds them (the domain and
// the app take these types from here), the Electron shell and the agent UI read them with the
// schemas. Only zod: the browser loads this file too.
//
// Reading is strict about what a reader acts on (ids, numbers, states) and tolerant of the rest:
// a nullable field that is absent reads as null (JSON drops undefined), and unknown fields are
// left out, so a server that adds fields does not break an older reader.
import { z } from 'zod';

/** A field that may be null: absent reads as null. */
function orNull<T extends z.ZodType>(schema: T) {
  return schema.nullable().default(null);
}

/** Text that may be missing: anything but a non-empty string reads as null. */
export const optionalText = z.string().min(1).nullable().catch(null);

export const direction = z.enum(['in', 'out']);
export type Direction = z.infer<typeof direction>;

/** How the call reached Ringside: an agent's own number, or a helpline (a ring group). */
export const line = z.enum(['direct', 'helpline']);
export type Line = z.infer<typeof line>;

export const callStatus = z.enum(['ringing', 'in_progress', 'answered', 'missed', 'no_answer']);
export type CallStatus = z.infer<typeof callStatus>;

export const legState = z.enum(['ringing', 'answered', 'ended', 'missed', 'rejected', 'transferred']);

/** One device's part in a call. */
export const legView = z.object({
  id: z.number(),
  mac: z.string(),
  agent: orNull(z.string()),
  state: legState,
  transfer: z.boolean(),
  transferredFrom: orNull(z.string()),
  ringAt: z.number(),
  answeredAt: orNull(z.number()),
  endedAt: orNull(z.number()),
  holdMs: z.number(),
});
export type LegView = z.infer<typeof legView>;

/** A directory contact (the call's remote party, when the directory knows the number). */
export const contact = z.object({
  number: z.string(),
  name: z.string(),
  company: orNull(z.string()),
  notes: orNull(z.string()),
  crmUrl: orNull(z.string()),
});
export type Contact = z.infer<typeof contact>;

/** A call as the call log keeps it (GET /api/calls, and every `call.*` message). */
export const callView = z.object({
  id: z.string(),
  account: z.string(),
  direction,
  remote: z.string(),
  remoteName: z.string(),
  local: z.string(),
  line,
  helpline: orNull(z.string()),
  /** The agent who owns the call (answered it last, or placed it). */
  agent: orNull(z.string()),
  device: orNull(z.string()),
  status: callStatus,
  startedAt: z.number(),
  answeredAt: orNull(z.number()),
  endedAt: orNull(z.number()),
  ringMs: orNull(z.number()),
  talkMs: orNull(z.number()),
  holdMs: z.number(),
  parentId: orNull(z.string()),
  transferredFrom: orNull(z.string()),
  rejectedBy: orNull(z.string()),
  legs: z.array(legView),
  contact: orNull(contact),
});
export type CallView = z.infer<typeof callView>;

export const missedStatus = z.enum(['open', 'claimed', 'closed']);
export type MissedStatus = z.infer<typeof missedStatus>;

/** A missed call and who deals with it (GET /api/missed, `call.missed`, `missed.claimed`). */
export const missedCallView = z.object({
  callId: z.string(),
  account: z.string(),
  remote: z.string(),
  remoteName: z.string(),
  line,
  helpline: orNull(z.string()),
  at: z.number(),
  status: missedStatus,
  /** The agent who took the call-back, if any. */
  owner: orNull(z.string()),
  claimedAt: orNull(z.number()),
  closedAt: orNull(z.number()),
  closedBy: orNull(z.string()),
  /** The agents the call rang for. */
  targets: z.array(z.string()),
  /** The directory's contact for the caller's number, when it knows it (as on the call). */
  contact: orNull(contact),
});
export type MissedCallView = z.infer<typeof missedCallView>;

export const callerCardSource = z.enum(['contact', 'crm', 'phone', 'none']);

/**
 * The caller card a popup shows (docs/agent-api.md, Caller cards): who is calling, from the directory, else from the
 * CRM, else what the phone said. `call.ringing` carries it as `card`. Empty text reads as null,
 * an unknown source as `none`.
 */
export const callerCard = z.object({
  /** The caller's number: E.164 when it can be placed, otherwise as cleaned up. */
  number: z.string(),
  name: optionalText,
  company: optionalText,
  notes: optionalText,
  crmUrl: optionalText,
  /** contact: the directory; crm: the CRM lookup; phone: only the phone's display name; none: only the number. */
  source: callerCardSource.catch('none'),
});
export type CallerCard = z.infer<typeof callerCard>;

/** An agent's derived status (docs/agent-api.md, Presence): what the server computes and pushes. */
export const presenceStatus = z.enum(['available', 'away', 'dnd', 'on_call', 'offline']);
export type PresenceStatus = z.infer<typeof presenceStatus>;

/** The presence an agent may choose (`presence.set`); on_call and offline are derived by the server. */
export const manualPresence = z.enum(['available', 'away', 'dnd']);
export type ManualPresence = z.infer<typeof manualPresence>;

/**
 * How a shared service looks from the server (docs/agent-api.md, Health: "reported in health and the UI"):
 * - embedded: not configured, the embedded adapter is in use;
 * - up: connected and keeping up;
 * - degraded: connected but behind (RabbitMQ: the outbox holds a backlog it is still forwarding);
 * - down: not reachable now; Ringside keeps accepting calls and catches up when it returns.
 */
export const serviceHealth = z.enum(['embedded', 'up', 'degraded', 'down']);
export type ServiceHealth = z.infer<typeof serviceHealth>;

/**
 * A phone's health, worst first when several phones are summarised:
 * - `unreachable`: the last status poll (while a call was up) got no answer from the phone's web API.
 * - `signed_off`: the phone's last registration event was `unregistered` (SIP sign-off).
 * - `booted`: the last event was `boot` (the phone restarted; registration not reported yet).
 * - `registered`: the last registration event was `registered`.
 * - `reachable`: no registration event known, but the phone answered its last status poll.
 * - `unknown`: nothing known yet.
 */
export const phoneHealthState = z.enum(['unreachable', 'signed_off', 'booted', 'registered', 'reachable', 'unknown']);
export type PhoneHealthState = z.infer<typeof phoneHealthState>;

/**
 * Why driving a phone failed. Each code names something a person can act on:
 * - `phone_unreachable`: nothing answers at the phone's address (off, unplugged, wrong IP, firewall).
 * - `phone_timeout`: the phone took the connection but did not answer in time.
 * - `phone_bad_credentials`: the phone refused the password (or user name).
 * - `phone_login_paused`: Ringside stopped trying after repeated refusals, before the phone locks the account.
 * - `phone_locked`: the phone has locked the web account after too many failed logins.
 * - `phone_needs_confirmation`: "Remote Control Pop up Window Support" is on; the user must allow it on the phone.
 * - `phone_refused`: the phone understood the command but would not run it (e.g. nothing is ringing).
 * - `phone_bad_answer`: the answer was not the firmware's JSON (not a Grandstream phone, or a proxy page).
 * - `phone_unsupported`: the phone's firmware has no such function (HTTP 404), e.g. no configuration API.
 */
export const phoneErrorCode = z.enum([
  'phone_unreachable', 'phone_timeout', 'phone_bad_credentials', 'phone_login_paused', 'phone_locked',
  'phone_needs_confirmation', 'phone_refused', 'phone_bad_answer', 'phone_unsupported',
]);
export type PhoneErrorCode = z.infer<typeof phoneErrorCode>;

/** One phone as the agent owning it (or an admin) sees it: never shown to anonymous callers. */
export const phoneHealthEntry = z.object({
  mac: z.string(),
  state: phoneHealthState,
  /** The last device event (registered, unregistered, boot) and when it came. */
  lastEvent: orNull(z.string()),
  lastSeenAt: orNull(z.number()),
  /** Ringside polls the phone now (a call is up and it has control settings). */
  polling: z.boolean(),
  /** The last poll's outcome (null: never polled by this process). Its time is left out so an unchanged poll changes nothing. */
  reachable: orNull(z.boolean()),
  phoneStatus: orNull(z.string()),
  error: orNull(phoneErrorCode),
});
export type PhoneHealthEntry = z.infer<typeof phoneHealthEntry>;

/**
 * The count-only summary: safe for /healthz (no MAC, no IP). `state` is the worst phone's state,
 * `none` when there is no phone in scope.
 */
export const phoneHealthSummary = z.object({
  state: z.enum([...phoneHealthState.options, 'none']),
  phones: z.number(),
  registered: z.number(),
  signedOff: z.number(),
  unreachable: z.number(),
});
export type PhoneHealthSummary = z.infer<typeof phoneHealthSummary>;

/**
 * Whether Ringside can write its files (docs/agent-api.md, Health): `down` while a write fails
 * (a full disk), with the reason: `disk full`, `read-only`, or the error code. `failing` names the
 * stores: `spool` (the phone's event is refused with a 503 until it fits: the phone sends it
 * again) and `database` (the call log: events wait in the spool and are saved once it can).
 */
export const storageHealth = z.object({
  state: z.enum(['up', 'down']),
  reason: orNull(z.string()),
  failing: z.array(z.string()).catch([]),
  since: orNull(z.number()),
});
export type StorageHealth = z.infer<typeof storageHealth>;

/**
 * `/healthz`, and the body of a `health` message (which adds the viewer's own phones). A reader
 * needs `listener`; `status`, `storage` and `phone` may be missing (an older server).
 */
export const healthReport = z.object({
  status: z.enum(['ok', 'degraded']).optional(),
  listener: z.enum(['up', 'down']),
  redis: serviceHealth,
  rabbitmq: serviceHealth,
  /** The shared database (PostgreSQL), `embedded` for a SQLite file; missing from an older server. */
  database: serviceHealth.optional(),
  spoolDepth: z.number(),
  storage: storageHealth.optional(),
  phone: phoneHealthSummary.optional(),
  /** Only in the WebSocket message: the phones of the viewer (an agent's own, an admin's: all). */
  phones: z.array(phoneHealthEntry).optional(),
});
export type HealthReport = z.infer<typeof healthReport>;
