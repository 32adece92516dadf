import { normaliseNumber } from '../../../domain/directory/numbers';
import type { AgentStats, CallQuery, CallStatus, CallView, HourlyStats, StatsDays } from '../../../domain/calllog/CallLog';
import { dayBounds } from '../../../protocol/days';
import { decodeCursor, likePattern, MAX_CONTACT_MATCHES, pageOf } from '../../../domain/calllog/listing';
import { hourlyBuckets, toAgentStats, type StatsTotals } from '../../../domain/calllog/statistics';
import { CALL_COLUMNS, callRow, callViews, clampLimit, type CallLogContext, type CallRow } from './rows';
import { branchParams, callBranches } from './visibility';

/**
 * Newest first (startedAt, then id, both descending), so a cursor is a strict position and
 * pages never repeat or skip a call even when several start in the same millisecond.
 * `from` is inclusive and `to` exclusive; `remote` matches the normalised number exactly;
 * `agent` is the owner or any leg's agent; `q` is a substring of the number (as given or
 * normalised) or the remote name, or names a contact whose number the call has. With an
 * `audience`, only the calls that agent sees (visibility.ts), filtered the same way.
 */
export function listCallViews(ctx: CallLogContext, account: string, query: CallQuery): { items: CallView[]; next: string | null } {
  const where = ['c.account = @account'];
  const params: Record<string, unknown> = { account };
  if (query.remote !== undefined) {
    where.push('c.remote_norm = @remote');
    params.remote = normaliseNumber(query.remote);
  }
  if (query.agent !== undefined) {
    where.push('(c.agent = @agent OR EXISTS (SELECT 1 FROM cl_legs l WHERE l.account = c.account AND l.call_id = c.id AND l.agent = @agent))');
    params.agent = query.agent;
  }
  if (query.status !== undefined) {
    where.push('c.status = @status');
    params.status = query.status;
  }
  if (query.direction !== undefined) {
    where.push('c.direction = @direction');
    params.direction = query.direction;
  }
  if (query.from !== undefined) {
    where.push('c.started_at >= @from');
    params.from = query.from;
  }
  if (query.to !== undefined) {
    where.push('c.started_at < @to');
    params.to = query.to;
  }
  const q = query.q?.trim() ?? '';
  if (q !== '') {
    const terms = [`c.remote LIKE @q ESCAPE '\\'`, `c.remote_name LIKE @q ESCAPE '\\'`];
    params.q = likePattern(q);
    const number = normaliseNumber(q);
    if (/\d/.test(number)) {
      terms.push(`c.remote_norm LIKE @qNumber ESCAPE '\\'`);
      params.qNumber = likePattern(number);
    }
    const contacts = ctx.contactSearch ? ctx.contactSearch(account, q).slice(0, MAX_CONTACT_MATCHES) : [];
    if (contacts.length > 0) {
      terms.push('c.remote_norm IN (SELECT value FROM json_each(@contactNumbers))');
      terms.push('c.remote_tail IN (SELECT value FROM json_each(@contactTails))');
      params.contactNumbers = JSON.stringify(contacts.map((c) => c.number));
      params.contactTails = JSON.stringify(contacts.flatMap((c) => (c.tail === null ? [] : [c.tail])));
    }
    where.push(`(${terms.join(' OR ')})`);
  }
  if (query.cursor !== undefined && query.cursor !== '') {
    const cursor = decodeCursor(query.cursor);
    where.push('(c.started_at < @cursorAt OR (c.started_at = @cursorAt AND c.id < @cursorId))');
    params.cursorAt = cursor.startedAt;
    params.cursorId = cursor.id;
  }
  const limit = clampLimit(query.limit);
  params.limit = limit + 1;
  const order = 'ORDER BY c.started_at DESC, c.id DESC LIMIT @limit';
  const filters = where.join(' AND ');
  // An agent's calls (visibility.ts): each way a call can be theirs is a branch with its own
  // index, each giving at most one page in this order; their union in the same order is the page.
  const sql = query.audience === undefined
    ? `SELECT c.* FROM cl_calls c WHERE ${filters} ${order}`
    : `SELECT c.* FROM (${callBranches(filters, query.audience).map((branch) => `SELECT * FROM (${branch} ${order})`).join(' UNION ')}) c ${order}`;
  if (query.audience !== undefined) Object.assign(params, branchParams(query.audience));
  const { page, next } = pageOf(ctx.db.prepare(sql).all(params) as CallRow[], limit);
  return { items: callViews(ctx, account, page), next };
}

/**
 * Per agent over the local days `fromDay` to `toDay` (`YYYY-MM-DD`, both included; either may be
 * open); averages are null when there is nothing to average.
 */
