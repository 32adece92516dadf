import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { AgentCredentials, PasswordStatus } from '../domain/sessions/AgentCredentials';
import type { AgentSessions } from '../domain/sessions/AgentSessions';
import type { Directory } from '../domain/directory/Directory';
import type { Logger } from '../shared/logger';
import type { InviteInfo, InviteLink, PasswordView, SigninSession } from '../protocol/responses';
import * as s from '../protocol/rest';
import { bearerToken, type Authenticator } from './auth';
import { codedHttpError, parseWith, readJson } from './http';
import type { Router } from './router';
import { SigninThrottle } from './signinThrottle';

export interface SigninRouteDeps {
  /** The account this process serves. */
  account: string;
  auth: Authenticator;
  directory: Directory;
  sessions: AgentSessions;
  sessionTtlMs: number;
  credentials: AgentCredentials;
  /** The agent a sign-in link's code is for, once; null when used, expired or unknown (signinCodes.ts). */
  redeemSignin: (code: string) => string | null;
  /** The agent UI's address as a browser opens it (an invite link is `<this>/#invite=<code>`). */
  uiOrigin: () => string;
  throttle: SigninThrottle;
  clock: () => number;
  logger: Logger;
}

const WRONG_PASSWORD = 'Wrong agent or password.';
const INVITE_INVALID = 'This invite link was used already or has expired. Ask for a new one.';

async function optionalJson<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  return req.headers['content-type'] === undefined ? parseWith(schema, {}) : readJson(req, schema);
}

function toView(status: PasswordStatus): PasswordView {
  return { agent: status.agent, passwordSet: status.passwordSet, passwordSetAt: status.passwordSetAt, inviteExpiresAt: status.inviteExpiresAt };
}

/**
 * Signing in to the agent UI without the admin (docs/agent-api.md, Passwords and invite links):
 * `POST /api/signin` with a sign-in link's code or an agent's password, and what the admin does for
 * it: set or clear an agent's password, send an invite link with which the agent chooses one.
 * Failed password sign-ins are throttled per agent and per source address (signinThrottle.ts).
 * No password is ever answered or logged.
 */
