// What the agent REST API answers, as TypeScript types shared by the server (the routes, the
// domain and the app take them from here) and its clients (the agent UI, the Electron shell).
// The values the WebSocket carries too (calls, missed calls, presence, health) are in views.ts,
// with their schemas; the request bodies are in rest.ts.
import type { MissedCallView, PresenceStatus, ServiceHealth } from './views';

export interface Agent {
  id: string;
  account: string;
  name: string;
  extension: string | null;
  devices: string[];
  helplines: string[];
  /** Sees everyone's figures (GET /api/stats), not only their own. */
  supervisor: boolean;
  /**
   * Administers the account with their own sign-in: passes the admin checks of the agent API
   * (directory, phones, invite links; never the token rotation of /api/tokens/*). In GET /api/agents
   * also true for a single seat's own agent, who administers their seat.
   */
  admin: boolean;
}

/** GET /api/agents: every agent with their derived presence. */
export type AgentWithPresence = Agent & { presence: PresenceStatus };

export interface Device {
  mac: string;
  account: string;
  agent: string | null;
  ip: string | null;
  registered: boolean | null;
  lastEvent: string | null;
  lastSeenAt: number | null;
  /** How Ringside drives the phone's web API; the password itself is never part of a Device. */
  control: DeviceControlView;
}

/** Phone control settings as the API shows them: whether a password is set, never the password. */
export interface DeviceControlView {
  /** The address Ringside drives: the one set, else the last IP the phone reported (null: none yet). */
  host: string | null;
  /** True when `host` is the phone's last reported IP rather than a configured address. */
  hostFromEvents: boolean;
  port: number;
  username: string;
  passwordSet: boolean;
}

/**
 * What an agent token is shown of a phone's control settings (their own phones only): whether
 * Ringside can drive it, never where or as whom (the address, port and user name are the admin's).
 */
export interface DeviceControlSummary {
  withheld: true;
  passwordSet: boolean;
  /** Ringside has what it needs to drive the phone: an address (set, or reported by the phone) and a password. */
  ready: boolean;
}

/**
 * A phone as GET /api/devices and GET /api/settings show it: the admin token sees `Device`; an
 * agent token sees only their own phones, without `ip` (null) and with a DeviceControlSummary.
 */
export type DeviceView = Device | (Omit<Device, 'ip' | 'control'> & { ip: null; control: DeviceControlSummary });

export interface Helpline {
  number: string;
  account: string;
  name: string;
  /** null: every agent of the account. */
  agents: string[] | null;
}

/** GET /api/stats: one agent's figures over the period. */
export interface AgentStats {
  agent: string;
  offered: number;
  answered: number;
  missed: number;
  avgRingMs: number | null;
  avgTalkMs: number | null;
  /** What the averages are made of, so figures of several agents add up exactly: the sums and how many calls each covers. */
  ringMsTotal: number;
  ringCount: number;
  talkMsTotal: number;
  talkCount: number;
  /** Calls the agent placed (a call-back among them), counted apart from the incoming ones above. */
  outgoing: number;
  /** Of those, how many the other side answered, and their talk time in all. */
  outgoingAnswered: number;
  outgoingTalkMsTotal: number;
}

/** GET /api/stats: the figures per agent, over the local days `from` to `to` (both included) of `timeZone`. */
export interface StatsResponse {
  items: AgentStats[];
  /** The seat's zone the days are counted in (RINGSIDE_TIMEZONE). */
  timeZone: string;
  /** The days asked for as the server took them (`YYYY-MM-DD`); null when open-ended. */
  from: string | null;
  to: string | null;
}

/** GET /api/stats/hourly: answered and missed incoming calls per local hour of one day. */
export interface HourlyStats {
  day: string;
  timeZone: string;
  /** The agent whose calls these are; null: the whole team. */
  agent: string | null;
  /** 24 buckets, hour 0 to 23 of the local day (a daylight-saving day's repeated hour adds to its bucket). */
  hours: Array<{ hour: number; answered: number; missed: number }>;
}

/** The call-back's dial: what the answer of POST /api/missed/:id/callback says under `dial`. */
export type CallbackDial =
  | { status: 'dialling'; mac: string; number: string }
  | { status: 'failed'; mac: string; number: string; error: string; reason: string; httpStatus: number }
  | { status: 'unavailable'; reason: string };

/** POST /api/missed/:id/callback and /api/missed/next/callback: the missed call as it now stands, and the dial. */
export interface CallbackResult {
  missed: MissedCallView;
  dial: CallbackDial;
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
  /** May use the admin console (the admin token, an agent marked admin, a single seat's own agent). */
  admin: boolean;
}

/**
 * GET /api/settings `redis`: how shared mode reaches Redis (docs/redis.md, Sentinel and Cluster).
 * Where it is (`url`, `master`, `nodes`) is the admin's only: an agent is not shown hosts.
 */
