import { normaliseNumber } from '../../../domain/directory/numbers';
import type { AgentStats, CallQuery, CallStatus, CallView, HourlyStats, StatsDays } from '../../../domain/calllog/CallLog';
import { dayBounds } from '../../../protocol/days';
import { decodeCursor, likePattern, MAX_CONTACT_MATCHES, pageOf } from '../../../domain/calllog/listing';
import { clampLimit, type CallRow } from '../../../domain/calllog/rows';
import { hourlyBuckets, toAgentStats, type StatsTotals } from '../../../domain/calllog/statistics';
import { callViews, type PgCallLogContext } from './rows';
import { selectRow, selectRows } from './sql';
import { audienceParams, callBranches } from './visibility';

/** The WHERE clauses of a call query over `c` (all but the audience), with their parameters. */
async function callFilters(ctx: PgCallLogContext, account: string, query: CallQuery): Promise<{ where: string[]; params: Record<string, unknown> }> {
  const where = ['c.account = @account'];
  const params: Record<string, unknown> = { account };
  const add = (clause: string, values: Record<string, unknown>) => {
    where.push(clause);
    Object.assign(params, values);
  };
  if (query.remote !== undefined) add('c.remote_norm = @remote', { remote: normaliseNumber(query.remote) });
  if (query.agent !== undefined) {
    add('(c.agent = @agent OR EXISTS (SELECT 1 FROM cl_legs l WHERE l.account = c.account AND l.call_id = c.id AND l.agent = @agent))', { agent: query.agent });
  }
  if (query.status !== undefined) add('c.status = @status', { status: query.status });
  if (query.direction !== undefined) add('c.direction = @direction', { direction: query.direction });
  if (query.from !== undefined) add('c.started_at >= @from', { from: query.from });
  if (query.to !== undefined) add('c.started_at < @to', { to: query.to });
  const q = query.q?.trim() ?? '';
  if (q !== '') {
    // ILIKE: case-insensitive as SQLite's LIKE is (for every letter, where SQLite's knows only ASCII).
    const terms = [`c.remote ILIKE @q ESCAPE '\\'`, `c.remote_name ILIKE @q ESCAPE '\\'`];
    params.q = likePattern(q);
    const number = normaliseNumber(q);
    if (/\d/.test(number)) {
      terms.push(`c.remote_norm LIKE @qNumber ESCAPE '\\'`);
      params.qNumber = likePattern(number);
    }
    const contacts = ctx.contactSearch ? (await ctx.contactSearch(account, q)).slice(0, MAX_CONTACT_MATCHES) : [];
    if (contacts.length > 0) {
      terms.push('c.remote_norm = ANY(@contactNumbers::text[])', 'c.remote_tail = ANY(@contactTails::text[])');
      params.contactNumbers = contacts.map((c) => c.number);
      params.contactTails = contacts.flatMap((c) => (c.tail === null ? [] : [c.tail]));
    }
    where.push(`(${terms.join(' OR ')})`);
  }
  if (query.cursor !== undefined && query.cursor !== '') {
    const cursor = decodeCursor(query.cursor);
    add('(c.started_at < @cursorAt OR (c.started_at = @cursorAt AND c.id < @cursorId))', { cursorAt: cursor.startedAt, cursorId: cursor.id });
  }
  return { where, params };
}

/**
 * Newest first (startedAt, then id, both descending), so a cursor is a strict position: the
 * SQLite call log's listing (src/adapters/sqlite/calllog/queries.ts, listCallViews) with the same
 * filters. With an `audience`, each way a call can be the agent's is a branch giving at most one
 * page in this order; their union in the same order is the page.
 */
export async function listCallViews(ctx: PgCallLogContext, account: string, query: CallQuery): Promise<{ items: CallView[]; next: string | null }> {
  const { where, params } = await callFilters(ctx, account, query);
  const limit = clampLimit(query.limit);
  params.limit = limit + 1;
  const order = 'ORDER BY c.started_at DESC, c.id DESC LIMIT @limit';
  const filters = where.join(' AND ');
  const sql = query.audience === undefined
    ? `SELECT c.* FROM cl_calls c WHERE ${filters} ${order}`
    : `SELECT c.* FROM (${callBranches(filters).map((branch) => `(${branch} ${order})`).join(' UNION ')}) c ${order}`;
  if (query.audience !== undefined) Object.assign(params, audienceParams(query.audience));
  const { page, next } = pageOf(await selectRows<CallRow>(ctx.db, sql, params), limit);
  return { items: await callViews(ctx, account, page), next };
}

