import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { Credentials, DEFAULT_WEBHOOK_GRACE_MS, TokenConfiguredError } from '../app/Credentials';
import type { AgentSessions } from '../domain/sessions/AgentSessions';
import type { Directory, Device } from '../domain/directory/Directory';
import { PhoneError } from '../domain/phone/errors';
import type { ListenerActionUrls } from '../domain/provisioning/actionUrls';
import { provisionActionUrls, SLOT_DONE } from '../domain/provisioning/provisionActionUrls';
import type { PhoneRegistry } from '../adapters/phone/PhoneRegistry';
import type { Logger } from '../shared/logger';
import type { AdminRotation, PhoneRotation, SigninLink, TokensView, WebhookRotation } from '../protocol/responses';
import * as s from '../protocol/rest';
import type { Authenticator } from './auth';
import { DirectoryError } from '../domain/directory/errors';
import { codedHttpError, HttpError, parseWith, readJson } from './http';
import { notDrivable, type DrivablePhone } from './phoneRoutes';
import type { Router } from './router';

export interface TokenRouteDeps {
  /** The account this process serves. */
  account: string;
  auth: Authenticator;
  credentials: Credentials;
  directory: Directory;
  phones: PhoneRegistry;
  /** The listener's Action URLs with the current webhook token. */
  actionUrls: () => ListenerActionUrls;
  sessions: AgentSessions;
  sessionTtlMs: number;
  /** A one-time sign-in link (signinCodes.ts) for the agent, or the seat's agent (RINGSIDE_AGENT); DirectoryError for an unknown one. */
  issueSigninLink: (agent: string | undefined) => Promise<SigninLink>;
  /** Ends the WebSocket connections the old admin token opened. */
  adminTokenRotated: () => void;
  clock: () => number;
  logger: Logger;
}

/** Phones re-provisioned at once after a webhook token rotation. */
const REPROVISION_CONCURRENCY = 8;

async function optionalJson<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  return req.headers['content-type'] === undefined ? parseWith(schema, {}) : readJson(req, schema);
}

function rotationRefused(error: unknown): never {
  if (error instanceof TokenConfiguredError) throw codedHttpError(409, 'token_configured', error.message);
  throw error;
}

/**
 * The two credentials (docs/agent-api.md, Tokens), the admin token only (not an agent marked admin): where they are kept, their
 * rotation without a restart, and one-time sign-in links for the agent UI. No answer ever carries
 * a token; `ringside token show` reads the file.
 */
export function addTokenRoutes(router: Router, deps: TokenRouteDeps): void {
  const { auth, credentials } = deps;

  router.on('GET', '/api/tokens', async ({ req }): Promise<TokensView> => {
    await auth.require(req, 'adminToken');
    return credentials.view();
  });

  router.on('POST', '/api/tokens/webhook/rotate', async ({ req }): Promise<WebhookRotation> => {
    const { account } = await auth.require(req, 'adminToken');
    const body = await optionalJson(req, s.webhookRotateBody);
    let rotated: { rotatedAt: number; previousValidUntil: number | null };
    try {
      rotated = credentials.rotateWebhook(body.graceMs ?? DEFAULT_WEBHOOK_GRACE_MS);
    } catch (error) {
      rotationRefused(error);
    }
    const phones = await reprovisionAll(deps, account);
    const of = (outcome: PhoneRotation['outcome']) => phones.filter((p) => p.outcome === outcome);
    deps.logger.info({ reprovisioned: of('reprovisioned').length, manual: of('manual').length }, 'phones re-provisioned with the new webhook token');
    return { kind: 'webhook', ...rotated, reprovisioned: of('reprovisioned'), manual: of('manual'), elsewhere: of('elsewhere') };
  });

  router.on('POST', '/api/tokens/webhook/retire', async ({ req }) => {
    await auth.require(req, 'adminToken');
    return { retired: credentials.retirePreviousWebhook() };
  });

  router.on('POST', '/api/tokens/admin/rotate', async ({ req }): Promise<AdminRotation> => {
    await auth.require(req, 'adminToken');
    try {
      const { rotatedAt } = credentials.rotateAdmin();
      deps.adminTokenRotated();
      return { kind: 'admin', rotatedAt, file: credentials.origin('admin').file };
    } catch (error) {
      rotationRefused(error);
    }
  });

  // Like an invite link (POST /api/agents/:agent/invite): an agent marked admin may give one too.
  router.on('POST', '/api/signin-links', async ({ req }): Promise<SigninLink> => {
    await auth.require(req, 'admin');
    const body = await optionalJson(req, s.signinLinkBody);
    try {
      return await deps.issueSigninLink(body.agent);
    } catch (error) {
      if (error instanceof DirectoryError && error.code === 'unknown_agent') throw new HttpError(404, error.message);
      throw error;
    }
  });
}

/** Every phone of the account, a few at a time: re-provisioned through its control settings, or listed. */
async function reprovisionAll(deps: TokenRouteDeps, account: string): Promise<PhoneRotation[]> {
  const devices = await deps.directory.listDevices(account);
  const results: PhoneRotation[] = new Array(devices.length);
  let next = 0;
  const worker = async () => {
    while (next < devices.length) {
      const index = next++;
      results[index] = await reprovisionOne(deps, account, devices[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(REPROVISION_CONCURRENCY, devices.length) }, worker));
  return results;
}

async function reprovisionOne(deps: TokenRouteDeps, account: string, device: Device): Promise<PhoneRotation> {
  const phone = { mac: device.mac, agent: device.agent, ip: device.ip };
  const manual = (reason: string): PhoneRotation => ({ ...phone, outcome: 'manual', reason });
  const settings = await deps.directory.deviceControl(account, device.mac);
  const why = settings === null ? 'the phone is no longer in the directory' : notDrivable(settings);
  if (why !== null) return manual(`no control settings (${why}): paste the new Action URLs (ringside action-urls) if it points at this Ringside`);
  const { publicHost, port, urls } = deps.actionUrls();
  try {
    const report = await provisionActionUrls(deps.phones.clientFor(settings as DrivablePhone), urls, { host: publicHost.host, port });
    if (report.slots.every((slot) => slot.outcome === 'foreign')) {
      return { ...phone, outcome: 'elsewhere', reason: `none of its Action URLs points at this Ringside (${publicHost.host}:${port}); left as it is` };
    }
    const left = report.slots.filter((slot) => !SLOT_DONE.has(slot.outcome) && slot.outcome !== 'foreign');
    if (left.length === 0) return { ...phone, outcome: 'reprovisioned', reason: null };
    const slots = left.map((slot) => `${slot.label} (${slot.pValue}): ${slot.outcome}`).join(', ');
    return manual(`${slots}${report.manualReason ? ` (${report.manualReason})` : ''}: paste those Action URLs by hand`);
  } catch (error) {
    if (error instanceof PhoneError) return manual(`${error.code}: ${error.message}`);
    deps.logger.warn({ err: error, mac: device.mac }, 're-provisioning a phone failed');
    return manual(`re-provisioning failed: ${(error as Error).message}`);
  }
}
