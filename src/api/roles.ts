import type { Directory } from '../domain/directory/Directory';
import type { Principal } from './auth';
import { codedHttpError } from './http';

/**
 * Whether a token sees everyone's figures: the admin token, and an agent marked `supervisor` in
 * the directory. Read per request, so a change of role applies to open sessions at once.
 */
export async function seesTeam(directory: Directory, principal: Principal): Promise<boolean> {
  if (principal.kind === 'admin') return true;
  return (await directory.getAgent(principal.account, principal.agent))?.supervisor ?? false;
}

/**
 * The `agent` filter GET /api/stats runs with. Supervisors and the admin: the one named, or
 * everyone (undefined). Any other agent: only themselves; naming someone else is a 403.
 */
export async function statsAgentFor(directory: Directory, principal: Principal, named: string | undefined): Promise<string | undefined> {
  if (principal.kind === 'admin' || (await seesTeam(directory, principal))) return named;
  const self = principal.agent;
  if (named !== undefined && named !== self) {
    throw codedHttpError(403, 'not_your_figures', `only a supervisor sees another agent's figures; ${self} sees their own`);
  }
  return self;
}