/** Per agent over the local days `fromDay` to `toDay` (both included; either may be open). */
export async function agentStats(ctx: PgCallLogContext, account: string, query: StatsDays): Promise<AgentStats[]> {
  const where = ['account = @account'];
  if (query.fromDay !== undefined) where.push('day >= @fromDay');
  if (query.toDay !== undefined) where.push('day <= @toDay');
  if (query.agent !== undefined) where.push('agent = @agent');
  const sum = (column: string) => `SUM(${column})::bigint AS ${column}`;
  // A view summing the kept calls' contributions and what prune folded in (schema.ts).
  const rows = await selectRows<StatsTotals>(
    ctx.db,
    `SELECT agent, ${['offered', 'answered', 'missed', 'ring_ms_total', 'ring_count', 'talk_ms_total', 'talk_count', 'outgoing', 'outgoing_answered', 'outgoing_talk_ms'].map(sum).join(', ')}
     FROM cl_agent_daily_stats WHERE ${where.join(' AND ')} GROUP BY agent ORDER BY agent`,
    { account, ...query },
  );
  return rows.map(toAgentStats);
}

/** Agents talking on a live call (answered leg not ended), and the owners of live outgoing calls. */
export async function agentsOnCall(ctx: PgCallLogContext, account: string): Promise<string[]> {
  const rows = await selectRows<{ agent: string }>(
    ctx.db,
    `SELECT l.agent FROM cl_legs l JOIN cl_calls c ON c.account = l.account AND c.id = l.call_id
       WHERE l.account = @account AND l.agent IS NOT NULL AND l.answered_at IS NOT NULL AND l.ended_at IS NULL AND c.ended_at IS NULL
     UNION
     SELECT agent FROM cl_calls WHERE account = @account AND ended_at IS NULL AND direction = 'out' AND agent IS NOT NULL
     ORDER BY 1`,
    { account },
  );
  return rows.map((r) => r.agent);
}

/** The newest unfinished call of a remote (CallLog.openCallOf), matched as the phone sent it. */
export async function openCallOf(ctx: PgCallLogContext, account: string, input: { remote: string; since: number; mac?: string }): Promise<CallView | null> {
  const row = await selectRow<CallRow>(
    ctx.db,
    `SELECT c.* FROM cl_calls c
     WHERE c.account = @account AND c.remote_norm = @norm AND c.remote = @remote AND c.started_at >= @since
       AND c.ended_at IS NULL AND c.status IN ('ringing', 'in_progress')
       AND (@mac::text IS NULL OR EXISTS (SELECT 1 FROM cl_legs l WHERE l.account = c.account AND l.call_id = c.id AND l.mac = @mac))
     ORDER BY c.started_at DESC, c.id DESC LIMIT 1`,
    { account, norm: normaliseNumber(input.remote), remote: input.remote, since: input.since, mac: input.mac ?? null },
  );
  return row ? ((await callViews(ctx, account, [row]))[0] ?? null) : null;
}

/** Answered and missed incoming calls per local hour of one day (hourlyBuckets: the rule). */
export async function hourlyStats(ctx: PgCallLogContext, account: string, query: { day: string; agent?: string }): Promise<HourlyStats['hours']> {
  const { start, end } = dayBounds(query.day, ctx.timeZone);
  const rows = await selectRows<{ started_at: number; status: CallStatus; answered_by: boolean; rang: boolean }>(
    ctx.db,
    `SELECT c.started_at, c.status,
       EXISTS (SELECT 1 FROM cl_legs l WHERE l.account = c.account AND l.call_id = c.id AND l.agent = @agent::text AND l.answered_at IS NOT NULL) AS answered_by,
       EXISTS (SELECT 1 FROM cl_targets t WHERE t.account = c.account AND t.call_id = c.id AND t.agent = @agent::text) AS rang
     FROM cl_calls c
     WHERE c.account = @account AND c.direction = 'in' AND c.started_at >= @start AND c.started_at < @end
       AND c.status IN ('answered', 'missed', 'in_progress')`,
    { account, agent: query.agent ?? null, start, end },
  );
  const calls = rows.map((row) => ({ startedAt: row.started_at, status: row.status, answeredBy: row.answered_by, rang: row.rang }));
  return hourlyBuckets(calls, ctx.timeZone, query.agent !== undefined);
}

/** Calls not ended yet that started before the cut-off, oldest first. */
export async function unfinishedCallViews(ctx: PgCallLogContext, account: string, startedBefore: number, limit: number): Promise<CallView[]> {
  const rows = await selectRows<CallRow>(
    ctx.db,
    'SELECT * FROM cl_calls WHERE account = @account AND ended_at IS NULL AND started_at < @startedBefore ORDER BY started_at LIMIT @limit',
    { account, startedBefore, limit },
  );
  return callViews(ctx, account, rows);
}
