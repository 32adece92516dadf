import { GroupCommit } from '../groupCommit';
import { migrate, transactionRunner, type SqliteDatabase, type TransactionRunner } from '../database';
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
import { callAsStarted } from '../../../domain/calllog/rows';
import { finaliseCallRows } from './finalise';
import { applyClaim, applyClose, applyMissedCall, listMissedViews, openMissedViews } from './missed';
import { applyAnswered, applyHold, applyLegEnded, applyRinging, applyTransfer } from './mutations';
import { agentStats, agentsOnCall, hourlyStats, listCallViews, openCallOf } from './queries';
import { callView, createContext, getCallRow, missedView, targetsOf, toCallView, type CallLogContext, type ContactLookup, type ContactSearch } from './rows';
import { CALLLOG_MIGRATIONS, CALLLOG_SCHEMA } from './schema';
import { callVisible } from './visibility';

/** An event's handled marker: a processed-event row of its own op, 'mark'. */
const MARK_PROCESSED = `INSERT OR IGNORE INTO cl_processed_events (event_id, op, at) VALUES (?, 'mark', ?)`;

export interface SqliteCallLogOptions {
  /** Fills `contact` on call views (e.g. contactLookupFor(directory)); without it `contact` is null. */
  contactLookup?: ContactLookup;
  /** Lets the free-text search `q` find calls by contact name (contactHooksFor(directory) gives both). */
  contactSearch?: ContactSearch;
  /** The seat's IANA zone: statistics are kept per local day of it (default UTC; the server passes RINGSIDE_TIMEZONE). */
  timeZone?: string;
  /**
   * Commits the writes of one event-loop turn together (shared/groupCommit.ts): for a process
   * with many handlers in flight. Off, every write is its own transaction, committed at once.
   */
  groupCommit?: boolean;
  /** The clock handled markers are stamped with (when they were written); Date.now by default. */
  clock?: () => number;
}

/** Handled markers deleted per transaction when pruning, so no prune holds the file for long. */
const MARKER_PRUNE_CHUNK = 5_000;

/**
 * The call log on the shared SQLite database (opened and closed by the caller). Every mutation
 * is one IMMEDIATE transaction, so several processes on the same file serialise cleanly.
 *
 * Idempotency markers are kept per (eventId, operation): the same eventId given to two
 * different operations (say recordLegEnded and finaliseCall for one hangup) applies both once;
 * the same operation again with that eventId changes nothing. A mutation on an unknown call
 * returns { applied: false, value: null } and leaves no marker. A marker carries when it was
 * written (the clock), not the event's time: it is kept for the redelivery window from its
 * handling (pruneHandledMarkers), however late the event was handled.
 */
export class SqliteCallLog implements CallLog {
  private readonly ctx: CallLogContext;
  private readonly group: GroupCommit | null;
  private readonly clock: () => number;
  private readonly runner: TransactionRunner;

  constructor(db: SqliteDatabase, options: SqliteCallLogOptions = {}) {
    migrate(db, CALLLOG_SCHEMA, CALLLOG_MIGRATIONS);
    this.ctx = createContext(db, options.contactLookup ?? null, options.contactSearch ?? null, options.timeZone ?? 'UTC');
    this.group = options.groupCommit ? new GroupCommit(db) : null;
    this.clock = options.clock ?? Date.now;
    this.runner = transactionRunner(db);
  }

  /** One IMMEDIATE transaction: at once, or with the turn's other writes under group commit. */
  private async transaction<T>(fn: () => T): Promise<T> {
    if (this.group) return this.group.run(fn);
    return this.runner.immediate(fn);
  }

  /**
   * Runs `apply` once per (eventId, op); a repeat returns `current()` with applied false. The
   * marker is written first, one statement that also says whether it was there; an unknown call
   * (apply gives null) takes it out again in the same transaction, so none is left.
   */
  private once<T>(eventId: string | null, op: string, apply: () => T | null, current: () => T | null): Promise<Applied<T | null>> {
    return this.transaction(() => {
      if (eventId !== null && this.ctx.sql('INSERT OR IGNORE INTO cl_processed_events (event_id, op, at) VALUES (?, ?, ?)').run(eventId, op, this.clock()).changes === 0) {
        return { applied: false, value: current() };
      }
      const value = apply();
      if (value !== null) return { applied: true, value };
      if (eventId !== null) this.ctx.sql('DELETE FROM cl_processed_events WHERE event_id = ? AND op = ?').run(eventId, op);
      return { applied: false, value: null };
    });
  }

  async hasProcessed(eventId: string): Promise<boolean> {
    return this.ctx.sql('SELECT 1 FROM cl_processed_events WHERE event_id = ? LIMIT 1').get(eventId) !== undefined;
  }

  async markProcessed(eventId: string): Promise<boolean> {
    return this.transaction(() => this.ctx.sql(MARK_PROCESSED).run(eventId, this.clock()).changes === 1);
  }