export interface RedisSetting {
  /** One server by URL, a master found through Sentinel, or a Cluster. */
  topology: 'server' | 'sentinel' | 'cluster';
  /** The URL with its password masked (`user:***@`), `sentinel://<master>@host:port,…` or `cluster://host:port,…`. Admin only. */
  url?: string;
  /** Sentinel: the master's name the sentinels monitor. Admin only. */
  master?: string;
  /** Sentinel: the sentinels; Cluster: the seed nodes; each `host:port`. Admin only. */
  nodes?: string[];
  /** The call state's and the directory cache's database numbers; absent for a Cluster (database 0 only, the key prefix keeps them apart). */
  callsDb?: number;
  cacheDb?: number;
  keyPrefix: string;
}

/** GET /api/settings `amqp`: the RabbitMQ bus. `url` (masked) is the admin's only. */
export interface AmqpSetting {
  url?: string;
  exchange: string;
  queue: string;
  shards: number;
  /** `quorum`: replicated queues on a RabbitMQ cluster; `classic` otherwise (docs/architecture.md, Quorum queues). */
  queueType: 'classic' | 'quorum';
}

/**
 * GET /api/settings `database` (the admin only): the SQLite file, or the PostgreSQL server with its
 * password masked (`user:***@`, and a `password=` parameter). `host`, `port` and `name` are read
 * from the URL for the console's line ("PostgreSQL at db1:5432/ringside"); null where the URL
 * does not say (a socket directory, pg's defaults).
 */
export type DatabaseSetting =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; host: string | null; port: number | null; name: string | null };

/** GET /api/settings: what the settings screen shows; never a secret (URLs masked, no phone password). */
export interface SettingsView {
  /** The phone listener: the address bound, and the host phones reach it by (the Action URLs'). */
  webhook: { host: string; port: number; publicHost: string };
  api: { host: string; port: number };
  /** null: embedded (no Redis configured). */
  redis: RedisSetting | null;
  /** null: embedded (no AMQP_URL). */
  amqp: AmqpSetting | null;
  /** The admin only (it names a host or a path): where the call history, directory and sign-ins are kept. Absent for an agent. */
  database?: DatabaseSetting;
  /** The caller's own phones (the admin: every phone) as GET /api/devices shows them. */
  phones: DeviceView[];
  /** A single seat (embedded mode): the seat's own agent (RINGSIDE_AGENT), who gets unbound phones; null in shared mode. */
  seatAgent: string | null;
  /**
   * The admin only: the log file as configured (RINGSIDE_LOG_FILE; its files are named after it,
   * `ringside.<date>.<n>.log`, with `current.log` beside them), or null when off. Absent for an agent.
   */
  logFile?: string | null;
}

/** How a phone's web UI logs in: the older passcode form, or the session form with a nonce. */
export type LoginForm = 'passcode' | 'session';

/** POST /api/devices/:mac/control/test when the phone let Ringside in. */
export interface PhoneControlTest {
  ok: true;
  mac: string;
  /** The phone's api-get_phone_status: available, ringing or busy. */
  phoneStatus: string;
  loginForm: LoginForm | null;
}

/**
 * POST /api/services/:service/test: an active check of a shared service, a Redis PING or a
 * RabbitMQ channel opened and the exchange checked. `state` is the service's health after the
 * check (`embedded`: not used). `error` never carries the URL or its password.
 */
export interface ServiceProbe {
  ok: boolean;
  state: ServiceHealth;
  latencyMs?: number;
  error?: string;
}

export interface ActionUrl {
  label: string;
  pValue: string;
  event: string;
  url: string;
  /** True when the phone would drop this value (longer than MAX_ACTION_URL_LENGTH). */
  tooLong: boolean;
}

/** Where the host in the Action URLs came from: the configuration, this machine's addresses, or 127.0.0.1. */
export type PublicHostSource = 'config' | 'detected' | 'fallback';

/** GET /api/action-urls (admin token): the lines to paste into a phone; they carry the webhook token. */
export interface ActionUrlsView {
  host: string;
  hostSource: PublicHostSource;
  port: number;
  urls: ActionUrl[];
}

/**
 * What happened to one Action URL slot:
 * - `written`: it was empty and now holds Ringside's URL (checked by reading it back).
 * - `updated`: it held an older URL of this Ringside listener (another token or parameters).
 * - `unchanged`: it already held exactly the URL.
 * - `foreign`: it holds someone else's URL, which is never overwritten.
 * - `too-long`: the URL is longer than phones keep; nothing was written.
 * - `not-kept`: the phone answered the write but does not hold the URL when read back.
 * - `manual`: the firmware does not let programs write it; paste it on the phone.
 */
