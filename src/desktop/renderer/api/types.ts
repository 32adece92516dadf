// What the agent API and its WebSocket send, as the UI reads it. The shapes come from the core's own
// types (type-only imports: nothing of src/core ends up in the bundle), so a change there is a type
// error here instead of a silently blank field.
import type { AgentStats, CallView, LegView, MissedCallView } from '../../../domain/calllog/CallLog';
import type { Agent, Device, Helpline } from '../../../domain/directory/Directory';
import type { CallbackDial } from '../../../api/phoneRoutes';
import type { PhoneHealthEntry, PhoneHealthSummary } from '../../../app/DeviceHealth';
import type { PresenceStatus } from '../../../domain/presence/PresenceService';
import type { ServiceHealth } from '../../../shared/serviceHealth';
import type { CallerCard } from '../../../domain/cards/CallerCards';
import type { PhoneControlTest, SettingsView } from '../../../api/settingsRoutes';
import type { ServiceProbe } from '../../../app/serviceProbe';
import type { ActionUrl, PublicHostSource } from '../../../domain/provisioning/actionUrls';
import type { ProvisionReport } from '../../../domain/provisioning/provisionActionUrls';

export type { AgentStats, CallbackDial, CallView, LegView, MissedCallView, Agent, Device, Helpline, PhoneHealthEntry, PhoneHealthSummary, PresenceStatus, ServiceHealth };
export type { ActionUrl, PhoneControlTest, ProvisionReport, ServiceProbe, SettingsView };

/** GET /api/action-urls (admin token): the lines to paste into a phone; they carry the webhook token. */
export interface ActionUrlsView {
  host: string;
  hostSource: PublicHostSource;
  port: number;
  urls: ActionUrl[];
}

/** What an agent can choose; on_call and offline are derived by the server. */
export type ManualPresence = 'available' | 'away' | 'dnd';

export type AgentWithPresence = Agent & { presence: PresenceStatus };

/**
 * The caller card `call.ringing` carries: who the number belongs to (src/domain/cards/CallerCards.ts).
 * Without one (an older server) the UI falls back to the
 * call's `contact` and the phone's display name.
 */
export type { CallerCard };

/** `/healthz`, and the body of a `health` message (which adds the viewer's own phones). */
export interface HealthReport {
  status: 'ok' | 'degraded';
  listener: 'up' | 'down';
  redis: ServiceHealth;
  rabbitmq: ServiceHealth;
  spoolDepth: number;
  phone: PhoneHealthSummary;
  /** Only in the WebSocket message: the phones of the viewer (an agent's own, an admin's: all). */
  phones?: PhoneHealthEntry[];
}

/**
 * GET /api/session: who the token is. An agent session names its agent; the admin token none.
 * A server without the endpoint answers 404 (or 405): the UI then works the agent out itself.
 */
export interface SessionInfo {
  account: string;
  agent: string | null;
  name: string | null;
  kind: 'agent' | 'admin';
  expiresAt: number | null;
  /** Sees everyone's figures on Today (the server's rule for GET /api/stats); the admin token does. */
  supervisor: boolean;
}

export type EndOutcome = 'answered' | 'no_answer' | 'unanswered';

interface Envelope {
  at: number;
  account: string;
}

export type ServerMessage = Envelope & (
  | { type: 'call.ringing'; call: CallView; card: CallerCard | null; transferredFrom: string | null; transferredFromName: string | null }
  | { type: 'call.answered'; call: CallView }
  | { type: 'call.dismissed'; call: CallView; answeredBy: string | null; answeredByAgent: string | null }
  | { type: 'call.ended'; call: CallView; outcome: EndOutcome; endedAt: number }
  | { type: 'call.missed'; call: CallView | null; missed: MissedCallView }
  | { type: 'call.transferred'; call: CallView; kind: string | null }
  | { type: 'missed.claimed'; missed: MissedCallView }
  | { type: 'presence.changed'; agent: string; status: PresenceStatus }
  | ({ type: 'health' } & HealthReport)
  | { type: 'error'; reason: string }
);

export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
