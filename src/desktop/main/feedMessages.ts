import { z } from 'zod';

/**
 * The agent WebSocket's server messages as far as the shell reads them (SPEC section 7). Loose
 * objects: the core adds fields over time, and the shell must not break on them; a message that
 * lacks what the shell needs is ignored rather than trusted.
 */

export const presenceStatus = z.enum(['available', 'away', 'dnd', 'on_call', 'offline']);
export type PresenceStatus = z.infer<typeof presenceStatus>;

/** The presence an agent may choose (`presence.set`); the others are derived by the core. */
export const manualPresence = z.enum(['available', 'away', 'dnd']);
export type ManualPresence = z.infer<typeof manualPresence>;

const text = z.string().max(2000);

export const callView = z.looseObject({
  id: z.string().min(1).max(200),
  direction: z.enum(['in', 'out']),
  remote: text,
  remoteName: text.nullish(),
  line: z.enum(['direct', 'helpline']).nullish(),
  helpline: text.nullish(),
  startedAt: z.number().nullish(),
  contact: z.looseObject({ name: text.nullish(), company: text.nullish() }).nullish(),
});
export type FeedCall = z.infer<typeof callView>;

export const callerCard = z.looseObject({
  number: text.nullish(),
  name: text.nullish(),
  company: text.nullish(),
  notes: text.nullish(),
  crmUrl: text.nullish(),
  source: z.string().nullish(),
});

export const missedView = z.looseObject({
  callId: z.string().min(1).max(200),
  remote: text,
  remoteName: text.nullish(),
  line: z.enum(['direct', 'helpline']),
  at: z.number(),
  status: z.enum(['open', 'claimed', 'closed']),
  targets: z.array(z.string()),
});
export type MissedView = z.infer<typeof missedView>;

const base = { at: z.number(), account: z.string() };

export const ringingMessage = z.looseObject({
  type: z.literal('call.ringing'),
  ...base,
  call: callView,
  card: callerCard.nullish(),
  transferredFromName: text.nullish(),
});
export type RingingMessage = z.infer<typeof ringingMessage>;

/** Every message that ends a popup: the call was answered (here or elsewhere), ended, missed or moved. */
export const CALL_OVER_TYPES = ['call.answered', 'call.dismissed', 'call.ended', 'call.missed', 'call.transferred'] as const;

export const callOverMessage = z.looseObject({
  type: z.enum(CALL_OVER_TYPES),
  ...base,
  call: z.looseObject({ id: z.string().min(1).max(200) }),
  answeredBy: text.nullish(),
});
export type CallOverMessage = z.infer<typeof callOverMessage>;

export const missedMessage = z.looseObject({
  type: z.enum(['call.missed', 'missed.claimed']),
  ...base,
  missed: missedView,
});

export const presenceMessage = z.looseObject({
  type: z.literal('presence.changed'),
  ...base,
  agent: z.string(),
  status: presenceStatus,
});

/** Any server message: its type is all the feed itself needs. */
export const serverMessage = z.looseObject({ type: z.string().min(1).max(100), ...base });
export type ServerMessage = z.infer<typeof serverMessage>;

/** What the shell sends on the WebSocket. */
export type ClientMessage = { type: 'heartbeat' } | { type: 'presence.set'; status: ManualPresence };
