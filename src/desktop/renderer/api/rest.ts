// The agent API's REST side, as the screens use it. Every request carries the session token as a
// bearer token and gives up after a while: during an outage (Redis away) a request can hang, and a
// screen that waits forever looks broken.
import type { z } from 'zod';
import type { CallbackResult, InviteLink, PasswordView } from '../../../protocol/responses';
import type { agentBody, contactBody, deviceControlBody, helplineBody } from '../../../protocol/rest';
import type { Contact } from '../../../protocol/views';
import type { Agent } from '../../../protocol/responses';
import type {
  ActionUrlsView, AgentStats, AgentWithPresence, CallView, Device, DeviceView, HealthReport, Helpline, HourlyStats, MissedCallView, PhoneControlTest,
  ProvisionReport, ServiceProbe, SessionInfo, SettingsView, StatsResponse,
} from './types';
import { toSessionInfo } from '../state/identity';

const TIMEOUT_MS = 15_000;

/** An answer other than 2xx: `code` is the API's stable error code when it gives one. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code: string | null = null, readonly body: unknown = null) {
    super(message);
  }
}

/** The sentence to show for a failed request. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'Ringside did not answer in time.';
  if (error instanceof TypeError) return 'Ringside cannot be reached.';
  return error instanceof Error ? error.message : String(error);
}

/** The API's error bodies: `{error: <code>, reason}` (phone endpoints) or `{error: <message>, details}`. */
function errorFrom(status: number, body: unknown): ApiError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const reason = typeof record.reason === 'string' ? record.reason : null;
  const error = typeof record.error === 'string' ? record.error : null;
  if (reason !== null) return new ApiError(status, reason, error, body);
  return new ApiError(status, error ?? `request failed (${status})`, null, body);
}

export type { CallbackResult };

export type AgentInput = z.input<typeof agentBody>;
export type HelplineInput = z.input<typeof helplineBody>;
export type ContactInput = z.input<typeof contactBody>;
/** POST /api/contacts/import: how many rows were written, and each refused row with its line in the file. */
export interface CsvImportResult {
  imported: number;
  rejected: Array<{ line: number; reason: string }>;
}
export type { Contact };