  async markAllProcessed(eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.transaction(() => {
      const at = this.clock();
      const mark = this.ctx.sql(MARK_PROCESSED);
      for (const eventId of eventIds) mark.run(eventId, at);
    });
  }

  async recordRinging(eventId: string, input: { call: CallStart; leg: LegStart; targets: string[] }): Promise<Applied<CallView>> {
    const { call } = input;
    const result = await this.once(
      eventId,
      'ringing',
      () => applyRinging(this.ctx, input),
      () => callView(this.ctx, call.account, call.id),
    );
    // A repeat whose call has since been pruned: describe the call as the event gave it.
    return { applied: result.applied, value: result.value ?? callAsStarted(call) };
  }

  async recordAnswered(
    eventId: string,
    input: { callId: string; account: string; mac: string; agent: string | null; at: number; owner: boolean },
  ): Promise<Applied<CallView | null>> {
    return this.once(eventId, 'answered', () => applyAnswered(this.ctx, input), () => callView(this.ctx, input.account, input.callId));
  }

  async recordLegEnded(
    eventId: string,
    input: { callId: string; account: string; mac: string; agent: string | null; outcome: LegOutcome; at: number },
  ): Promise<Applied<CallView | null>> {
    return this.once(eventId, 'leg_ended', () => applyLegEnded(this.ctx, input), () => callView(this.ctx, input.account, input.callId));
  }

  async recordHold(eventId: string, input: { callId: string; account: string; mac: string; on: boolean; at: number }): Promise<Applied<CallView | null>> {
    return this.once(eventId, 'hold', () => applyHold(this.ctx, input), () => callView(this.ctx, input.account, input.callId));
  }

  async recordTransfer(eventId: string, input: { callId: string; account: string; mac: string; at: number }): Promise<Applied<CallView | null>> {
    return this.once(eventId, 'transfer', () => applyTransfer(this.ctx, input), () => callView(this.ctx, input.account, input.callId));
  }

  async finaliseCall(eventId: string | null, input: { callId: string; account: string; status: CallStatus; endedAt: number }): Promise<Applied<CallView | null>> {
    return this.once(
      eventId,
      'finalize',
      () => {
        const call = getCallRow(this.ctx, input.account, input.callId);
        if (!call) return null;
        const finished = finaliseCallRows(this.ctx, call, input.status, input.endedAt);
        return toCallView(this.ctx, finished.call, finished.legs);
      },
      () => callView(this.ctx, input.account, input.callId),
    );
  }

  async recordMissedCall(input: { callId: string; account: string; at: number }): Promise<Applied<MissedCallView | null>> {
    return this.transaction(() => applyMissedCall(this.ctx, input));
  }

  async claimMissedCall(account: string, callId: string, agent: string, at: number): Promise<{ won: boolean; fresh: boolean; missed: MissedCallView } | null> {
    return this.transaction(() => applyClaim(this.ctx, account, callId, agent, at));
  }

  async closeMissedCalls(account: string, remote: string, by: string, at: number): Promise<MissedCallView[]> {
    return this.transaction(() => applyClose(this.ctx, account, remote, by, at));
  }

  async getCall(account: string, id: string, audience?: CallAudience): Promise<CallView | null> {
    if (audience !== undefined && !callVisible(this.ctx, account, id, audience)) return null;
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
    const ids = this.ctx
      .sql('SELECT id FROM cl_calls WHERE account = ? AND ended_at IS NULL AND started_at < ? ORDER BY started_at LIMIT ?')
      .pluck()
      .all(account, startedBefore, limit) as string[];
    return ids.flatMap((id) => callView(this.ctx, account, id) ?? []);
  }

  /**
   * Deletes calls started before the cut-off with their legs, targets, missed-call records and
   * statistics contributions. The daily statistics stay (aggregates without numbers or names).
   * Idempotency markers have their own, much shorter window: pruneHandledMarkers.
   */
  async prune(olderThan: number): Promise<number> {
    return this.transaction(() => {
      const old = 'SELECT account, id FROM cl_calls WHERE started_at < @olderThan';
      for (const table of ['cl_legs', 'cl_targets', 'cl_missed', 'cl_stat_contrib']) {
        this.ctx.sql(`DELETE FROM ${table} WHERE (account, call_id) IN (${old})`).run({ olderThan });
      }
      return this.ctx.sql('DELETE FROM cl_calls WHERE started_at < @olderThan').run({ olderThan }).changes;
    });
  }

  async pruneHandledMarkers(writtenBefore: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const changes = await this.transaction(() => this.ctx
        .sql('DELETE FROM cl_processed_events WHERE rowid IN (SELECT rowid FROM cl_processed_events WHERE at < ? LIMIT ?)')
        .run(writtenBefore, MARKER_PRUNE_CHUNK).changes);
      removed += changes;
      if (changes < MARKER_PRUNE_CHUNK) return removed;
      // Between chunks the event loop serves phones and agents (the first prune after an upgrade meets a year of markers).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The Database belongs to the caller (it is shared with the directory); nothing to release here. */
  async close(): Promise<void> {}
}
