import type { Directory } from '../domain/directory/Directory';
import { DirectoryError } from '../domain/directory/errors';
import type { PresenceService } from '../domain/presence/PresenceService';
import type { MeView, TestCallView } from '../protocol/responses';
import type { ProvisionReport } from '../domain/provisioning/provisionActionUrls';
import { PhoneError } from '../domain/phone/errors';
import { phoneHttpError } from './phoneRoutes';
import { TestCallBusy } from '../app/testCall';
import * as s from '../protocol/rest';
import type { Authenticator, Principal } from './auth';
import { codedHttpError, readJson } from './http';
import type { Router } from './router';

export interface SeatRouteDeps {
  directory: Directory;
  auth: Authenticator;
  presence: PresenceService;
  /** The seat's own agent on a single seat (embedded mode); null in shared mode. */
  seatAgent: string | null;
  /** Plays "Ring me" through the own phone listener (src/app/testCall.ts); rejects with `busy` while one rings. */
  testCall: (phone: { mac: string | null; extension: string | null }) => Promise<TestCallView>;
  /** What `ringside provision --phone` does, for the phone at this address (not saved anywhere). */
  provision: (phone: { host: string; port?: number; username?: string; password: string }, dryRun: boolean) => Promise<ProvisionReport>;
}

/**
 * The seat's own agent administers its own seat (docs/agent-api.md, The seat's own agent): on a
 * single seat the person at the desk is its only user, so its agent session may change its own
 * name and extension (the extension/helpline rule still applies), and ring itself. Nothing else:
 * other agents, phones' control settings and the tokens stay the admin's. In shared mode (an
 * office) no agent session may do any of it.
 */
export function addSeatRoutes(router: Router, deps: SeatRouteDeps): void {
  const { directory, auth } = deps;

  const me = async (principal: Principal): Promise<MeView> => {
    if (principal.kind !== 'agent') throw codedHttpError(400, 'not_an_agent', 'the admin token is nobody\'s: /api/me answers an agent token');
    const agent = await directory.getAgent(principal.account, principal.agent);
    if (!agent) throw codedHttpError(404, 'unknown_agent', `no agent ${principal.agent} in this account`);
    return {
      agent: { id: agent.id, name: agent.name, extension: agent.extension },
      seat: deps.seatAgent !== null && agent.id === deps.seatAgent,
      phoneReported: agent.devices.length > 0,
    };
  };

  /** The seat's own agent, else 403 `not_the_seat`. */
  const seatOnly = async (principal: Principal): Promise<MeView> => {
    const view = await me(principal);
    if (!view.seat) throw codedHttpError(403, 'not_the_seat', 'only the seat\'s own agent on a single seat changes itself here; ask your administrator');
    return view;
  };

  router.on('GET', '/api/me', async ({ req }) => me(await auth.require(req, 'any')));

  router.on('PUT', '/api/me', async ({ req }) => {
    const principal = await auth.require(req, 'any');
    const current = await seatOnly(principal);
    const body = await readJson(req, s.meBody);
    try {
      await directory.upsertAgent(principal.account, {
        id: current.agent.id, name: body.name ?? current.agent.name, ...(body.extension !== undefined ? { extension: body.extension } : {}),
      });
    } catch (error) {
      if (error instanceof DirectoryError && (error.code === 'extension_taken' || error.code === 'extension_is_helpline')) {
        throw codedHttpError(409, error.code, error.message);
      }
      if (error instanceof DirectoryError) throw codedHttpError(400, error.code, error.message);
      throw error;
    }
    await deps.presence.publishChanges(principal.account);
    return me(principal);
  });

  // The seat's phone by its address, before it has ever reported (so before Ringside knows its MAC).
  // The password is used for this write only: never stored, never logged.
  router.on('POST', '/api/me/phone/provision', async ({ req }) => {
    const principal = await auth.require(req, 'any');
    await seatOnly(principal);
    const { dryRun, ...phone } = await readJson(req, s.meProvisionBody);
    try {
      return await deps.provision(phone, dryRun ?? false);
    } catch (error) {
      if (error instanceof PhoneError) throw phoneHttpError(error, '');
      throw error;
    }
  });

  router.on('POST', '/api/me/test-call', async ({ req }) => {
    const principal = await auth.require(req, 'any');
    const view = await seatOnly(principal);
    const agent = await directory.getAgent(principal.account, view.agent.id);
    try {
      return await deps.testCall({ mac: agent?.devices[0] ?? null, extension: view.agent.extension });
    } catch (error) {
      if (error instanceof TestCallBusy) throw codedHttpError(409, 'test_call_ringing', 'a test call is already ringing');
      throw codedHttpError(502, 'test_call_failed', `the test call did not reach the phone listener: ${(error as Error).message}`);
    }
  });
}
