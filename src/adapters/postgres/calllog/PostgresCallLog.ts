import { migrate, transaction, type PostgresClient, type PostgresPool } from '../database';
import type { LegOutcome } from '../../../domain/callstate/CallStateStore';
import type {
  AgentStats,
  Applied,
  CallAudience,
  CallLog,
  CallQuery,
  CallStart,
  CallStatus,
  CallView,
  HourlyStats,
  LegStart,
  MissedCallView,
  MissedStatus,
  StatsDays,
} from '../../../domain/calllog/CallLog';
import type { PostgresContactLookup, PostgresContactSearch } from '../../../domain/calllog/contactHooks';
import { callAsStarted, type CallRow } from '../../../domain/calllog/rows';
import { finaliseCallRows } from './finalise';
import { applyClaim, applyClose, applyMissedCall, listMissedViews, openMissedViews } from './missed';
import { applyAnswered, applyHold, applyLegEnded, applyRinging, applyTransfer } from './mutations';
import { agentStats, agentsOnCall, hourlyStats, listCallViews, openCallOf, unfinishedCallViews } from './queries';
import { callView, getCallRow, legRows, markAndLock, missedView, targetsOf, unmark, viewOf, type PgCallLogContext } from './rows';
import { CALLLOG_PG_MIGRATIONS } from './schema';
import { execute, selectRow } from './sql';
import { callVisible } from './visibility';

export interface PostgresCallLogOptions {
  /** Fills `contact` on call views, one lookup per page (the PostgreSQL directory's hooks); without it `contact` is null. */
  contactLookup?: PostgresContactLookup;
  /** Lets the free-text search `q` find calls by contact name. */
  contactSearch?: PostgresContactSearch;
  /** The seat's IANA zone: statistics are kept per local day of it (default UTC). */
  timeZone?: string;
  /** The clock handled markers are stamped with (when they were written); Date.now by default. */
  clock?: () => number;
}

/** The contributions of the calls `@old` selects, added to the daily statistics that outlive them. */
const FOLD_PRUNED_CONTRIBUTIONS = `
  INSERT INTO cl_agent_daily_stats_pruned AS s (account, day, agent, offered, answered, missed, ring_ms_total, ring_count, talk_ms_total, talk_count,
    outgoing, outgoing_answered, outgoing_talk_ms)
  SELECT account, day, agent, SUM(offered), SUM(answered), SUM(missed), SUM(ring_ms), SUM(ring_count), SUM(talk_ms), SUM(talk_count),
    SUM(outgoing), SUM(outgoing_answered), SUM(outgoing_talk_ms)
  FROM cl_stat_contrib WHERE (account, call_id) IN (@old)
  GROUP BY account, day, agent
  ON CONFLICT (account, day, agent) DO UPDATE SET
    offered = s.offered + excluded.offered, answered = s.answered + excluded.answered, missed = s.missed + excluded.missed,
    ring_ms_total = s.ring_ms_total + excluded.ring_ms_total, ring_count = s.ring_count + excluded.ring_count,
    talk_ms_total = s.talk_ms_total + excluded.talk_ms_total, talk_count = s.talk_count + excluded.talk_count,
    outgoing = s.outgoing + excluded.outgoing, outgoing_answered = s.outgoing_answered + excluded.outgoing_answered,
    outgoing_talk_ms = s.outgoing_talk_ms + excluded.outgoing_talk_ms`;

/** Handled markers deleted per transaction when pruning, so no prune holds locks for long. */
const MARKER_PRUNE_CHUNK = 5_000;

/**
 * The call log on PostgreSQL (RINGSIDE_DATABASE=postgres://…), shared by every server of a call
 * center: the behaviour of SqliteCallLog (its comment says what), for writers on several machines.
 * Every mutation is one transaction (database.ts `transaction`, run again after a deadlock).
 * Its idempotency marker is inserted first (`ON CONFLICT DO NOTHING`): a second server handling
 * the same redelivery waits on that row and then finds it, so the event applies once. Each
 * mutation of a call locks the call's row (`FOR UPDATE`) before reading it. The pool belongs to
 * the caller. docs/architecture.md, PostgreSQL.
 */
export class PostgresCallLog implements CallLog {
  private constructor(
    private readonly pool: PostgresPool,
    private readonly ctx: PgCallLogContext,
    private readonly clock: () => number,
  ) {}

