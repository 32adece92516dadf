import type { Statement } from 'better-sqlite3';
import { statementCache, transactionRunner, type SqliteDatabase, type TransactionRunner } from '../database';
import type { ActiveCall, Direction, TransferFingerprint } from '../../../domain/callstate/CallStateStore';
import { EXPIRING_TABLES } from './schema';
import type { EndedCall, LiveCall } from '../../../domain/callstate/legs';
import { TTL_MS } from '../../../domain/callstate/ttl';

interface ActiveRow {
  call_id: string; remote: string; claimed_by: string; direction: Direction; started_at: number; answered: number;
  answered_by: string | null; answered_at: number | null; legs: string; transfer: string | null; expires_at: number; last_end_at: number | null;
}
export interface RecentRow {
  call_id: string; direction: Direction; answered: number; answered_by: string | null; started_at: number; answered_at: number | null;
}
interface EndedRow extends RecentRow {
  claimed_by: string | null; legs: string | null; ended_at: number; expires_at: number;
}
interface TransferRow { id: number; remote: string; call_id: string; from_agent: string | null; from_mac: string; at: number }

/** Fingerprints are matched within a configurable window; older than this they are purged regardless. */
const TRANSFER_RETENTION_MS = TTL_MS.transferRetention;

/**
 * Row-level helpers of SqliteCallStateStore: each runs inside the caller's transaction
 * (see tx), with prepared statements cached by their SQL text.
 */
export class CallStateRows {
  /** Prepared statements, compiled once per SQL text (the connection's cache, shared with its other stores). */
  readonly sql: (source: string) => Statement<unknown[], unknown>;
  private readonly transaction: TransactionRunner;

  constructor(db: SqliteDatabase) {
    this.sql = statementCache(db);
    this.transaction = transactionRunner(db);
  }

  tx<T>(fn: () => T): T {
    return this.transaction.immediate(fn);
  }

  readCall(account: string, remote: string, now: number): LiveCall | null {
    const row = this.sql('SELECT * FROM cs_active WHERE account = ? AND remote = ? AND expires_at > ?').get(account, remote, now) as ActiveRow | undefined;
    if (!row) return null;
    return {
      callId: row.call_id, remote: row.remote, direction: row.direction, claimedBy: row.claimed_by, startedAt: row.started_at,
      answered: row.answered === 1, answeredBy: row.answered_by, answeredAt: row.answered_at,
      legs: JSON.parse(row.legs) as ActiveCall['legs'],
      transfer: row.transfer ? (JSON.parse(row.transfer) as TransferFingerprint) : null, expiresAt: row.expires_at,
      lastEndAt: row.last_end_at,
    };
  }

  /** The live call for the remote at `now`; an expired claim is dropped on the way. */
  live(account: string, remote: string, now: number): LiveCall | null {
    const call = this.readCall(account, remote, now);
    if (!call) this.sql('DELETE FROM cs_active WHERE account = ? AND remote = ? AND expires_at <= ?').run(account, remote, now);
    return call;
  }

  fresh(remote: string, callId: string, mac: string, direction: Direction, now: number): LiveCall {
    return {
      callId, remote, direction, claimedBy: mac, startedAt: now, answered: false, answeredBy: null, answeredAt: null,
      legs: {}, transfer: null, expiresAt: now + TTL_MS.ring, lastEndAt: null,
    };
  }

  /** A transferred call whose claim was already released (blind transfer): it continues with what was known of it. */
  continued(account: string, remote: string, callId: string, mac: string, direction: Direction, now: number): LiveCall {
    const call = this.fresh(remote, callId, mac, direction, now);
    const recent = this.sql('SELECT call_id, direction, answered, answered_by, started_at, answered_at FROM cs_recent WHERE account = ? AND call_id = ? AND expires_at > ?')
      .get(account, callId, now) as RecentRow | undefined;
    if (recent) {
      Object.assign(call, {
        direction: recent.direction, startedAt: recent.started_at, answered: recent.answered === 1,
        answeredBy: recent.answered_by, answeredAt: recent.answered_at,
      });
    }
    return call;
  }

  /** The call that ended last for the remote, among those not expired at `now`. */
  latestRecent(account: string, remote: string, now: number): EndedCall | null {
    const row = this.sql(`SELECT call_id, direction, answered, answered_by, started_at, answered_at, claimed_by, legs, ended_at, expires_at
      FROM cs_recent WHERE account = ? AND remote = ? AND expires_at > ? ORDER BY ended_at DESC LIMIT 1`).get(account, remote, now) as EndedRow | undefined;
    if (!row) return null;
    return {
      callId: row.call_id, direction: row.direction, claimedBy: row.claimed_by, startedAt: row.started_at, answered: row.answered === 1,
      answeredBy: row.answered_by, answeredAt: row.answered_at, legs: row.legs ? (JSON.parse(row.legs) as EndedCall['legs']) : {},
      endedAt: row.ended_at, expiresAt: row.expires_at,
    };
  }