export function addSigninRoutes(router: Router, deps: SigninRouteDeps): void {
  const { account, auth, directory, credentials, throttle, clock, logger } = deps;

  const startSession = async (agent: string): Promise<SigninSession> => {
    const session = await deps.sessions.create(account, agent, deps.sessionTtlMs, clock());
    return { ...session, account, agent };
  };

  /** The directory's id for what a person typed: exact, else the one agent whose id differs only in case. */
  const agentIdFor = async (typed: string): Promise<string | null> => {
    if (await directory.getAgent(account, typed)) return typed;
    const lower = typed.toLowerCase();
    const matches = (await directory.listAgents(account)).filter((a) => a.id.toLowerCase() === lower);
    return matches.length === 1 ? matches[0]!.id : null;
  };

  const requireAgent = async (agent: string): Promise<PasswordStatus> => {
    const status = await credentials.status(account, agent, clock());
    if (!status) throw codedHttpError(404, 'unknown_agent', `no agent ${agent} in this account`);
    return status;
  };

  // No bearer token: the code, or the agent's password, is the credential.
  router.on('POST', '/api/signin', async ({ req, res }): Promise<SigninSession> => {
    const body = await readJson(req, s.signinBody);
    if (body.code !== undefined) {
      const agent = deps.redeemSignin(body.code);
      if (agent === null) throw codedHttpError(401, 'signin_link_invalid', 'This sign-in link was used already, has expired or is not one of this Ringside. Sign in with your password, or ask for a new link.');
      if (!(await directory.getAgent(account, agent))) throw codedHttpError(401, 'signin_link_invalid', `agent ${agent} no longer exists`);
      return startSession(agent);
    }
    return passwordSignin(req, res, body.agent!, body.password!);
  });

  const passwordSignin = async (req: IncomingMessage, res: ServerResponse, typed: string, password: string): Promise<SigninSession> => {
    const address = req.socket.remoteAddress;
    const keys = SigninThrottle.keys(typed.toLowerCase(), address);
    const waitMs = throttle.blockedForMs(keys);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      logger.debug({ address }, 'sign-in refused: too many failed attempts');
      res.setHeader('Retry-After', String(seconds));
      throw codedHttpError(429, 'signin_throttled', `Too many failed sign-ins. Try again in ${seconds} seconds.`, { retryAfterSeconds: seconds });
    }
    const agent = await agentIdFor(typed);
    // An unknown agent is checked against a decoy hash: the answer takes as long, and says the same.
    const good = await credentials.verifyPassword(account, agent ?? typed, password);
    if (!good || agent === null) {
      throttle.fail(keys);
      const paused = throttle.blockedForMs(keys) > 0;
      // An unknown agent id is not logged: it may be a password typed into the wrong field.
      logger.warn({ agent, unknownAgent: agent === null, address, paused }, paused
        ? 'sign-in refused: wrong agent or password; further attempts for this agent or from this address wait a minute'
        : 'sign-in refused: wrong agent or password');
      throw codedHttpError(401, 'signin_failed', WRONG_PASSWORD);
    }
    throttle.succeeded(keys[0]!);
    logger.info({ agent, address }, 'agent signed in with a password');
    return startSession(agent);
  };

  // Signing out: the agent's own session token ends (the admin token is no session).
  router.on('DELETE', '/api/session', async ({ req }) => {
    const principal = await auth.require(req, 'any');
    if (principal.kind === 'admin') throw codedHttpError(400, 'admin_token', 'the admin token is not a session: it cannot sign out (rotate it to end it: ringside token rotate admin)');
    await deps.sessions.revoke(account, bearerToken(req) ?? '');
    logger.info({ agent: principal.agent }, 'agent signed out');
    return { signedOut: true };
  });

  // The agent changes their own password: the current one is checked (and throttled as a sign-in
  // is); every session of theirs ends, this one included, and a new one is answered in its place.
  router.on('POST', '/api/session/password', async ({ req, res }): Promise<SigninSession> => {
    const principal = await auth.require(req, 'any');
    if (principal.kind === 'admin') throw codedHttpError(400, 'admin_token', 'the admin token has no password: set an agent\'s with POST /api/agents/:id/password');
    const body = await readJson(req, s.ownPasswordBody);
    const agent = principal.agent;
    const address = req.socket.remoteAddress;
    const keys = SigninThrottle.keys(agent.toLowerCase(), address);
    const waitMs = throttle.blockedForMs(keys);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      res.setHeader('Retry-After', String(seconds));
      throw codedHttpError(429, 'signin_throttled', `Too many failed attempts. Try again in ${seconds} seconds.`, { retryAfterSeconds: seconds });
    }
    const status = await credentials.status(account, agent, clock());
    // No password yet (signed in by a link): nothing to check. Otherwise the current one must match.
    if (status?.passwordSet && !(await credentials.verifyPassword(account, agent, body.current ?? ''))) {
      throttle.fail(keys);
      logger.warn({ agent, address }, 'password change refused: the current password is wrong');
      throw codedHttpError(403, 'wrong_password', 'Your current password is not right.');
    }
    if (!(await credentials.setPassword(account, agent, body.password, clock()))) throw codedHttpError(404, 'unknown_agent', `no agent ${agent} in this account`);
    await deps.sessions.revokeAgent(account, agent);
    logger.info({ agent }, 'agent changed their password');
    return startSession(agent);
  });

  router.on('GET', '/api/agents/:agent/password', async ({ req, params }): Promise<PasswordView> => {
    await auth.require(req, 'admin');
    return toView(await requireAgent(params.agent!));
  });

  // Setting or clearing a password ends the agent's sessions: after a reset (a password that
  // leaked) nobody stays signed in with the old one.
  router.on('POST', '/api/agents/:agent/password', async ({ req, params }): Promise<PasswordView> => {
    await auth.require(req, 'admin');
    const agent = params.agent!;
    const body = await readJson(req, s.passwordBody);
    await requireAgent(agent);
    if (!(await credentials.setPassword(account, agent, body.password, clock()))) throw codedHttpError(404, 'unknown_agent', `no agent ${agent} in this account`);
    await deps.sessions.revokeAgent(account, agent);
    logger.info({ agent }, "an agent's password was set by the admin");
    return toView(await requireAgent(agent));
  });
  router.on('DELETE', '/api/agents/:agent/password', async ({ req, params }): Promise<PasswordView> => {
    await auth.require(req, 'admin');
    const agent = params.agent!;
    await requireAgent(agent);
    await credentials.clearPassword(account, agent);
    await deps.sessions.revokeAgent(account, agent);
    logger.info({ agent }, "an agent's password was removed by the admin");
    return toView(await requireAgent(agent));
  });

  router.on('POST', '/api/agents/:agent/invite', async ({ req, params }): Promise<InviteLink> => {
    await auth.require(req, 'admin');
    const agent = params.agent!;
    const body = await optionalJson(req, s.inviteBody);
    const invite = await credentials.createInvite(account, agent, body.ttlMs ?? s.DEFAULT_INVITE_TTL_MS, clock());
    if (!invite) throw codedHttpError(404, 'unknown_agent', `no agent ${agent} in this account`);
    logger.info({ agent, expiresAt: invite.expiresAt }, 'invite link made for an agent');
    return { agent, url: `${deps.uiOrigin()}/#invite=${invite.code}`, expiresAt: invite.expiresAt };
  });

  // No bearer token: the invite's code is the credential, good once.
  router.on('POST', '/api/invites/check', async ({ req }): Promise<InviteInfo> => {
    const body = await readJson(req, s.inviteCheckBody);
    const invite = await credentials.inviteFor(account, body.code, clock());
    const agent = invite ? await directory.getAgent(account, invite.agent) : null;
    if (!invite || !agent) throw codedHttpError(401, 'invite_invalid', INVITE_INVALID);
    return { agent: agent.id, name: agent.name, expiresAt: invite.expiresAt };
  });
  router.on('POST', '/api/invites/accept', async ({ req }): Promise<SigninSession> => {
    const body = await readJson(req, s.inviteAcceptBody);
    const agent = await credentials.acceptInvite(account, body.code, body.password, clock());
    if (agent === null) throw codedHttpError(401, 'invite_invalid', INVITE_INVALID);
    logger.info({ agent }, 'agent chose a password through an invite link');
    return startSession(agent);
  });
}
