import type { CallLog } from '../domain/calllog/CallLog';
import type { Directory } from '../domain/directory/Directory';
import { CallLogError } from '../domain/calllog/errors';
import { DirectoryError } from '../domain/directory/errors';
import type { PhoneRegistry } from '../adapters/phone/PhoneRegistry';
import type { PresenceService } from '../domain/presence/PresenceService';
import type { PushHub } from '../domain/push/PushHub';
import type { Metrics } from '../shared/metrics';
import type { AgentSessions } from '../domain/sessions/AgentSessions';
import type { CallbackQueue } from '../domain/callback/CallbackQueue';
import { Authenticator, bearerToken } from './auth';
import { addCallbackRoutes } from './callbackRoutes';
import { HttpError, bodyChunks, codedHttpError, parseWith, readJson } from './http';
import type { ListenerActionUrls } from '../domain/provisioning/actionUrls';
import { addProvisioningRoutes } from './provisioningRoutes';
import { addSettingsRoutes, type SettingsSources } from './settingsRoutes';
import { callAudienceFor, contactsFor, devicesFor, MIN_AGENT_CONTACT_QUERY, seesTeam, statsAgentFor } from './roles';
import { addPhoneRoutes } from './phoneRoutes';
import { Router } from './router';
import * as s from '../protocol/rest';
import type { AgentWithPresence, HourlyStats, SessionInfo, StatsResponse } from '../protocol/responses';
import { localDay } from '../protocol/days';
import { usesRedis } from '../app/config/redisTopology';

export interface ApiDeps {
  directory: Directory;
  log: CallLog;
  presence: PresenceService;
  push: PushHub;
  auth: Authenticator;
  metrics: Metrics;
  clock: () => number;
  sessionTtlMs: number;
  health: () => Promise<Record<string, unknown>>;
  /** One phone client per phone (docs/agent-api.md, Driving the phone): the agent's own phone, and the call-back's dial. */
  phones: PhoneRegistry;
  /** The listener's Action URLs as phones reach it (for the settings screen and provisioning). */
  actionUrls: () => ListenerActionUrls;
  /** The configuration, bound ports and service probes the settings screen shows (settingsRoutes.ts). */
  settings: SettingsSources;
  /** Agent UI sessions (SQLite, or Redis in shared mode), bound to their account. */
  sessions: AgentSessions;
  /** The call-back queue of open missed calls. */
  callbacks: CallbackQueue;
  /** False while a shared service the call state needs (Redis) is unreachable: readers then do not wait for it. */
  servicesUp?: () => boolean;
  /** True once a stop has begun: /healthz answers 503 `draining` (src/app/drainWindow.ts). */
  draining?: () => boolean;
}

const CSV_LIMIT = 10 << 20;

function queryObject(query: URLSearchParams): Record<string, string> {
  return Object.fromEntries(query.entries());
}

/** Maps the adapters' typed rejections of bad input to 4xx answers. */
async function domainCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DirectoryError) {
      const status = error.code === 'unknown_agent' ? 404 : error.code === 'extension_taken' || error.code === 'extension_is_helpline' ? 409 : error.code === 'too_many_rows' ? 413
        : error.code === 'unavailable' ? 503 : 400;
      throw new HttpError(status, error.message);
    }
    if (error instanceof CallLogError) throw new HttpError(400, error.message);
    throw error;
  }
}

