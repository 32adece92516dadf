import type { CallLog } from '../calllog/CallLog';
import type { Directory } from '../directory/Directory';
import { CallLogError } from '../calllog/errors';
import { DirectoryError } from '../directory/errors';
import type { PhoneRegistry } from '../phone/PhoneRegistry';
import type { PresenceService } from '../presence/PresenceService';
import type { PushHub } from '../push/PushHub';
import type { Metrics } from '../shared/metrics';
import { Authenticator, bearerToken, type Principal } from './auth';
import { HttpError, bodyChunks, parseWith, readJson } from './http';
import type { ListenerActionUrls } from '../provisioning/actionUrls';
import { addProvisioningRoutes } from './provisioningRoutes';
import { addPhoneRoutes, dialForCallback } from './phoneRoutes';
import { Router } from './router';
import * as s from './schemas';

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
  /** One phone client per phone (SPEC 8): the agent's own phone, and the call-back's dial. */
  phones: PhoneRegistry;
  /** The listener's Action URLs as phones reach it (for the settings screen and provisioning). */
  actionUrls: () => ListenerActionUrls;
}

const CSV_LIMIT = 10 << 20;

function queryObject(query: URLSearchParams): Record<string, string> {
  return Object.fromEntries(query.entries());
}

/** The agent the request acts for: an agent's own session, or the admin naming one. */
function actingAgent(principal: Principal, named: string | undefined): string {
  if (principal.kind === 'agent') return principal.agent;
  if (!named) throw new HttpError(400, 'invalid input: agent is required with the admin token');
  return named;
}

/** Maps the adapters' typed rejections of bad input to 4xx answers. */
async function domainCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DirectoryError) {
      const status = error.code === 'unknown_agent' ? 404 : error.code === 'extension_taken' ? 409 : error.code === 'too_many_rows' ? 413 : 400;
      throw new HttpError(status, error.message);
    }
    if (error instanceof CallLogError) throw new HttpError(400, error.message);
    throw error;
  }
}