  /** Migrates the call log's tables (under the migration lock: several servers may start at once) and opens it. */
  static async open(pool: PostgresPool, options: PostgresCallLogOptions = {}): Promise<PostgresCallLog> {
    await migrate(pool, 'calllog', CALLLOG_PG_MIGRATIONS);
    const ctx: PgCallLogContext = { db: pool, contactLookup: options.contactLookup ?? null, contactSearch: options.contactSearch ?? null, timeZone: options.timeZone ?? 'UTC' };
    return new PostgresCallLog(pool, ctx, options.clock ?? Date.now);
  }

  private transaction<T>(fn: (ctx: PgCallLogContext) => Promise<T>): Promise<T> {
    return transaction(this.pool, (client: PostgresClient) => fn({ ...this.ctx, db: client }));
  }

  /**
   * Runs `apply` once per (eventId, op) on the call's row, locked: the marker is written in the
   * statement that locks the row (rows.ts markAndLock). A repeat gives the call as it is, with
   * applied false; an unknown call gives null and leaves no marker.
   */
  private onceOnCall(
    eventId: string,
    op: string,
    key: { account: string; callId: string },
    apply: (ctx: PgCallLogContext, call: CallRow) => Promise<CallView>,
  ): Promise<Applied<CallView | null>> {
    return this.transaction(async (ctx) => {
      const marker = { eventId, op, at: this.clock() };
      const { marked, row } = await markAndLock(ctx, marker, key.account, key.callId);
      if (!row) {
        if (marked) await unmark(ctx, marker);
        return { applied: false, value: null };
      }
      if (!marked) return { applied: false, value: await viewOf(ctx, row, await legRows(ctx, key.account, key.callId)) };
      return { applied: true, value: await apply(ctx, row) };
    });
  }

  async hasProcessed(eventId: string): Promise<boolean> {
    return (await selectRow(this.pool, 'SELECT 1 FROM cl_processed_events WHERE event_id = @eventId LIMIT 1', { eventId })) !== null;
  }

  async markProcessed(eventId: string): Promise<boolean> {
    const marked = await execute(this.pool, `INSERT INTO cl_processed_events (event_id, op, at) VALUES (@eventId, 'mark', @at) ON CONFLICT DO NOTHING`, { eventId, at: this.clock() });
    return marked === 1;
  }

  async markAllProcessed(eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await execute(
      this.pool,
      `INSERT INTO cl_processed_events (event_id, op, at) SELECT event_id, 'mark', @at FROM unnest(@eventIds::text[]) AS given (event_id) ON CONFLICT DO NOTHING`,
      { eventIds: [...eventIds], at: this.clock() },
    );
  }

  async recordRinging(eventId: string, input: { call: CallStart; leg: LegStart; targets: string[] }): Promise<Applied<CallView>> {
    const { call } = input;
    return this.transaction(async (ctx) => {
      const applied = await applyRinging(ctx, { eventId, op: 'ringing', at: this.clock() }, input);
      if (applied) return { applied: true, value: applied };
      // A repeat: the call as it is, or, when it has since been pruned, as the event gave it.
      return { applied: false, value: (await callView(ctx, call.account, call.id)) ?? callAsStarted(call) };
    });
  }

  async recordAnswered(
    eventId: string,
    input: { callId: string; account: string; mac: string; agent: string | null; at: number; owner: boolean },
  ): Promise<Applied<CallView | null>> {
    return this.onceOnCall(eventId, 'answered', input, (ctx, call) => applyAnswered(ctx, call, input));
  }

  async recordLegEnded(
    eventId: string,
    input: { callId: string; account: string; mac: string; agent: string | null; outcome: LegOutcome; at: number },
  ): Promise<Applied<CallView | null>> {
    return this.onceOnCall(eventId, 'leg_ended', input, (ctx, call) => applyLegEnded(ctx, call, input));
  }

  async recordHold(eventId: string, input: { callId: string; account: string; mac: string; on: boolean; at: number }): Promise<Applied<CallView | null>> {
    return this.onceOnCall(eventId, 'hold', input, (ctx, call) => applyHold(ctx, call, input));
  }

  async recordTransfer(eventId: string, input: { callId: string; account: string; mac: string; at: number }): Promise<Applied<CallView | null>> {
    return this.onceOnCall(eventId, 'transfer', input, (ctx, call) => applyTransfer(ctx, call, input));
  }

