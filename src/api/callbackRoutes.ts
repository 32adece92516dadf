import type { CallbackQueue } from '../domain/callback/CallbackQueue';
import { mayCallBack } from '../domain/callback/CallbackQueue';
import { audienceOf, pushMissedClaimed } from '../domain/calllog/audience';
import type { CallAudience, MissedCallView } from '../domain/calllog/CallLog';
import type { CallLog } from '../domain/calllog/CallLog';
import type { PushHub } from '../domain/push/PushHub';
import type { Principal } from './auth';
import { HttpError, codedHttpError, readJson } from './http';
import { callAudienceFor } from './roles';
import { dialForCallback, type PhoneRouteDeps } from './phoneRoutes';
import type { Router } from './router';
import * as s from '../protocol/rest';
import type { CallbackResult } from '../protocol/responses';

export interface CallbackRouteDeps extends PhoneRouteDeps {
  log: CallLog;
  push: PushHub;
  callbacks: CallbackQueue;
  clock: () => number;
}

/** The agent the request acts for: an agent's own session, or the admin naming one. */
function actingAgent(principal: Principal, named: string | undefined): string {
  if (principal.kind === 'agent') return principal.agent;
  if (!named) throw new HttpError(400, 'invalid input: agent is required with the admin token');
  return named;
}

/**
 * What both call-back endpoints do: find the acting agent (and the phone it names, which must be
 * its own: checked before anything is taken, so a refused request takes nothing), take a missed
 * call with `take` (ownership in the call log, atomic), tell those who see it (missedCallRecipients),
 * then dial it through the agent's phone. A failed dial keeps the ownership: the answer is still
 * 200 and `dial` says what happened. The answered call-back closes the missed call (CallLifecycle).
 */
async function callBack(
  deps: CallbackRouteDeps, principal: Principal, body: { agent?: string | undefined; mac?: string | undefined },
  take: (taker: CallAudience) => Promise<MissedCallView>,
): Promise<CallbackResult> {
  const { account } = principal;
  const agent = actingAgent(principal, body.agent);
  const profile = await deps.directory.getAgent(account, agent);
  if (!profile) throw new HttpError(404, `no agent ${agent}`);
  if (body.mac !== undefined && !profile.devices.includes(body.mac)) throw new HttpError(403, `phone ${body.mac} is not one of ${agent}'s phones`);
  const missed = await take(await audienceOf(deps.directory, account, agent));
  await pushMissedClaimed(deps, missed, deps.clock());
  const dial = await dialForCallback(deps, account, agent, missed.remote, body.mac);
  return { missed, dial };
}

/**
 * `POST /api/missed/next/callback`: the oldest open missed call the agent may call back, from
 * the call-back queue (404 `queue_empty` when none is left); `POST /api/missed/:id/callback`: that
 * one (404 when the token does not see it, as GET /api/missed would not list it; 403 when a
 * supervisor or the admin acts for an agent who may not call it back; 409 with who took it when
 * taken). May call back: it rang the agent, it came in on one of their helplines, or it rang
 * nobody in particular (isMissedCallFor in src/protocol/rules.ts).
 */
export function addCallbackRoutes(router: Router, deps: CallbackRouteDeps): void {
  const { auth, log, callbacks, clock } = deps;
  const bodyOf = async (req: Parameters<typeof readJson>[0]) => (req.headers['content-type']?.includes('json') ? readJson(req, s.callbackBody) : {});

  // Registered before `:id`, which would match `next`.
  router.on('POST', '/api/missed/next/callback', async ({ req }) => {
    const principal = await auth.require(req, 'any');
    return callBack(deps, principal, await bodyOf(req), async (taker) => {
      const missed = await callbacks.takeNext(principal.account, taker, clock());
      if (!missed) throw codedHttpError(404, 'queue_empty', `no open missed call is left for ${taker.agent} to call back`);
      return missed;
    });
  });

  router.on('POST', '/api/missed/:id/callback', async ({ req, params }) => {
    const principal = await auth.require(req, 'any');
    const { account } = principal;
    return callBack(deps, principal, await bodyOf(req), async (taker) => {
      const missed = await log.getMissed(account, params.id!);
      // A missed call the token does not see is not there for it (GET /api/calls/:id answers the same).
      const viewer = await callAudienceFor(deps.directory, principal);
      if (!missed || (viewer !== null && !mayCallBack(missed, viewer))) throw new HttpError(404, 'no such missed call');
      const agent = taker.agent;
      if (!mayCallBack(missed, taker)) throw new HttpError(403, `${agent} may not call this missed call back: it was for ${missed.line === 'helpline' ? `helpline ${missed.helpline}` : missed.targets.join(', ')}`);
      const result = await callbacks.claim(account, params.id!, agent, clock());
      if (!result) throw new HttpError(404, 'no such missed call');
      if (!result.won) throw new HttpError(409, `already taken by ${result.missed.owner}`, result.missed);
      return result.missed;
    });
  });
}