export function agentStats(ctx: CallLogContext, account: string, query: StatsDays): AgentStats[] {
  const where = ['account = @account'];
  const params: Record<string, unknown> = { account };
  if (query.fromDay !== undefined) {
    where.push('day >= @fromDay');
    params.fromDay = query.fromDay;
  }
  if (query.toDay !== undefined) {
    where.push('day <= @toDay');
    params.toDay = query.toDay;
  }
  if (query.agent !== undefined) {
    where.push('agent = @agent');
    params.agent = query.agent;
  }
  const rows = ctx.db
    .prepare(
      `SELECT agent, SUM(offered) AS offered, SUM(answered) AS answered, SUM(missed) AS missed,
         SUM(ring_ms_total) AS ring_ms_total, SUM(ring_count) AS ring_count,
         SUM(talk_ms_total) AS talk_ms_total, SUM(talk_count) AS talk_count,
         SUM(outgoing) AS outgoing, SUM(outgoing_answered) AS outgoing_answered, SUM(outgoing_talk_ms) AS outgoing_talk_ms
       FROM cl_agent_daily_stats WHERE ${where.join(' AND ')} GROUP BY agent ORDER BY agent`,
    )
    .all(params) as StatsTotals[];
  return rows.map(toAgentStats);
}

/** Agents talking on a live call (answered leg not ended), and the owners of live outgoing calls. */
export function agentsOnCall(ctx: CallLogContext, account: string): string[] {
  return ctx
    .sql(
      // INDEXED BY: left to itself the planner took cl_legs_agent and walked every leg the
      // account ever had (presence runs this after each burst of call events).
      `SELECT l.agent FROM cl_legs l INDEXED BY cl_legs_open JOIN cl_calls c ON c.account = l.account AND c.id = l.call_id
         WHERE l.account = @account AND l.agent IS NOT NULL AND l.answered_at IS NOT NULL AND l.ended_at IS NULL AND c.ended_at IS NULL
       UNION
       SELECT agent FROM cl_calls WHERE account = @account AND ended_at IS NULL AND direction = 'out' AND agent IS NOT NULL
       ORDER BY 1`,
    )
    .pluck()
    .all({ account }) as string[];
}

/**
 * The newest unfinished call of a remote (see CallLog.openCallOf). The remote is matched as the
 * phone sent it, like the call state keys it; remote_norm only lets the index find it.
 */
export function openCallOf(ctx: CallLogContext, account: string, input: { remote: string; since: number; mac?: string }): CallView | null {
  const row = callRow(
    ctx,
    `SELECT ${CALL_COLUMNS} FROM cl_calls c
     WHERE c.account = @account AND c.remote_norm = @norm AND c.remote = @remote AND c.started_at >= @since
       AND c.ended_at IS NULL AND c.status IN ('ringing', 'in_progress')
       AND (@mac IS NULL OR EXISTS (SELECT 1 FROM cl_legs l WHERE l.account = c.account AND l.call_id = c.id AND l.mac = @mac))
     ORDER BY c.started_at DESC, c.id DESC LIMIT 1`,
    { account, norm: normaliseNumber(input.remote), remote: input.remote, since: input.since, mac: input.mac ?? null },
  );
  return row ? (callViews(ctx, account, [row])[0] ?? null) : null;
}

/**
 * Answered and missed incoming calls per local hour of one day, from the calls themselves (a call
 * counts in the hour it started; answered: it was answered, missed: its status is missed). With
 * an `agent`: the calls that agent answered (a leg of theirs) and the missed calls that rang
 * them; without: every incoming call of the account.
 */
export function hourlyStats(ctx: CallLogContext, account: string, query: { day: string; agent?: string }): HourlyStats['hours'] {
  const { start, end } = dayBounds(query.day, ctx.timeZone);
  const rows = ctx
    .sql(
      `SELECT c.started_at, c.status,
         EXISTS (SELECT 1 FROM cl_legs l WHERE l.account = c.account AND l.call_id = c.id AND l.agent = @agent AND l.answered_at IS NOT NULL) AS answered_by,
         EXISTS (SELECT 1 FROM cl_targets t WHERE t.account = c.account AND t.call_id = c.id AND t.agent = @agent) AS rang
       FROM cl_calls c
       WHERE c.account = @account AND c.direction = 'in' AND c.started_at >= @start AND c.started_at < @end
         AND c.status IN ('answered', 'missed', 'in_progress')`,
    )
    .all({ account, agent: query.agent ?? null, start, end }) as Array<{ started_at: number; status: string; answered_by: number; rang: number }>;
  const calls = rows.map((row) => ({ startedAt: row.started_at, status: row.status as CallStatus, answeredBy: row.answered_by === 1, rang: row.rang === 1 }));
  return hourlyBuckets(calls, ctx.timeZone, query.agent !== undefined);
}
