import { openDatabase, type OpenDatabaseOptions, type SqliteDatabase } from '../database';
import type {
  ActiveCall, AgentPresenceRecord, AnsweredResult, CallStateStore, Direction, LegEndedResult, LegOutcome,
  LiveSession, ManualStatus, MissedCallEntry, PresenceInputs, RingingInput, RingingResult, TransferFingerprint,
} from '../../../domain/callstate/CallStateStore';
import { CallStateRows } from './rows';
import { migrateCallState } from './schema';
import { answerLeg, answerToEndedCall, callIsOver, isLateEventOf, lateLegReopens, reopenedCall, transferRinging, type EndedCall, type LiveCall } from '../../../domain/callstate/legs';
import { TTL_MS } from '../../../domain/callstate/ttl';

const PURGE_EVERY_MS = 60_000;

function toActiveCall(call: LiveCall): ActiveCall {
  const { transfer: _t, expiresAt: _e, lastEndAt: _l, ...view } = call;
  return view;
}

/**
 * The embedded call-state store: one SQLite file (state.db), every method one transaction
 * (read-modify-write ones BEGIN IMMEDIATE, so two processes on one file stay correct) that has
 * committed before the promise resolves. Expiry is decided against the method's `now` where it
 * has one, else Date.now(); expired rows are ignored on read and purged every minute.
 */
export class SqliteCallStateStore implements CallStateStore {
  private readonly rows: CallStateRows;
  private readonly purgeTimer: NodeJS.Timeout;

  private constructor(private readonly db: SqliteDatabase) {
    this.rows = new CallStateRows(db);
    this.rows.purge(Date.now());
    this.purgeTimer = setInterval(() => this.rows.purge(Date.now()), PURGE_EVERY_MS);
    this.purgeTimer.unref();
  }

