import { Redis } from 'ioredis';
import { monotonicFactory } from 'ulid';
import type {
  ActiveCall, AgentPresenceRecord, AnsweredResult, CallStateStore, Direction, LegEndedResult, LegOutcome,
  LiveSession, ManualStatus, MissedCallEntry, PresenceInputs, RingingInput, RingingResult, TransferFingerprint,
} from '../../../domain/callstate/CallStateStore';
import { TTL_MS } from '../../../domain/callstate/ttl';
import { ScriptRunner, type RedisClient } from '../scripts';
import { CallStateKeys, type TenantKeys } from '../keys';
import { MissedCallQueue } from './MissedCallQueue';
import { activeCallReply, flatHash, jsonReply, liveSessionsReply, liveTimeReply, presenceReply } from './replies';

export interface RedisCallStateStoreOptions {
  /** Key root (default `cal`): `<root>:account:{<account>}:...`. Tests take a unique one. */
  root?: string;
}

export interface RedisCallStateConnectOptions extends RedisCallStateStoreOptions {
  url: string;
  /** REDIS_CALLS_DB. */
  db: number;
  /** Shown by CLIENT LIST. */
  connectionName?: string;
  /** Connection errors while ioredis reconnects (commands wait meanwhile). Default: ignored. */
  onConnectionError?: (err: Error) => void;
}

/**
 * The shared call-state store (docs/redis.md, Call-state keys): every key of an account under one hash tag, every
 * multi-step change one Lua script (lua/*.lua), so ringing, answered and legEnded each cost one
 * round trip (one EVALSHA). Behaves exactly like SqliteCallStateStore (one contract suite runs
 * against both): expiry is decided against the method's `now` (expiry times are kept in the
 * values and compared in Lua) while real TTLs (PEXPIREAT) let Redis drop what is over; methods
 * without a `now` use the wall clock. ttl.ts lists every key.
 */
export class RedisCallStateStore implements CallStateStore {
  private readonly keys: CallStateKeys;
  private readonly scripts: ScriptRunner;
  private readonly missed: MissedCallQueue;
  private readonly transferSeq = monotonicFactory();
  private readonly ttlJson = JSON.stringify(TTL_MS);
  private ownsClient = false;
  private closed = false;

  /** Uses a connection the caller owns (and closes): close() leaves it open. */
  constructor(private readonly client: RedisClient, options: RedisCallStateStoreOptions = {}) {
    this.keys = new CallStateKeys(options.root);
    this.scripts = new ScriptRunner(client);
    this.missed = new MissedCallQueue(client, this.keys, this.scripts);
  }

  /**
   * Opens its own connection (closed by close()); commands wait through a Redis outage. Rejects
   * with the connection's error when Redis cannot be reached at start-up.
   */
  static async connect(options: RedisCallStateConnectOptions): Promise<RedisCallStateStore> {
    const client = new Redis(options.url, {
      db: options.db,
      connectionName: options.connectionName ?? 'ringside-callstate',
      lazyConnect: true,
      maxRetriesPerRequest: null,
    });
    let firstError: Error | undefined;
    // Without a listener ioredis reports every failed reconnect as an unhandled error.
    client.on('error', (err: Error) => {
      firstError ??= err;
      options.onConnectionError?.(err);
    });
    try {
      await client.connect();
    } catch (err) {
      client.disconnect();
      throw firstError ?? err;
    }
    const store = new RedisCallStateStore(client, options);
    store.ownsClient = true;
    return store;
  }

  private tenant(account: string): TenantKeys {
    return this.keys.tenant(account);
  }

  // ── per-event transitions: one EVALSHA each ──

  async ringing(account: string, input: RingingInput): Promise<RingingResult> {
    const k = this.tenant(account);
    const { remote, mac, eventId, candidateCallId: candidate } = input;
    const reply = await this.scripts.run('ringing', [
      k.active(remote), k.deviceReported(mac, remote), k.eventResult(eventId), k.transfers(), k.recent(remote), k.answered(),
      k.ring(candidate), k.ringRemote(remote), k.direction(candidate), k.relationship(candidate),
    ], [remote, mac, eventId, candidate, input.direction, input.now, input.transferWindowMs, Date.now(), this.ttlJson]);
    return jsonReply<RingingResult>(reply)!;
  }

