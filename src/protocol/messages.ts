// The agent WebSocket (`/ws`, docs/agent-api.md, WebSocket): every message the server pushes and every message a
// client sends, as zod schemas with the TypeScript types inferred from them. The server builds
// its pushes with these types (the push hub, the call handlers, AgentWebSocket), and parses the
// client messages with `clientMessage`; the Electron shell and the agent UI read the pushes with
// `parseServerMessage` (AgentFeedClient does). Only zod: the browser loads this file too.
//
// A reader must not stop showing calls because of one odd message: a message that lacks what the
// readers act on is dropped (parseServerMessage answers null), fields that only decorate it read
// as null or a default (see views.ts), and unknown fields are left out.
import { z } from 'zod';
import { callerCard, callView, healthReport, manualPresence, missedCallView, optionalText, presenceStatus } from './views';

/**
 * Every server message says when (the server's clock) and for which account. A message without
 * them is still read: the reader's own clock, and no account.
 */
const envelope = {
  at: z.number().catch(() => Date.now()),
  account: z.string().catch(''),
};

/** A call rings for the agents who get this: the popup and the call card. */
export const callRingingMessage = z.object({
  type: z.literal('call.ringing'),
  ...envelope,
  call: callView,
  /** Who is calling; null when the server sent none (or an unusable one). */
  card: callerCard.nullable().catch(null),
  /** The agent (id, and name) who transferred the call here. */
  transferredFrom: optionalText,
  transferredFromName: optionalText,
});

/** The agent who gets this answered the call (or placed it, and it was answered). */
export const callAnsweredMessage = z.object({ type: z.literal('call.answered'), ...envelope, call: callView });

/** Someone else answered a call that rang for the agent who gets this. */
export const callDismissedMessage = z.object({
  type: z.literal('call.dismissed'),
  ...envelope,
  call: callView,
  /** The answering agent's name, and id. */
  answeredBy: optionalText,
  answeredByAgent: optionalText,
});

/** How a call ended for its audience: answered and hung up, an outgoing call nobody took, or an incoming one nobody answered. */
export const endOutcome = z.enum(['answered', 'no_answer', 'unanswered']);
export type EndOutcome = z.infer<typeof endOutcome>;

export const callEndedMessage = z.object({ type: z.literal('call.ended'), ...envelope, call: callView, outcome: endOutcome, endedAt: z.number() });

/** An unanswered call became a missed call (after the grace delay); `call` is null when the log no longer has it. */
export const callMissedMessage = z.object({ type: z.literal('call.missed'), ...envelope, call: callView.nullable().catch(null), missed: missedCallView });

/** The agent who gets this transferred the call away (blind or attended). */
export const callTransferredMessage = z.object({ type: z.literal('call.transferred'), ...envelope, call: callView, kind: z.string().nullable().catch(null) });

/** A missed call was taken for a call-back, or closed (a call-back or a later answered call reached the caller). */
export const missedClaimedMessage = z.object({ type: z.literal('missed.claimed'), ...envelope, missed: missedCallView });

export const presenceChangedMessage = z.object({ type: z.literal('presence.changed'), ...envelope, agent: z.string(), status: presenceStatus });

/** The server's health as this process sees it, and the viewer's own phones: on connect, then on every change. */
export const healthMessage = z.object({ type: z.literal('health'), ...envelope, ...healthReport.shape });

/** A client message the server refused (malformed, or presence.set without an agent session). */
export const errorMessage = z.object({ type: z.literal('error'), ...envelope, reason: z.string().min(1).catch('unknown error') });

/** Every message the server pushes on `/ws`. */
export const serverMessage = z.discriminatedUnion('type', [
  callRingingMessage, callAnsweredMessage, callDismissedMessage, callEndedMessage, callMissedMessage, callTransferredMessage,
  missedClaimedMessage, presenceChangedMessage, healthMessage, errorMessage,
]);
export type ServerMessage = z.infer<typeof serverMessage>;
export type ServerMessageType = ServerMessage['type'];
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

/** One server message from its JSON value, or null when it is not one the readers understand. */
export function readServerMessage(raw: unknown): ServerMessage | null {
  const parsed = serverMessage.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** One server message from its JSON text, or null when it is not JSON or not one the readers understand. */
export function parseServerMessage(text: string): ServerMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  return readServerMessage(raw);
}

/** Messages an agent client may send on the WebSocket. */
export const clientMessage = z.discriminatedUnion('type', [
  /** Keeps the session's presence alive (the server drops it 90 s after the last one). */
  z.object({ type: z.literal('heartbeat') }),
  /** The agent's own choice of presence. */
  z.object({ type: z.literal('presence.set'), status: manualPresence }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;