export type SlotOutcome = 'written' | 'updated' | 'unchanged' | 'foreign' | 'too-long' | 'not-kept' | 'manual';

export interface SlotReport {
  label: string;
  pValue: string;
  url: string;
  outcome: SlotOutcome;
  /** The slot's value before provisioning ('' when empty or unknown). */
  found: string;
}

/** POST /api/devices/:mac/provision, and `ringside provision`. */
export interface ProvisionReport {
  slots: SlotReport[];
  /** Why slots are `manual`, when some are: the phone's own words. */
  manualReason: string | null;
  dryRun: boolean;
}

/** A phone that delivered an event with the replaced webhook token during its grace period. */
export interface PhoneOnPreviousToken {
  /** null when its event carried no MAC (then `ip` tells it). */
  mac: string | null;
  ip: string | null;
  lastSeenAt: number;
}

/** Where a token is kept: never the token itself. */
export interface TokenInfo {
  /** `file`: `<data dir>/webhook-token` or `admin-token`, rotatable; `configured`: environment, flag or config file. */
  source: 'configured' | 'file';
  file: string | null;
  /** `RINGSIDE_TOKEN` when the webhook token comes from that deprecated setting. */
  deprecatedSetting: string | null;
  rotatable: boolean;
}

/** GET /api/tokens (admin). */
export interface TokensView {
  webhook: TokenInfo & {
    /** The last rotation this process knows of (epoch ms), or null. */
    rotatedAt: number | null;
    /** The replaced token while it still works, and the phones seen using it since the rotation. */
    previous: { validUntil: number; phones: PhoneOnPreviousToken[] } | null;
  };
  admin: TokenInfo;
}

/**
 * One phone of the account after a webhook token rotation:
 * - `reprovisioned`: its Action URLs now carry the new token (written through its control settings);
 * - `manual`: paste the new Action URLs (`ringside action-urls`), for `reason`;
 * - `elsewhere`: none of its slots points at this Ringside (another seat's process, a CRM): left alone.
 */
export interface PhoneRotation {
  mac: string;
  agent: string | null;
  ip: string | null;
  outcome: 'reprovisioned' | 'manual' | 'elsewhere';
  reason: string | null;
}

/** POST /api/tokens/webhook/rotate (admin): the new token is not in the answer (`ringside token show webhook`). */
export interface WebhookRotation {
  kind: 'webhook';
  rotatedAt: number;
  /** Until when the replaced token still works (epoch ms); null: refused at once. */
  previousValidUntil: number | null;
  reprovisioned: PhoneRotation[];
  manual: PhoneRotation[];
  elsewhere: PhoneRotation[];
}

/** POST /api/tokens/admin/rotate (admin): the new token is only in the file. */
export interface AdminRotation {
  kind: 'admin';
  rotatedAt: number;
  file: string | null;
}

/** POST /api/signin (a link's code, or agent and password) and POST /api/invites/accept: an agent session, as POST /api/session gives. */
export interface SigninSession {
  token: string;
  expiresAt: number;
  account: string;
  agent: string;
}

/** GET/POST/DELETE /api/agents/:id/password (admin): whether the agent can sign in with a password. Never the password. */
export interface PasswordView {
  agent: string;
  passwordSet: boolean;
  passwordSetAt: number | null;
  /** When the agent's open invite link stops working, or null. */
  inviteExpiresAt: number | null;
}

/** POST /api/agents/:id/invite (admin): a link that lets the agent choose a password once, until `expiresAt`. */
export interface InviteLink {
  agent: string;
  /** The agent UI's address with `#invite=<code>`. */
  url: string;
  expiresAt: number;
}

/** POST /api/invites/check: whom an open invite link is for. */
export interface InviteInfo {
  agent: string;
  name: string;
  expiresAt: number;
}

/** POST /api/signin-links (admin): a link that signs `agent` in once, until `expiresAt`. */
export interface SigninLink {
  agent: string;
  /** The agent UI's address with `#signin=<code>`. */
  url: string;
  expiresAt: number;
}

/**
 * GET /api/me (and PUT /api/me's answer): who the agent token is, for the first-run setup.
 * `seat`: this agent is the seat's own on a single seat, so it may change its own name and
 * extension, see the lines to paste into its phone and ring itself (docs/agent-api.md, The seat's own agent).
 * `phoneReported`: a phone is bound to the agent (also by zero-typing pairing): setup is done.
 */
export interface MeView {
  agent: { id: string; name: string; extension: string | null };
  seat: boolean;
  phoneReported: boolean;
}

/** POST /api/me/test-call: the test call is ringing; it is answered after `ringMs` and ends a moment later. */
export interface TestCallView {
  number: string;
  name: string;
  ringMs: number;
}