export function buildRoutes(deps: ApiDeps): Router {
  const { directory, log, presence, push, auth, clock } = deps;
  const router = new Router();

  router.on('GET', '/healthz', async () => {
    const report = await deps.health();
    // A stop has begun: a load balancer takes this server out, while it still serves (docs/agent-api.md, Health).
    if (deps.draining?.()) throw new HttpError(503, 'draining', undefined, { ...report, status: 'draining' });
    return report;
  });
  router.on('GET', '/metrics', async ({ req, res }) => {
    await auth.require(req, 'admin');
    // The service and spool gauges are read when health is: refresh them for this scrape.
    await deps.health();
    res.writeHead(200, { 'Content-Type': deps.metrics.registry.contentType });
    res.end(await deps.metrics.registry.metrics());
    return undefined;
  });

  router.on('POST', '/api/agents', async ({ req }) => {
    const { account } = await auth.require(req, 'admin');
    const body = await readJson(req, s.agentBody);
    // The directory refuses an extension that is a helpline number (409, extension_is_helpline).
    const agent = await domainCall(() => directory.upsertAgent(account, body));
    await presence.publishChanges(account);
    return agent;
  });
  router.on('GET', '/api/agents', async ({ req }) => {
    const { account } = await auth.require(req, 'any');
    // While Redis is unreachable the presence is the last this process knew (the health says Redis is down), not a wait for it.
    const presenceNow = deps.servicesUp?.() === false ? Promise.resolve(presence.lastKnown(account)) : presence.snapshot(account);
    const [agents, snapshot] = await Promise.all([directory.listAgents(account), presenceNow]);
    // admin: as the server applies it (a single seat's own agent administers their seat without the mark).
    const admins = await Promise.all(agents.map((a) => a.admin || auth.isAdminAgent({ kind: 'agent', account, agent: a.id })));
    return { items: agents.map((a, i): AgentWithPresence => ({ ...a, admin: admins[i]!, presence: snapshot.get(a.id) ?? 'offline' })) };
  });
  router.on('POST', '/api/devices', async ({ req }) => {
    const { account } = await auth.require(req, 'admin');
    const body = await readJson(req, s.deviceBody);
    return domainCall(() => directory.bindDevice(account, body.mac, body.agent));
  });
  // An agent: their own phones, without control address or user name (roles.ts devicesFor); an
  // agent marked admin, every phone as the admin token sees them (the admin console's Phones).
  router.on('GET', '/api/devices', async ({ req }) => {
    const principal = await auth.require(req, 'any');
    const viewer = (await auth.isAdminAgent(principal)) ? { kind: 'admin' as const, account: principal.account } : principal;
    return { items: devicesFor(viewer, await directory.listDevices(principal.account)) };
  });
  router.on('POST', '/api/helplines', async ({ req }) => {
    const { account } = await auth.require(req, 'admin');
    const body = await readJson(req, s.helplineBody);
    // The directory refuses a number that is an agent's extension (409, extension_is_helpline).
    return domainCall(() => directory.upsertHelpline(account, { ...body, agents: body.agents ?? null }));
  });
  router.on('GET', '/api/helplines', async ({ req }) => ({ items: await directory.listHelplines((await auth.require(req, 'any')).account) }));

  router.on('POST', '/api/contacts', async ({ req }) => {
    const { account } = await auth.require(req, 'admin');
    const body = await readJson(req, s.contactBody);
    return domainCall(() => directory.upsertContact(account, { number: body.number, name: body.name, company: body.company ?? null, notes: body.notes ?? null, crmUrl: body.crmUrl ?? null }));
  });
  router.on('POST', '/api/contacts/import', async ({ req }) => {
    const { account } = await auth.require(req, 'admin');
    // Streamed: parsed and validated as it arrives; nothing is written unless the whole file was read.
    return domainCall(() => directory.importContactsCsv(account, bodyChunks(req, CSV_LIMIT)));
  });
  router.on('GET', '/api/contacts', async ({ req, query }) => {
    const principal = await auth.require(req, 'any');
    const q = parseWith(s.contactsQuery, queryObject(query));
    if (await seesTeam(directory, principal)) return { items: await directory.searchContacts(principal.account, q.q, q.limit) };
    // An agent looks a contact up (by name, company or number) to call back: not the whole list, and
    // not the notes, which they see on the card of a call of theirs (roles.ts contactsFor).
    if (q.q.trim().length < MIN_AGENT_CONTACT_QUERY) {
      throw codedHttpError(400, 'query_too_short', `an agent token searches contacts with q of at least ${MIN_AGENT_CONTACT_QUERY} characters`);
    }
    return { items: contactsFor(await directory.searchContacts(principal.account, q.q, q.limit)) };
  });

  const removal = (path: string, remove: (account: string, key: string) => Promise<boolean>, what: string) =>
    router.on('DELETE', path, async ({ req, params }) => {
      const { account } = await auth.require(req, 'admin');
      if (!(await domainCall(() => remove(account, params.key!)))) throw new HttpError(404, `no such ${what}`);
      await presence.publishChanges(account);
      return { deleted: params.key };
    });
  removal('/api/agents/:key', async (account, id) => {
    const removed = await directory.removeAgent(account, id);
    // The directory ends its own (SQLite) sessions; in shared mode they are in Redis.
    if (removed) await deps.sessions.revokeAgent(account, id);
    return removed;
  }, 'agent');
  removal('/api/devices/:key', (account, mac) => directory.removeDevice(account, mac), 'device');
  removal('/api/helplines/:key', (account, number) => directory.removeHelpline(account, number), 'helpline');
  removal('/api/contacts/:key', (account, number) => directory.removeContact(account, number), 'contact');

  router.on('POST', '/api/session', async ({ req }) => {
    const { account } = await auth.require(req, 'admin');
    const body = await readJson(req, s.sessionBody);
    if (!(await directory.getAgent(account, body.agent))) throw new HttpError(404, `no agent ${body.agent}`);
    return deps.sessions.create(account, body.agent, deps.sessionTtlMs, clock());
  });
  // Who the token is: the UI shows its agent and knows when to renew the session.
  router.on('GET', '/api/session', async ({ req }) => {
    const principal = await auth.require(req, 'any');
    // supervisor: whether the token sees everyone's figures (the admin token does).
    if (principal.kind === 'admin') return { account: principal.account, agent: null, name: null, kind: 'admin', expiresAt: null, supervisor: true, admin: true } satisfies SessionInfo;
    const session = await deps.sessions.get(principal.account, bearerToken(req) ?? '', clock());
    const agent = await directory.getAgent(principal.account, principal.agent);
    return { account: principal.account, agent: principal.agent, name: agent?.name ?? null, kind: 'agent', expiresAt: session?.expiresAt ?? null, supervisor: agent?.supervisor ?? false,
      // admin: may use the admin console (marked admin, or a single seat's own agent).
      admin: await auth.isAdminAgent(principal) } satisfies SessionInfo;
  });

  // Who sees which calls (roles.ts callAudienceFor, docs/agent-api.md, Who sees what): the admin and
  // supervisors the account's; an agent their own, their helplines' and those that rang nobody in
  // particular. The call log applies it in the query, so filters, pages and cursors are theirs alone.
  router.on('GET', '/api/calls', async ({ req, query }) => {
    const principal = await auth.require(req, 'any');
    const q = parseWith(s.callsQuery, queryObject(query));
    const audience = await callAudienceFor(directory, principal);
    return domainCall(() => log.listCalls(principal.account, audience === null ? q : { ...q, audience }));
  });
  router.on('GET', '/api/calls/:id', async ({ req, params }) => {
    const principal = await auth.require(req, 'any');
    const audience = await callAudienceFor(directory, principal);
    // Another agent's call is a 404 like an unknown one: the answer does not tell that it exists.
    const call = await log.getCall(principal.account, params.id!, audience ?? undefined);
    if (!call) throw new HttpError(404, 'no such call');
    return call;
  });
  router.on('GET', '/api/missed', async ({ req, query }) => {
    const principal = await auth.require(req, 'any');
    const q = parseWith(s.missedQuery, queryObject(query));
    const audience = await callAudienceFor(directory, principal);
    return { items: await log.listMissed(principal.account, audience === null ? q : { ...q, audience }) };
  });
  addCallbackRoutes(router, { directory, auth, phones: deps.phones, log, push, callbacks: deps.callbacks, clock });
  addPhoneRoutes(router, { directory, auth, phones: deps.phones });
  addProvisioningRoutes(router, {
    directory, auth, phones: deps.phones, actionUrls: deps.actionUrls,
    seatAgent: usesRedis(deps.settings.config) ? null : deps.settings.config.agent,
  });
  addSettingsRoutes(router, { directory, auth, phones: deps.phones, actionUrls: deps.actionUrls, settings: deps.settings });
  router.on('GET', '/api/stats', async ({ req, query }): Promise<StatsResponse> => {
    const principal = await auth.require(req, 'any');
    const q = parseWith(s.statsQuery, queryObject(query));
    // Days of the seat's zone, both included: `from=D&to=D` is the one day D.
    const timeZone = log.timeZone;
    const from = q.from === undefined ? null : statsDayOf(q.from, timeZone, clock());
    const to = q.to === undefined ? null : statsDayOf(q.to, timeZone, clock());
    // An agent who is not a supervisor sees only their own figures (roles.ts).
    const agent = await statsAgentFor(directory, principal, q.agent);
    const items = from !== null && to !== null && from > to
      ? []
      : await log.stats(principal.account, { ...(from === null ? {} : { fromDay: from }), ...(to === null ? {} : { toDay: to }), ...(agent === undefined ? {} : { agent }) });
    return { items, timeZone, from, to };
  });
  router.on('GET', '/api/stats/hourly', async ({ req, query }): Promise<HourlyStats> => {
    const principal = await auth.require(req, 'any');
    const q = parseWith(s.hourlyStatsQuery, queryObject(query));
    const timeZone = log.timeZone;
    const day = statsDayOf(q.day ?? 'today', timeZone, clock());
    // The same rule as the figures: an agent sees their own hours, supervisors anyone's or the team's.
    const agent = await statsAgentFor(directory, principal, q.agent);
    const hours = await log.hourlyStats(principal.account, { day, ...(agent === undefined ? {} : { agent }) });
    return { day, timeZone, agent: agent ?? null, hours };
  });
  return router;
}

/** The local day a statistics parameter names: the day itself, today's, or the day an instant falls in. */
function statsDayOf(value: s.StatsDay, timeZone: string, now: number): string {
  if (value === 'today') return localDay(now, timeZone);
  return 'day' in value ? value.day : localDay(value.at, timeZone);
}