/** PUT /api/devices/:mac/control: a missing field keeps its value, null restores the default. */
export type ControlSettings = z.input<typeof deviceControlBody>;

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export class RestClient {
  /** `onUnauthorized`: the token was refused (expired, or the agent was removed). */
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void = () => undefined,
    private readonly fetcher: FetchLike = (input, init) => fetch(input, init),
  ) {}

  /** `raw`: a body sent as it is, with its own content type (a CSV file), instead of `body` as JSON. */
  async request<T>(method: string, path: string, body?: unknown, raw?: { text: string; contentType: string }): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (raw) headers['Content-Type'] = raw.contentType;
    else if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await this.fetcher(path, {
      method, headers, body: raw ? raw.text : body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS), cache: 'no-store',
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = { error: text.slice(0, 200) };
    }
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) throw errorFrom(response.status, parsed);
    return parsed as T;
  }

  agents(): Promise<AgentWithPresence[]> {
    return this.request<{ items: AgentWithPresence[] }>('GET', '/api/agents').then((r) => r.items);
  }

  helplines(): Promise<Helpline[]> {
    return this.request<{ items: Helpline[] }>('GET', '/api/helplines').then((r) => r.items);
  }

  /** The admin: every phone with its control settings; an agent: their own, with a summary of them (DeviceView). */
  devices(): Promise<DeviceView[]> {
    return this.request<{ items: DeviceView[] }>('GET', '/api/devices').then((r) => r.items);
  }

  missed(limit = 200): Promise<MissedCallView[]> {
    return this.request<{ items: MissedCallView[] }>('GET', `/api/missed?limit=${limit}`).then((r) => r.items);
  }

  callBack(callId: string): Promise<CallbackResult> {
    return this.request<CallbackResult>('POST', `/api/missed/${encodeURIComponent(callId)}/callback`, {});
  }

  /**
   * Who this token is (GET /api/session), or null from a server that does not have the endpoint
   * yet (404, or 405 where only POST /api/session exists): the caller then works it out itself.
   */
  async session(): Promise<SessionInfo | null> {
    try {
      return toSessionInfo(await this.request<unknown>('GET', '/api/session'));
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
      throw error;
    }
  }

  calls(query: string): Promise<{ items: CallView[]; next: string | null }> {
    return this.request('GET', `/api/calls?${query}`);
  }

  stats(query: string): Promise<AgentStats[]> {
    return this.request<{ items: AgentStats[] }>('GET', `/api/stats?${query}`).then((r) => r.items);
  }

  /** The figures with the days and the zone the server counted them in. */
  statsReport(query: string): Promise<StatsResponse> {
    return this.request<StatsResponse>('GET', `/api/stats?${query}`);
  }

  /** Answered and missed per local hour of the seat's day (`agent`: theirs; none: everyone's the token may see). */
  hourlyStats(query = ''): Promise<HourlyStats> {
    return this.request<HourlyStats>('GET', `/api/stats/hourly${query ? `?${query}` : ''}`);
  }

  /** /healthz needs no token; asking with one does no harm. */
  health(): Promise<HealthReport> {
    return this.request('GET', '/healthz');
  }

  phone(action: 'answer' | 'hangup' | 'hold'): Promise<{ ok: true }> {
    return this.request('POST', `/api/phone/${action}`, {});
  }

  /** What this Ringside runs with (ports, masked service URLs) and the caller's own phones. */
  settings(): Promise<SettingsView> {
    return this.request('GET', '/api/settings');
  }

  /** Admin only: asks Redis (PING) or RabbitMQ (a channel) now, on the connection in use, or PostgreSQL on a connection of its own. */
  testService(service: 'redis' | 'rabbitmq' | 'database'): Promise<ServiceProbe> {
    return this.request('POST', `/api/services/${service}/test`, {});
  }

  /** Logs in to the phone with its saved control settings and reads its status (own phone, or any for the admin). */
  testPhone(mac: string): Promise<PhoneControlTest> {
    return this.request('POST', `/api/devices/${encodeURIComponent(mac)}/control/test`, {});
  }

  /** Admin only: writes this Ringside's Action URLs into the phone's empty slots (ringside provision). */
  provisionPhone(mac: string): Promise<ProvisionReport> {
    return this.request('POST', `/api/devices/${encodeURIComponent(mac)}/provision`, {});
  }

  /** Admin only: the Action URL lines (they carry the webhook token). */
  actionUrls(): Promise<ActionUrlsView> {
    return this.request('GET', '/api/action-urls');
  }

  // The directory, written by the admin (the console): every one of these is a 403 for an agent token.

  /** Adds an agent or changes one (by id): a missing field keeps what is stored. */
  saveAgent(agent: AgentInput): Promise<Agent> {
    return this.request('POST', '/api/agents', agent);
  }

  /** An agent's sign-in: whether they have a password, and until when their open invite link works (admin). */
  agentPassword(id: string): Promise<PasswordView> {
    return this.request('GET', `/api/agents/${encodeURIComponent(id)}/password`);
  }

  /** Sets an agent's password (admin); their open sessions end. */
  setAgentPassword(id: string, password: string): Promise<PasswordView> {
    return this.request('POST', `/api/agents/${encodeURIComponent(id)}/password`, { password });
  }

  /** Removes an agent's password (admin); their open sessions end. */
  removeAgentPassword(id: string): Promise<PasswordView> {
    return this.request('DELETE', `/api/agents/${encodeURIComponent(id)}/password`);
  }

  /** A link that lets the agent choose a password once (admin). */
  inviteAgent(id: string): Promise<InviteLink> {
    return this.request('POST', `/api/agents/${encodeURIComponent(id)}/invite`, {});
  }

  removeAgent(id: string): Promise<{ deleted: string }> {
    return this.request('DELETE', `/api/agents/${encodeURIComponent(id)}`);
  }

  /** Binds a phone (by MAC) to an agent; a phone not known yet is added. */
  bindDevice(mac: string, agent: string): Promise<Device> {
    return this.request('POST', '/api/devices', { mac, agent });
  }

  removeDevice(mac: string): Promise<{ deleted: string }> {
    return this.request('DELETE', `/api/devices/${encodeURIComponent(mac)}`);
  }

  saveHelpline(helpline: HelplineInput): Promise<Helpline> {
    return this.request('POST', '/api/helplines', helpline);
  }

  removeHelpline(number: string): Promise<{ deleted: string }> {
    return this.request('DELETE', `/api/helplines/${encodeURIComponent(number)}`);
  }

  /** The admin: every contact matching `q` (empty: the first `limit`); an agent needs 2 characters or more. */
  contacts(q: string, limit = 100): Promise<Contact[]> {
    return this.request<{ items: Contact[] }>('GET', `/api/contacts?${new URLSearchParams({ q, limit: String(limit) }).toString()}`).then((r) => r.items);
  }

  saveContact(contact: ContactInput): Promise<Contact> {
    return this.request('POST', '/api/contacts', contact);
  }

  removeContact(number: string): Promise<{ deleted: string }> {
    return this.request('DELETE', `/api/contacts/${encodeURIComponent(number)}`);
  }

  /** A CSV file as it is: the good rows are written, the bad ones come back with their line. */
  importContacts(csv: string): Promise<CsvImportResult> {
    return this.request('POST', '/api/contacts/import', undefined, { text: csv, contentType: 'text/csv' });
  }

  /** Admin only today: an agent's session gets a 403, which the Settings screen explains. */
  saveControl(mac: string, settings: ControlSettings): Promise<Device> {
    return this.request('PUT', `/api/devices/${encodeURIComponent(mac)}/control`, settings);
  }
}