  async answered(account: string, input: { remote: string; mac: string; eventId: string; now: number }): Promise<AnsweredResult | null> {
    const k = this.tenant(account);
    const reply = await this.scripts.run('answered',
      [k.active(input.remote), k.deviceReported(input.mac, input.remote), k.eventResult(input.eventId), k.answered(), k.recent(input.remote)],
      [input.mac, input.eventId, input.now, Date.now(), this.ttlJson, input.remote]);
    return jsonReply<AnsweredResult>(reply);
  }

  async legEnded(account: string, input: { remote: string; mac: string; outcome: LegOutcome; now: number }): Promise<LegEndedResult | null> {
    const k = this.tenant(account);
    const reply = await this.scripts.run('legEnded', [k.active(input.remote), k.recent(input.remote), k.answered()],
      [input.mac, input.now, Date.now(), this.ttlJson]);
    return jsonReply<LegEndedResult>(reply);
  }

  async getActiveCall(account: string, remote: string, now = Date.now()): Promise<ActiveCall | null> {
    return activeCallReply(await this.client.hgetall(this.tenant(account).active(remote)), now);
  }

  async wasAnswered(account: string, callId: string): Promise<boolean> {
    const until = await this.client.zscore(this.tenant(account).answered(), callId);
    return until !== null && Number(until) > Date.now();
  }

  // ── the seed's call-cache operations ──

  async claimCall(account: string, input: { remote: string; callId: string; mac: string; direction: Direction; now: number }): Promise<{ claimed: boolean; callId: string }> {
    const reply = await this.scripts.run('claimCall', [this.tenant(account).active(input.remote)],
      [input.remote, input.callId, input.mac, input.direction, input.now, this.ttlJson]);
    const [claimed, callId] = reply as [number, string];
    return { claimed: claimed === 1, callId };
  }

  async isDuplicateCall(account: string, input: { remote: string; mac: string; eventId: string }): Promise<boolean> {
    const k = this.tenant(account);
    const replies = await this.client.multi()
      .hmget(k.deviceReported(input.mac, input.remote), 'call_id', 'event_id', 'expires_at')
      .hmget(k.active(input.remote), 'claimed_call_id', 'expires_at')
      .exec();
    const [reportedCallId, reportedEventId, reportedUntil] = replies![0]![1] as Array<string | null>;
    const [activeCallId, activeUntil] = replies![1]![1] as Array<string | null>;
    const now = Date.now();
    return reportedCallId !== null && activeCallId !== null && Number(reportedUntil) > now && Number(activeUntil) > now
      && reportedCallId === activeCallId && reportedEventId !== input.eventId;
  }

  async markDeviceReportedCall(account: string, input: { remote: string; mac: string; callId: string; eventId: string }): Promise<void> {
    const key = this.tenant(account).deviceReported(input.mac, input.remote);
    const expiresAt = Date.now() + TTL_MS.ring;
    await this.client.multi()
      .hset(key, { call_id: input.callId, event_id: input.eventId, expires_at: expiresAt })
      .pexpireat(key, expiresAt)
      .exec();
  }

  async setRingTime(account: string, input: { callId: string; remote: string; at: number }): Promise<void> {
    const k = this.tenant(account);
    await this.scripts.run('setRingTime', [k.ring(input.callId), k.ringRemote(input.remote)], [input.callId, input.at, this.ttlJson]);
  }

  async getRingTime(account: string, callId: string): Promise<number | null> {
    return liveTimeReply(await this.client.hmget(this.tenant(account).ring(callId), 'at', 'expires_at'), Date.now());
  }

  async getRingTimeByRemote(account: string, remote: string): Promise<number | null> {
    return liveTimeReply(await this.client.hmget(this.tenant(account).ringRemote(remote), 'at', 'expires_at'), Date.now());
  }

  async setDirection(account: string, callId: string, direction: Direction): Promise<void> {
    await this.client.set(this.tenant(account).direction(callId), direction, 'PXAT', Date.now() + TTL_MS.direction);
  }

