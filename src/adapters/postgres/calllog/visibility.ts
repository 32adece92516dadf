import type { CallAudience } from '../../../domain/calllog/CallLog';
import type { PgCallLogContext } from './rows';
import { selectRow } from './sql';

/**
 * Which calls and missed calls an agent sees (CallAudience, docs/agent-api.md, Who sees what), in
 * SQL over `c` (cl_calls) and `m` (cl_missed): the rule of the SQLite call log
 * (src/adapters/sqlite/calllog/visibility.ts, where it is spelled out) in PostgreSQL's dialect.
 * The parameters are @viewer and @viewerHelplines (a text array): audienceParams.
 */

export function audienceParams(audience: CallAudience): Record<string, unknown> {
  return { viewer: audience.agent, viewerHelplines: [...audience.helplines] };
}

const ON_HELPLINE = `(c.line = 'helpline' AND c.helpline = ANY(@viewerHelplines::text[]))`;
const NOBODY_IN_PARTICULAR = `(c.line <> 'helpline' AND c.targeted = 0 AND c.agent IS NULL)`;
const OFFERED = 'EXISTS (SELECT 1 FROM cl_targets vt WHERE vt.account = c.account AND vt.call_id = c.id AND vt.agent = @viewer)';

/** The call `c` is the viewer's. */
const CALL_VISIBLE = `(c.agent = @viewer
  OR EXISTS (SELECT 1 FROM cl_legs vl WHERE vl.account = c.account AND vl.call_id = c.id AND vl.agent = @viewer)
  OR ${OFFERED} OR ${ON_HELPLINE} OR ${NOBODY_IN_PARTICULAR})`;

/** The missed call of `c` is one the viewer deals with (and may call back). */
export const MISSED_VISIBLE = `(${OFFERED} OR ${ON_HELPLINE} OR ${NOBODY_IN_PARTICULAR})`;

/** Whether the viewer sees the call (false for an unknown call too). */
export async function callVisible(ctx: PgCallLogContext, account: string, id: string, audience: CallAudience): Promise<boolean> {
  const row = await selectRow(ctx.db, `SELECT 1 FROM cl_calls c WHERE c.account = @account AND c.id = @id AND ${CALL_VISIBLE}`, { account, id, ...audienceParams(audience) });
  return row !== null;
}

/**
 * The call list's branches: each a `SELECT c.* ... WHERE <filters> AND <clause>` that an index of
 * its own serves, together exactly CALL_VISIBLE, so an agent's page costs their own calls, not the
 * account's. `filters` is over `c` and includes `c.account = @account`.
 */
export function callBranches(filters: string): string[] {
  return [
    `SELECT c.* FROM cl_calls c WHERE ${filters} AND c.agent = @viewer`,
    `SELECT c.* FROM cl_calls c WHERE ${filters} AND c.id IN (SELECT call_id FROM cl_legs WHERE account = @account AND agent = @viewer)`,
    `SELECT c.* FROM cl_calls c WHERE ${filters} AND c.id IN (SELECT call_id FROM cl_targets WHERE account = @account AND agent = @viewer)`,
    `SELECT c.* FROM cl_calls c WHERE ${filters} AND ${ON_HELPLINE}`,
    `SELECT c.* FROM cl_calls c WHERE ${filters} AND ${NOBODY_IN_PARTICULAR}`,
  ];
}
