// What the agent API and its WebSocket send, as the UI reads it: the protocol's types (src/protocol,
// shared with the server, which builds these values), so a change there is a type error here
// instead of a silently blank field.
export type {
  ActionUrl, ActionUrlsView, Agent, AgentStats, AgentWithPresence, CallbackDial, Device, DeviceView, Helpline, HourlyStats, PhoneControlTest, ProvisionReport,
  ServiceProbe, SessionInfo, SettingsView, StatsResponse,
} from '../../../protocol/responses';
export type {
  CallerCard, CallView, HealthReport, LegView, ManualPresence, MissedCallView, PhoneHealthEntry, PhoneHealthSummary, PresenceStatus, ServiceHealth,
} from '../../../protocol/views';
export type { EndOutcome, ServerMessage, ServerMessageOf } from '../../../protocol/messages';