  /** Opens (creating if needed) the state file. Synchronous: better-sqlite3 opens and migrates in place. */
  static open(file: string, options: Pick<OpenDatabaseOptions, 'checkpointPages' | 'logger'> = {}): SqliteCallStateStore {
    const db = openDatabase(file, options);
    try {
      migrateCallState(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteCallStateStore(db);
  }

  // ── per-event transitions ──

  async ringing(account: string, input: RingingInput): Promise<RingingResult> {
    return this.rows.tx(() => {
      const key = `ring:${input.eventId}`;
      return this.rows.memo<RingingResult>(account, key, input.now) ?? this.rows.remember(account, key, this.ring(account, input), input.now);
    });
  }

  private ring(account: string, input: RingingInput): RingingResult {
    const { remote, mac, eventId, now } = input;
    let call = this.rows.live(account, remote, now);
    const reported = this.rows.sql('SELECT call_id, event_id FROM cs_device_reported WHERE account = ? AND mac = ? AND remote = ? AND expires_at > ?')
      .get(account, mac, remote, now) as { call_id: string; event_id: string } | undefined;
    const reportedAgain = (callId: string) => reported !== undefined && reported.call_id === callId && reported.event_id !== eventId;
    if (call && reportedAgain(call.callId)) return { kind: 'duplicate', callId: call.callId };
    const fingerprint = input.direction === 'in' ? this.rows.takeTransfer(account, remote, now, input.transferWindowMs) : null;
    if (!call && !fingerprint) {
      const ended = this.rows.latestRecent(account, remote, now);
      if (ended && ended.direction === input.direction && isLateEventOf(ended, now)) {
        return reportedAgain(ended.callId) ? { kind: 'duplicate', callId: ended.callId } : this.lateRing(account, input, ended);
      }
    }
    let kind: 'new' | 'joined' | 'transferred';
    let transfer: TransferFingerprint | null = null;
    if (fingerprint) {
      kind = 'transferred';
      transfer = fingerprint;
      call ??= this.rows.continued(account, remote, fingerprint.callId, mac, input.direction, now);
      call.transfer = fingerprint;
    } else if (call) {
      kind = call.transfer && transferRinging(call) ? 'transferred' : 'joined';
      if (kind === 'transferred') transfer = call.transfer;
    } else {
      kind = 'new';
      call = this.rows.fresh(remote, input.candidateCallId, mac, input.direction, now);
    }
    this.addRingingLeg(account, call, input, kind === 'transferred');
    if (kind === 'transferred' && input.candidateCallId !== call.callId) this.rows.relate(account, input.candidateCallId, call.callId, now);
    return { kind, callId: call.callId, startedAt: call.startedAt, transfer };
  }

  /** A ring that belongs to the remote's ended call (legs.ts isLateEventOf): see RingingResult.late. */
  private lateRing(account: string, input: RingingInput, ended: EndedCall): RingingResult {
    const joined = { kind: 'joined' as const, callId: ended.callId, startedAt: ended.startedAt, transfer: null };
    if (!lateLegReopens(ended)) {
      this.rows.markReported(account, input.remote, input.mac, ended.callId, input.eventId, input.now);
      return { ...joined, late: 'over' };
    }
    this.addRingingLeg(account, reopenedCall(ended, input.remote, input.mac, input.now + TTL_MS.ring), input, false);
    return { ...joined, late: 'reopened' };
  }

  /** The device's leg rings (an answered leg stays answered) on the live call, and everything a ring records. */
  private addRingingLeg(account: string, call: LiveCall, input: RingingInput, transfer: boolean): void {
    const { remote, mac, eventId, now } = input;
    if (call.legs[mac]?.state !== 'answered') call.legs[mac] = { state: 'ringing', transfer, eventId };
    call.expiresAt = Math.max(call.expiresAt, now + (call.answered ? TTL_MS.answered : TTL_MS.ring));
    this.rows.saveCall(account, call);
    this.rows.markReported(account, remote, mac, call.callId, eventId, now);
    this.rows.ringTime(account, call.callId, remote, call.startedAt, now);
    this.rows.sql('INSERT OR IGNORE INTO cs_direction (account, call_id, direction, expires_at) VALUES (?, ?, ?, ?)')
      .run(account, call.callId, call.direction, now + TTL_MS.direction);
  }

  async answered(account: string, input: { remote: string; mac: string; eventId: string; now: number }): Promise<AnsweredResult | null> {
    return this.rows.tx(() => {
      const { remote, mac, eventId, now } = input;
      const memo = this.rows.memo<AnsweredResult>(account, `answer:${eventId}`, now);
      if (memo) return memo;
      let call = this.rows.live(account, remote, now);
      if (!call) {
        const ended = this.rows.latestRecent(account, remote, now);
        if (!ended || !isLateEventOf(ended, now)) return null;
        if (!lateLegReopens(ended)) return this.rows.remember(account, `answer:${eventId}`, answerToEndedCall(ended, mac), now);
        call = reopenedCall(ended, remote, mac, now + TTL_MS.answered);
      }
      const { owner, previousOwner } = answerLeg(call, mac, eventId, now);
      call.expiresAt = Math.max(call.expiresAt, now + TTL_MS.answered);
      this.rows.saveCall(account, call);
      this.rows.sql('UPDATE cs_device_reported SET expires_at = MAX(expires_at, ?) WHERE account = ? AND mac = ? AND remote = ? AND call_id = ?')
        .run(now + TTL_MS.answered, account, mac, remote, call.callId);
      const result: AnsweredResult = {
        callId: call.callId, owner, answeredBy: call.answeredBy ?? mac, previousOwner, startedAt: call.startedAt, direction: call.direction,
      };
      return this.rows.remember(account, `answer:${eventId}`, result, now);
    });
  }

  async legEnded(account: string, input: { remote: string; mac: string; outcome: LegOutcome; now: number }): Promise<LegEndedResult | null> {
    return this.rows.tx(() => {
      const { remote, mac, now } = input;
      const call = this.rows.live(account, remote, now);
      if (!call) {
        const recent = this.rows.latestRecent(account, remote, now);
        if (!recent) return null;
        return {
          callId: recent.callId, direction: recent.direction, answered: recent.answered, answeredBy: recent.answeredBy,
          startedAt: recent.startedAt, answeredAt: recent.answeredAt, callEnded: false, late: true,
        };
      }
      const leg = call.legs[mac];
      let callEnded = false;
      if (leg && leg.state !== 'ended') {
        call.legs[mac] = { ...leg, state: 'ended' };
        call.lastEndAt = Math.max(call.lastEndAt ?? now, now);
        callEnded = callIsOver(call);
        if (callEnded) this.rows.endCall(account, call);
        else this.rows.saveCall(account, call);
      }
      return {
        callId: call.callId, direction: call.direction, answered: call.answered, answeredBy: call.answeredBy,
        startedAt: call.startedAt, answeredAt: call.answeredAt, callEnded, late: false,
      };
    });
  }

  async getActiveCall(account: string, remote: string, now = Date.now()): Promise<ActiveCall | null> {
    const call = this.rows.readCall(account, remote, now);
    return call ? toActiveCall(call) : null;
  }

  async wasAnswered(account: string, callId: string): Promise<boolean> {
    const now = Date.now();
    const row = this.rows.sql(`SELECT 1 FROM cs_active WHERE account = ? AND call_id = ? AND answered = 1 AND expires_at > ?
      UNION ALL SELECT 1 FROM cs_recent WHERE account = ? AND call_id = ? AND answered = 1 AND expires_at > ?`)
      .get(account, callId, now, account, callId, now);
    return row !== undefined;
  }

  // ── the seed's call-cache operations ──

  async claimCall(account: string, input: { remote: string; callId: string; mac: string; direction: Direction; now: number }): Promise<{ claimed: boolean; callId: string }> {
    return this.rows.tx(() => {
      const existing = this.rows.live(account, input.remote, input.now);
      if (existing) return { claimed: false, callId: existing.callId };
      const call = this.rows.fresh(input.remote, input.callId, input.mac, input.direction, input.now);
      call.legs[input.mac] = { state: 'ringing', transfer: false, eventId: '' };
      this.rows.saveCall(account, call);
      return { claimed: true, callId: input.callId };
    });
  }

  async isDuplicateCall(account: string, input: { remote: string; mac: string; eventId: string }): Promise<boolean> {
    const now = Date.now();
    const row = this.rows.sql(`SELECT 1 FROM cs_device_reported r JOIN cs_active a ON a.account = r.account AND a.remote = r.remote
      WHERE r.account = ? AND r.mac = ? AND r.remote = ? AND r.expires_at > ? AND a.expires_at > ? AND a.call_id = r.call_id AND r.event_id <> ?`)
      .get(account, input.mac, input.remote, now, now, input.eventId);
    return row !== undefined;
  }

  async markDeviceReportedCall(account: string, input: { remote: string; mac: string; callId: string; eventId: string }): Promise<void> {
    this.rows.tx(() => this.rows.markReported(account, input.remote, input.mac, input.callId, input.eventId, Date.now()));
  }

  async setRingTime(account: string, input: { callId: string; remote: string; at: number }): Promise<void> {
    this.rows.tx(() => this.rows.ringTime(account, input.callId, input.remote, input.at, input.at));
  }

  async getRingTime(account: string, callId: string): Promise<number | null> {
    const row = this.rows.sql('SELECT at FROM cs_ring WHERE account = ? AND call_id = ? AND expires_at > ?').get(account, callId, Date.now()) as { at: number } | undefined;
    return row?.at ?? null;
  }

  async getRingTimeByRemote(account: string, remote: string): Promise<number | null> {
    const row = this.rows.sql('SELECT at FROM cs_ring_remote WHERE account = ? AND remote = ? AND expires_at > ?').get(account, remote, Date.now()) as { at: number } | undefined;
    return row?.at ?? null;
  }

  async setDirection(account: string, callId: string, direction: Direction): Promise<void> {
    this.rows.sql('INSERT OR REPLACE INTO cs_direction (account, call_id, direction, expires_at) VALUES (?, ?, ?, ?)')
      .run(account, callId, direction, Date.now() + TTL_MS.direction);
  }

  async getDirection(account: string, callId: string): Promise<Direction | null> {
    const row = this.rows.sql('SELECT direction FROM cs_direction WHERE account = ? AND call_id = ? AND expires_at > ?').get(account, callId, Date.now()) as { direction: Direction } | undefined;
    return row?.direction ?? null;
  }

  async queueMissedCall(account: string, entry: MissedCallEntry): Promise<boolean> {
    const info = this.rows.sql('INSERT OR IGNORE INTO cs_missed (account, call_id, remote, mac, due_at, payload) VALUES (?, ?, ?, ?, ?, ?)')
      .run(account, entry.callId, entry.remote, entry.mac, entry.dueAt, JSON.stringify(entry.payload ?? {}));
    return info.changes === 1;
  }

  async getReadyMissedCalls(account: string, now: number, limit = 100): Promise<MissedCallEntry[]> {
    return this.rows.tx(() => {
      const rows = this.rows.sql('SELECT call_id, remote, mac, due_at, payload FROM cs_missed WHERE account = ? AND due_at <= ? ORDER BY due_at, call_id LIMIT ?')
        .all(account, now, Math.max(0, limit)) as Array<{ call_id: string; remote: string; mac: string; due_at: number; payload: string }>;
      const lease = this.rows.sql('UPDATE cs_missed SET due_at = ? WHERE account = ? AND call_id = ?');
      for (const row of rows) lease.run(now + TTL_MS.missedLease, account, row.call_id);
      return rows.map((row) => ({
        callId: row.call_id, remote: row.remote, mac: row.mac, dueAt: row.due_at, payload: JSON.parse(row.payload) as Record<string, unknown>,
      }));
    });
  }

  async ackMissedCall(account: string, callId: string): Promise<void> {
    this.rows.sql('DELETE FROM cs_missed WHERE account = ? AND call_id = ?').run(account, callId);
  }

  async accountsWithMissedCalls(): Promise<string[]> {
    return (this.rows.sql('SELECT DISTINCT account FROM cs_missed ORDER BY account').all() as Array<{ account: string }>).map((r) => r.account);
  }

  async createTransferFingerprint(account: string, fp: TransferFingerprint): Promise<void> {
    this.rows.sql('INSERT INTO cs_transfers (account, remote, call_id, from_agent, from_mac, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(account, fp.remote, fp.callId, fp.fromAgent, fp.fromMac, fp.at);
  }

  async findTransferMatch(account: string, input: { remote: string; now: number; windowMs: number }): Promise<TransferFingerprint | null> {
    return this.rows.tx(() => this.rows.takeTransfer(account, input.remote, input.now, input.windowMs));
  }

  async setRelationship(account: string, childCallId: string, parentCallId: string): Promise<void> {
    this.rows.relate(account, childCallId, parentCallId, Date.now());
  }

  async getParent(account: string, childCallId: string): Promise<string | null> {
    const row = this.rows.sql('SELECT parent FROM cs_relationship WHERE account = ? AND child = ? AND expires_at > ?').get(account, childCallId, Date.now()) as { parent: string } | undefined;
    return row?.parent ?? null;
  }

  // ── presence ──

  async setSessionHeartbeat(account: string, input: { agent: string; socketId: string; ttlMs: number; now: number }): Promise<void> {
    this.rows.sql('INSERT OR REPLACE INTO cs_sessions (account, socket_id, agent, expires_at) VALUES (?, ?, ?, ?)')
      .run(account, input.socketId, input.agent, input.now + input.ttlMs);
  }

  async removeSession(account: string, socketId: string): Promise<void> {
    this.rows.sql('DELETE FROM cs_sessions WHERE account = ? AND socket_id = ?').run(account, socketId);
  }

  async liveSessions(account: string, now: number): Promise<LiveSession[]> {
    const rows = this.rows.sql('SELECT agent, socket_id, expires_at FROM cs_sessions WHERE account = ? AND expires_at > ? ORDER BY agent, socket_id')
      .all(account, now) as Array<{ agent: string; socket_id: string; expires_at: number }>;
    return rows.map((r) => ({ agent: r.agent, socketId: r.socket_id, expiresAt: r.expires_at }));
  }

  async setManualStatus(account: string, agent: string, status: ManualStatus): Promise<void> {
    this.rows.sql('INSERT INTO cs_presence (account, agent, manual) VALUES (?, ?, ?) ON CONFLICT (account, agent) DO UPDATE SET manual = excluded.manual')
      .run(account, agent, status);
  }

  async setPhoneDnd(account: string, agent: string, dnd: boolean): Promise<void> {
    this.rows.sql('INSERT INTO cs_presence (account, agent, phone_dnd) VALUES (?, ?, ?) ON CONFLICT (account, agent) DO UPDATE SET phone_dnd = excluded.phone_dnd')
      .run(account, agent, dnd ? 1 : 0);
  }

  async presenceRecords(account: string): Promise<AgentPresenceRecord[]> {
    const rows = this.rows.sql('SELECT agent, manual, phone_dnd FROM cs_presence WHERE account = ? ORDER BY agent').all(account) as Array<{ agent: string; manual: ManualStatus; phone_dnd: number }>;
    return rows.map((r) => ({ agent: r.agent, manual: r.manual, phoneDnd: r.phone_dnd === 1 }));
  }

  async presenceInputs(account: string, now: number): Promise<PresenceInputs> {
    return { sessions: await this.liveSessions(account, now), records: await this.presenceRecords(account) };
  }

  async close(): Promise<void> {
    clearInterval(this.purgeTimer);
    if (this.db.open) this.db.close();
  }
}