  async finaliseCall(eventId: string | null, input: { callId: string; account: string; status: CallStatus; endedAt: number }): Promise<Applied<CallView | null>> {
    const finalise = async (ctx: PgCallLogContext, call: CallRow) => {
      const { row, legs } = await finaliseCallRows(ctx, call, input.status, input.endedAt);
      return viewOf(ctx, row, legs);
    };
    if (eventId !== null) return this.onceOnCall(eventId, 'finalize', input, finalise);
    return this.transaction(async (ctx) => {
      const call = await getCallRow(ctx, input.account, input.callId, true);
      return call ? { applied: true, value: await finalise(ctx, call) } : { applied: false, value: null };
    });
  }

  async recordMissedCall(input: { callId: string; account: string; at: number }): Promise<Applied<MissedCallView | null>> {
    return this.transaction((ctx) => applyMissedCall(ctx, input));
  }

  async claimMissedCall(account: string, callId: string, agent: string, at: number): Promise<{ won: boolean; fresh: boolean; missed: MissedCallView } | null> {
    return this.transaction((ctx) => applyClaim(ctx, account, callId, agent, at));
  }

  /** One UPDATE on its own, then the views of what it closed: no transaction around them to pay two more round trips for. */
  async closeMissedCalls(account: string, remote: string, by: string, at: number): Promise<MissedCallView[]> {
    return applyClose(this.ctx, account, remote, by, at);
  }

  async getCall(account: string, id: string, audience?: CallAudience): Promise<CallView | null> {
    if (audience !== undefined && !(await callVisible(this.ctx, account, id, audience))) return null;
    return callView(this.ctx, account, id);
  }

  async listCalls(account: string, query: CallQuery): Promise<{ items: CallView[]; next: string | null }> {
    return listCallViews(this.ctx, account, query);
  }

  async listMissed(account: string, query: { status?: MissedStatus; limit?: number; audience?: CallAudience }): Promise<MissedCallView[]> {
    return listMissedViews(this.ctx, account, query);
  }

  async getMissed(account: string, callId: string): Promise<MissedCallView | null> {
    return missedView(this.ctx, account, callId);
  }

  async openMissedCalls(account: string): Promise<MissedCallView[]> {
    return openMissedViews(this.ctx, account);
  }

  async stats(account: string, query: StatsDays): Promise<AgentStats[]> {
    return agentStats(this.ctx, account, query);
  }

  async hourlyStats(account: string, query: { day: string; agent?: string }): Promise<HourlyStats['hours']> {
    return hourlyStats(this.ctx, account, query);
  }

  get timeZone(): string {
    return this.ctx.timeZone;
  }

  async targetsOf(account: string, callId: string): Promise<string[]> {
    return targetsOf(this.ctx, account, callId);
  }

  async agentsOnCall(account: string): Promise<string[]> {
    return agentsOnCall(this.ctx, account);
  }

  async openCallOf(account: string, input: { remote: string; since: number; mac?: string }): Promise<CallView | null> {
    return openCallOf(this.ctx, account, input);
  }

  async unfinishedCalls(account: string, startedBefore: number, limit = 200): Promise<CallView[]> {
    return unfinishedCallViews(this.ctx, account, startedBefore, limit);
  }

  /**
   * Deletes calls started before the cut-off with their legs, targets, missed-call records and
   * statistics contributions, whose sums are first added to the daily statistics (they stay);
   * the markers have their own window.
   */
  async prune(olderThan: number): Promise<number> {
    return this.transaction(async (ctx) => {
      const old = 'SELECT account, id FROM cl_calls WHERE started_at < @olderThan';
      await execute(ctx.db, FOLD_PRUNED_CONTRIBUTIONS.replace('@old', old), { olderThan });
      for (const table of ['cl_legs', 'cl_targets', 'cl_missed', 'cl_stat_contrib']) {
        await execute(ctx.db, `DELETE FROM ${table} WHERE (account, call_id) IN (${old})`, { olderThan });
      }
      return execute(ctx.db, 'DELETE FROM cl_calls WHERE started_at < @olderThan', { olderThan });
    });
  }

  async pruneHandledMarkers(writtenBefore: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const changes = await execute(
        this.pool,
        `DELETE FROM cl_processed_events WHERE (event_id, op) IN
           (SELECT event_id, op FROM cl_processed_events WHERE at < @writtenBefore LIMIT @chunk)`,
        { writtenBefore, chunk: MARKER_PRUNE_CHUNK },
      );
      removed += changes;
      if (changes < MARKER_PRUNE_CHUNK) return removed;
    }
  }

  /** The pool belongs to the caller (the directory and the other stores share it); nothing to release here. */
  async close(): Promise<void> {}
}
