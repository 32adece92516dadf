import type { CallAudience } from '../../../domain/calllog/CallLog';
import type { CallLogContext } from './rows';

/**
 * Which calls and missed calls an agent sees (CallAudience, docs/agent-api.md, Who sees what), in
 * SQL over `c` (cl_calls) and `m` (cl_missed). The parameters are @viewer (the agent) and
 * @viewerHelplines (a JSON array of the helplines they belong to): audienceParams.
 *
 * A call is theirs when
 *   - they own it (answered it last, or placed it): c.agent;
 *   - a leg of it rang or was answered on their phone: cl_legs.agent;
 *   - it was offered to them (the popup): cl_targets.agent;
 *   - it came in on a helpline they belong to;
 *   - it rang nobody in particular: not a helpline call, offered to nobody, owned by nobody.
 * A missed call is theirs when it was offered to them, came in on a helpline they belong to, or
 * rang nobody in particular: isMissedCallFor (src/protocol/rules.ts) with their helplines, and
 * always one of their calls.
 *
 * The per-row forms serve one call and the missed-call list; the call list runs each clause as a
 * branch of its own on its own index (callBranches), so an agent's page costs their own calls,
 * not the account's.
 */

export function audienceParams(audience: CallAudience): Record<string, unknown> {
  return { viewer: audience.agent, viewerHelplines: JSON.stringify(audience.helplines) };
}

const ON_HELPLINE = `(c.line = 'helpline' AND c.helpline IN (SELECT value FROM json_each(@viewerHelplines)))`;
const NOBODY_IN_PARTICULAR = `(c.line <> 'helpline' AND c.targeted = 0 AND c.agent IS NULL)`;
const OFFERED = 'EXISTS (SELECT 1 FROM cl_targets vt WHERE vt.account = c.account AND vt.call_id = c.id AND vt.agent = @viewer)';

/** The call `c` is the viewer's. */
export const CALL_VISIBLE = `(c.agent = @viewer
  OR EXISTS (SELECT 1 FROM cl_legs vl WHERE vl.account = c.account AND vl.call_id = c.id AND vl.agent = @viewer)
  OR ${OFFERED} OR ${ON_HELPLINE} OR ${NOBODY_IN_PARTICULAR})`;

/** The missed call of `c` is one the viewer deals with (and may call back). */
export const MISSED_VISIBLE = `(${OFFERED} OR ${ON_HELPLINE} OR ${NOBODY_IN_PARTICULAR})`;

/** Whether the viewer sees the call (false for an unknown call too). */
export function callVisible(ctx: CallLogContext, account: string, id: string, audience: CallAudience): boolean {
  return ctx.sql(`SELECT 1 FROM cl_calls c WHERE c.account = @account AND c.id = @id AND ${CALL_VISIBLE}`).get({ account, id, ...audienceParams(audience) }) !== undefined;
}

/** Above this many helplines, one branch for all of them instead of one each. */
const HELPLINE_BRANCHES = 16;

/**
 * The call list's branches: each a `SELECT c.* ... WHERE <filters> AND <clause>` over one index,
 * together exactly CALL_VISIBLE. `filters` is over `c` and includes `c.account = @account`.
 * Helpline branches name their helpline as @viewerHelpline<i> (branchParams).
 */
export function callBranches(filters: string, audience: CallAudience): string[] {
  const helplines = audience.helplines.length <= HELPLINE_BRANCHES
    ? audience.helplines.map((_, i) => `SELECT c.* FROM cl_calls c WHERE ${filters} AND c.line = 'helpline' AND c.helpline = @viewerHelpline${i}`)
    : [`SELECT c.* FROM cl_calls c WHERE ${filters} AND ${ON_HELPLINE}`];
  return [
    // INDEXED BY: left to itself the planner walks the account's calls in order (cl_calls_started) looking for the agent's.
    `SELECT c.* FROM cl_calls c INDEXED BY cl_calls_agent WHERE ${filters} AND c.agent = @viewer`,
    // CROSS JOIN: from the viewer's few legs and targets to their calls, never the other way round.
    `SELECT c.* FROM (SELECT DISTINCT call_id FROM cl_legs WHERE account = @account AND agent = @viewer) v
       CROSS JOIN cl_calls c ON c.account = @account AND c.id = v.call_id WHERE ${filters}`,
    `SELECT c.* FROM (SELECT call_id FROM cl_targets WHERE account = @account AND agent = @viewer) v
       CROSS JOIN cl_calls c ON c.account = @account AND c.id = v.call_id WHERE ${filters}`,
    ...helplines,
    `SELECT c.* FROM cl_calls c WHERE ${filters} AND c.targeted = 0 AND c.agent IS NULL AND c.line <> 'helpline'`,
  ];
}

export function branchParams(audience: CallAudience): Record<string, unknown> {
  const params = audienceParams(audience);
  if (audience.helplines.length <= HELPLINE_BRANCHES) audience.helplines.forEach((number, i) => (params[`viewerHelpline${i}`] = number));
  return params;
}