export function buildRoutes(deps: ApiDeps): Router {
  const { directory, log, presence, push, auth, clock } = deps;
  const router = new Router();

  router.on('GET', '/healthz', async () => deps.health());
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
    if (body.extension && (await directory.helplineByNumber(account, body.extension))) {
      throw new HttpError(409, `extension ${body.extension} is a helpline number; calls to it would never reach the agent directly`);
    }
    const agent = await domainCall(() => directory.upsertAgent(account, body));
    await presence.publishChanges(account);
    return agent;
  });
  router.on('GET', '/api/agents', async ({ req }) => {
    const { account } = await auth.require(req, 'any');
    const [agents, snapshot] = await Promise.all([directory.listAgents(account), presence.snapshot(account)]);
    return { items: agents.map((a) => ({ ...a, presence: snapshot.get(a.id) ?? 'offline' })) };
  });
  router.on('POST', '/api/devices', async ({ req }) => {
    const { account } = await auth.require(req, 'admin');
    const body = await readJson(req, s.deviceBody);
    return domainCall(() => directory.bindDevice(account, body.mac, body.agent));
  });
  router.on('GET', '/api/devices', async ({ req }) => ({ items: await directory.listDevices((await auth.require(req, 'any')).account) }));
  router.on('POST', '/api/helplines', async ({ req }) => {
    const { account } = await auth.require(req, 'admin');
    const body = await readJson(req, s.helplineBody);
    const holder = await directory.agentByExtension(account, body.number);
    if (holder) throw new HttpError(409, `${body.number} is the extension of agent ${holder.id}; a helpline needs a number of its own`);
    return domainCall(() => directory.upsertHelpline(account, { ...body, agents: body.agents ?? null }));
  });
  router.on('GET', '/api/helplines', async ({ req }) => ({ items: await directory.listHelplines((await auth.require(req, 'any')).account) }));

  router.on('POST', '/api/contacts', async ({ req }) => {
    const { account } = await auth.require(req, 'any');
    const body = await readJson(req, s.contactBody);
    return domainCall(() => directory.upsertContact(account, { number: body.number, name: body.name, company: body.company ?? null, notes: body.notes ?? null, crmUrl: body.crmUrl ?? null }));
  });
  router.on('POST', '/api/contacts/import', async ({ req }) => {
    const { account } = await auth.require(req, 'admin');
    // Streamed: parsed and validated as it arrives; nothing is written unless the whole file was read.
    return domainCall(() => directory.importContactsCsv(account, bodyChunks(req, CSV_LIMIT)));
  });
  router.on('GET', '/api/contacts', async ({ req, query }) => {
    const { account } = await auth.require(req, 'any');
    const q = parseWith(s.contactsQuery, queryObject(query));
    return { items: await directory.searchContacts(account, q.q, q.limit) };
  });

  const removal = (path: string, remove: (account: string, key: string) => Promise<boolean>, what: string) =>
    router.on('DELETE', path, async ({ req, params }) => {
      const { account } = await auth.require(req, 'admin');
      if (!(await domainCall(() => remove(account, params.key!)))) throw new HttpError(404, `no such ${what}`);
      await presence.publishChanges(account);
      return { deleted: params.key };
    });
  removal('/api/agents/:key', (account, id) => directory.removeAgent(account, id), 'agent');
  removal('/api/devices/:key', (account, mac) => directory.removeDevice(account, mac), 'device');
  removal('/api/helplines/:key', (account, number) => directory.removeHelpline(account, number), 'helpline');
  removal('/api/contacts/:key', (account, number) => directory.removeContact(account, number), 'contact');

  router.on('POST', '/api/session', async ({ req }) => {
    const { account } = await auth.require(req, 'admin');
    const body = await readJson(req, s.sessionBody);
    if (!(await directory.getAgent(account, body.agent))) throw new HttpError(404, `no agent ${body.agent}`);
    return directory.createSession(account, body.agent, deps.sessionTtlMs, clock());
  });
  // Who the token is: the UI shows its agent and knows when to renew the session.
  router.on('GET', '/api/session', async ({ req }) => {
    const principal = await auth.require(req, 'any');
    if (principal.kind === 'admin') return { account: principal.account, agent: null, name: null, kind: 'admin', expiresAt: null };
    const session = await directory.sessionByToken(bearerToken(req) ?? '', clock());
    const agent = await directory.getAgent(principal.account, principal.agent);
    return { account: principal.account, agent: principal.agent, name: agent?.name ?? null, kind: 'agent', expiresAt: session?.expiresAt ?? null };
  });

  router.on('GET', '/api/calls', async ({ req, query }) => {
    const { account } = await auth.require(req, 'any');
    return domainCall(() => log.listCalls(account, parseWith(s.callsQuery, queryObject(query))));
  });
  router.on('GET', '/api/calls/:id', async ({ req, params }) => {
    const { account } = await auth.require(req, 'any');
    const call = await log.getCall(account, params.id!);
    if (!call) throw new HttpError(404, 'no such call');
    return call;
  });
  router.on('GET', '/api/missed', async ({ req, query }) => {
    const { account } = await auth.require(req, 'any');
    return { items: await log.listMissed(account, parseWith(s.missedQuery, queryObject(query))) };
  });
  router.on('POST', '/api/missed/:id/callback', async ({ req, params }) => {
    const principal = await auth.require(req, 'any');
    const body = req.headers['content-type']?.includes('json') ? await readJson(req, s.callbackBody) : {};
    const agent = actingAgent(principal, body.agent);
    const missed = await log.getMissed(principal.account, params.id!);
    if (!missed) throw new HttpError(404, 'no such missed call');
    // A direct call was for its agent; a helpline call may be called back by anyone on the account.
    if (missed.line === 'direct' && missed.targets.length > 0 && !missed.targets.includes(agent)) {
      throw new HttpError(403, `this missed call was for ${missed.targets.join(', ')}`);
    }
    // The phone named must be the agent's own; checked before taking ownership, so a refused request takes nothing.
    const own = body.mac === undefined ? [] : ((await directory.getAgent(principal.account, agent))?.devices ?? []);
    if (body.mac !== undefined && !own.includes(body.mac)) throw new HttpError(403, `phone ${body.mac} is not one of ${agent}'s phones`);
    const result = await log.claimMissedCall(principal.account, params.id!, agent, clock());
    if (!result) throw new HttpError(404, 'no such missed call');
    if (!result.won) throw new HttpError(409, `already taken by ${result.missed.owner}`, result.missed);
    push.toAccount(principal.account, { type: 'missed.claimed', at: clock(), account: principal.account, missed: result.missed });
    // Ownership first (atomic); then the agent's phone dials. A failed dial keeps the ownership:
    // the answer is still 200 and `dial` says what happened. The answered call-back closes the
    // missed call (CallLifecycle: an answered call to or from that number closes it).
    const dial = await dialForCallback({ directory, auth, phones: deps.phones }, principal.account, agent, result.missed.remote, body.mac);
    return { missed: result.missed, dial };
  });
  addPhoneRoutes(router, { directory, auth, phones: deps.phones });
  addProvisioningRoutes(router, { directory, auth, phones: deps.phones, actionUrls: deps.actionUrls });
  router.on('GET', '/api/stats', async ({ req, query }) => {
    const { account } = await auth.require(req, 'any');
    return { items: await log.stats(account, parseWith(s.statsQuery, queryObject(query))) };
  });
  return router;
}