  async getDirection(account: string, callId: string): Promise<Direction | null> {
    return (await this.client.get(this.tenant(account).direction(callId))) as Direction | null;
  }

  async queueMissedCall(account: string, entry: MissedCallEntry): Promise<boolean> {
    return this.missed.queue(account, entry);
  }

  async getReadyMissedCalls(account: string, now: number, limit = 100): Promise<MissedCallEntry[]> {
    return this.missed.takeReady(account, now, limit);
  }

  async ackMissedCall(account: string, callId: string): Promise<void> {
    await this.missed.ack(account, callId);
  }

  async accountsWithMissedCalls(): Promise<string[]> {
    return this.missed.accounts();
  }

  async createTransferFingerprint(account: string, fp: TransferFingerprint): Promise<void> {
    const fingerprint: TransferFingerprint = { callId: fp.callId, remote: fp.remote, fromAgent: fp.fromAgent, fromMac: fp.fromMac, at: fp.at };
    await this.scripts.run('createTransfer', [this.tenant(account).transfers()],
      [`${this.transferSeq()}:${JSON.stringify(fingerprint)}`, fp.at, this.ttlJson]);
  }

  async findTransferMatch(account: string, input: { remote: string; now: number; windowMs: number }): Promise<TransferFingerprint | null> {
    const reply = await this.scripts.run('findTransfer', [this.tenant(account).transfers()],
      [input.remote, input.now, input.windowMs, Date.now(), this.ttlJson]);
    return jsonReply<TransferFingerprint>(reply);
  }

  async setRelationship(account: string, childCallId: string, parentCallId: string): Promise<void> {
    await this.client.set(this.tenant(account).relationship(childCallId), parentCallId, 'PXAT', Date.now() + TTL_MS.relationship);
  }

  async getParent(account: string, childCallId: string): Promise<string | null> {
    return this.client.get(this.tenant(account).relationship(childCallId));
  }

  // ── presence ──

  async setSessionHeartbeat(account: string, input: { agent: string; socketId: string; ttlMs: number; now: number }): Promise<void> {
    const k = this.tenant(account);
    await this.scripts.run('heartbeat', [k.heartbeat(input.socketId), k.sessionsLive(), k.sessionAgents()],
      [input.agent, input.socketId, input.now + input.ttlMs]);
  }

  async removeSession(account: string, socketId: string): Promise<void> {
    const k = this.tenant(account);
    await this.scripts.run('removeSession', [k.heartbeat(socketId), k.sessionsLive(), k.sessionAgents()], [socketId]);
  }

  async liveSessions(account: string, now: number): Promise<LiveSession[]> {
    const k = this.tenant(account);
    return liveSessionsReply(await this.scripts.run('liveSessions', [k.sessionsLive(), k.sessionAgents()], [now, Date.now()]));
  }

  async setManualStatus(account: string, agent: string, status: ManualStatus): Promise<void> {
    await this.setPresenceFlag(account, agent, 'manual', status);
  }

  async setPhoneDnd(account: string, agent: string, dnd: boolean): Promise<void> {
    await this.setPresenceFlag(account, agent, 'phone_dnd', dnd ? '1' : '0');
  }

  private async setPresenceFlag(account: string, agent: string, field: 'manual' | 'phone_dnd', value: string): Promise<void> {
    const k = this.tenant(account);
    await this.scripts.run('presence', [k.presence(agent), k.presenceIndex()], [agent, field, value]);
  }

  async presenceRecords(account: string): Promise<AgentPresenceRecord[]> {
    return presenceReply(await this.client.hgetall(this.tenant(account).presenceIndex()));
  }

  /** One script instead of liveSessions' script and presenceRecords' HGETALL: a presence pass after every call event reads both. */
  async presenceInputs(account: string, now: number): Promise<PresenceInputs> {
    const k = this.tenant(account);
    const [sessions, records] = (await this.scripts.run('presenceInputs', [k.sessionsLive(), k.sessionAgents(), k.presenceIndex()], [now, Date.now()])) as [unknown, string[]];
    return { sessions: liveSessionsReply(sessions), records: presenceReply(flatHash(records)) };
  }

  /** Closes the connection only when connect() opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) await this.client.quit();
  }
}