  saveCall(account: string, call: LiveCall): void {
    this.sql(`INSERT OR REPLACE INTO cs_active (account, remote, call_id, claimed_by, direction, started_at, answered, answered_by,
      answered_at, legs, transfer, expires_at, last_end_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      account, call.remote, call.callId, call.claimedBy, call.direction, call.startedAt, call.answered ? 1 : 0, call.answeredBy,
      call.answeredAt, JSON.stringify(call.legs), call.transfer ? JSON.stringify(call.transfer) : null, call.expiresAt, call.lastEndAt,
    );
  }

  /**
   * Releases the claim and keeps what late events and wasAnswered need (an answered call stays
   * answered). It ended at the latest end of its legs (LiveCall.lastEndAt); a call reopened by a
   * late leg can end again at an earlier event time than its first end: the later end is kept.
   */
  endCall(account: string, call: LiveCall): void {
    const endedAt = call.lastEndAt!;
    this.sql('DELETE FROM cs_active WHERE account = ? AND remote = ?').run(account, call.remote);
    this.sql(`INSERT INTO cs_recent (account, call_id, remote, direction, answered, answered_by, started_at, answered_at, claimed_by, legs,
      ended_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, call_id) DO UPDATE SET remote = excluded.remote,
      answered = MAX(answered, excluded.answered), answered_by = COALESCE(excluded.answered_by, answered_by),
      answered_at = COALESCE(answered_at, excluded.answered_at), claimed_by = COALESCE(claimed_by, excluded.claimed_by),
      legs = excluded.legs, ended_at = MAX(ended_at, excluded.ended_at), expires_at = MAX(expires_at, excluded.expires_at)`).run(
      account, call.callId, call.remote, call.direction, call.answered ? 1 : 0, call.answeredBy, call.startedAt, call.answeredAt, call.claimedBy,
      JSON.stringify(call.legs), endedAt, endedAt + TTL_MS.recent,
    );
  }

  markReported(account: string, remote: string, mac: string, callId: string, eventId: string, now: number): void {
    this.sql('INSERT OR REPLACE INTO cs_device_reported (account, mac, remote, call_id, event_id, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(account, mac, remote, callId, eventId, now + TTL_MS.ring);
  }

  /** First ring time per call id; per remote it is kept while it belongs to the same call. */
  ringTime(account: string, callId: string, remote: string, at: number, now: number): void {
    this.sql('DELETE FROM cs_ring WHERE account = ? AND call_id = ? AND expires_at <= ?').run(account, callId, now);
    this.sql('INSERT OR IGNORE INTO cs_ring (account, call_id, at, expires_at) VALUES (?, ?, ?, ?)').run(account, callId, at, now + TTL_MS.ring);
    this.sql(`INSERT INTO cs_ring_remote (account, remote, call_id, at, expires_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (account, remote) DO UPDATE SET call_id = excluded.call_id, at = excluded.at, expires_at = excluded.expires_at
      WHERE cs_ring_remote.call_id <> excluded.call_id OR cs_ring_remote.expires_at <= ?`).run(account, remote, callId, at, now + TTL_MS.ring, now);
  }

  relate(account: string, child: string, parent: string, now: number): void {
    this.sql('INSERT OR REPLACE INTO cs_relationship (account, child, parent, expires_at) VALUES (?, ?, ?, ?)')
      .run(account, child, parent, now + TTL_MS.relationship);
  }

  takeTransfer(account: string, remote: string, now: number, windowMs: number): TransferFingerprint | null {
    this.sql('DELETE FROM cs_transfers WHERE account = ? AND remote = ? AND at < ?').run(account, remote, now - windowMs);
    const row = this.sql('SELECT id, remote, call_id, from_agent, from_mac, at FROM cs_transfers WHERE account = ? AND remote = ? ORDER BY at DESC, id DESC LIMIT 1')
      .get(account, remote) as TransferRow | undefined;
    if (!row) return null;
    this.sql('DELETE FROM cs_transfers WHERE id = ?').run(row.id);
    return { callId: row.call_id, remote: row.remote, fromAgent: row.from_agent, fromMac: row.from_mac, at: row.at };
  }

  memo<T>(account: string, key: string, now: number): T | null {
    const row = this.sql('SELECT result FROM cs_event_result WHERE account = ? AND event_id = ? AND expires_at > ?').get(account, key, now) as { result: string } | undefined;
    return row ? (JSON.parse(row.result) as T) : null;
  }

  /** Keeps a transition's result so a redelivered event gets exactly the same answer. */
  remember<T>(account: string, key: string, result: T, now: number): T {
    this.sql('INSERT OR REPLACE INTO cs_event_result (account, event_id, result, expires_at) VALUES (?, ?, ?, ?)')
      .run(account, key, JSON.stringify(result), now + TTL_MS.eventResult);
    return result;
  }

  purge(now: number): void {
    try {
      this.tx(() => {
        for (const table of EXPIRING_TABLES) this.sql(`DELETE FROM ${table} WHERE expires_at <= ?`).run(now);
        this.sql('DELETE FROM cs_transfers WHERE at < ?').run(now - TRANSFER_RETENTION_MS);
      });
    } catch {
      // Housekeeping only: expired rows are ignored on read anyway; the next sweep retries.
    }
  }
}
