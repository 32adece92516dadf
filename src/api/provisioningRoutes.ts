import type { IncomingMessage } from 'node:http';
import type { ListenerActionUrls } from '../domain/provisioning/actionUrls';
import { provisionActionUrls } from '../domain/provisioning/provisionActionUrls';
import { parseMac } from '../protocol/mac';
import { codedHttpError, HttpError, parseWith, readJson } from './http';
import { drive, phoneFor, type PhoneRouteDeps } from './phoneRoutes';
import type { Router } from './router';
import * as s from '../protocol/rest';
import type { ActionUrlsView } from '../protocol/responses';

export interface ProvisioningRouteDeps extends PhoneRouteDeps {
  /** This process's listener as phones reach it; the URLs carry the webhook token, so admin only. */
  actionUrls: () => ListenerActionUrls;
  /**
   * The seat's own agent on a single seat (null in shared mode): it may read the Action URLs too,
   * to set up its own phone; the webhook token in them only delivers phone events (docs/agent-api.md).
   */
  seatAgent?: string | null;
}

async function optionalBody(req: IncomingMessage): Promise<{ dryRun?: boolean | undefined }> {
  return req.headers['content-type'] === undefined ? parseWith(s.provisionBody, {}) : readJson(req, s.provisionBody);
}

/**
 * What `ringside action-urls` and `ringside provision` do, for the settings screen: the lines to
 * paste, and the same provisioning of a phone through its saved control settings.
 */
export function addProvisioningRoutes(router: Router, deps: ProvisioningRouteDeps): void {
  const { directory, auth, phones } = deps;

  router.on('GET', '/api/action-urls', async ({ req }) => {
    const principal = await auth.require(req, 'any');
    const seat = principal.kind === 'agent' && deps.seatAgent !== undefined && deps.seatAgent !== null && principal.agent === deps.seatAgent;
    if (principal.kind !== 'admin' && !seat && !(await auth.isAdminAgent(principal))) throw new HttpError(403, 'this endpoint needs the admin token or an agent marked admin');
    const { publicHost, port, urls } = deps.actionUrls();
    return { host: publicHost.host, hostSource: publicHost.source, port, urls } satisfies ActionUrlsView;
  });

  router.on('POST', '/api/devices/:mac/provision', async ({ req, params }) => {
    const { account } = await auth.require(req, 'admin');
    const mac = parseMac(params.mac!);
    if (mac === null) throw codedHttpError(400, 'invalid_mac', 'a MAC address has 12 hex digits');
    const body = await optionalBody(req);
    // Any phone of the account: the admin token, or an agent marked admin (not only their own).
    const phone = await phoneFor(directory, { kind: 'admin', account }, mac);
    const { publicHost, port, urls } = deps.actionUrls();
    return drive(phones, phone, (client) => provisionActionUrls(client, urls, { host: publicHost.host, port }, { dryRun: body.dryRun ?? false }));
  });
}
