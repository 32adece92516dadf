import type { MissedCallEntry } from '../../../domain/callstate/CallStateStore';
import { TTL_MS } from '../../../domain/callstate/ttl';
import type { RedisClient, ScriptRunner } from '../scripts';
import type { CallStateKeys } from '../keys';
import { missedEntriesReply } from './replies';

/**
 * How long an account stays on the global list after it last queued a missed call although its
 * queue looks empty: longer than any clock skew between a writer and the sweeper, so the sweeper
 * never drops an account whose new entry it just failed to see (lua/pruneMissedAccounts-1.lua).
 */
const MISSED_ACCOUNT_GRACE_MS = 60_000;

/**
 * The missed-call queue of RedisCallStateStore: per account calls:missed:queue (hash call id ->
 * entry; a hash rather than the seed's list, so an entry is found, kept unique and acknowledged by
 * call id in O(1)) and calls:missed:schedule (zset call id -> due time). The global
 * <root>:missed:accounts lists the accounts to sweep; being outside every account's hash slot it
 * is written beside the account's script (same round trip), never inside it.
 */
export class MissedCallQueue {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: CallStateKeys,
    private readonly scripts: ScriptRunner,
  ) {}

  /** One round trip: the account's script and the global mark are sent together. */
  async queue(account: string, entry: MissedCallEntry): Promise<boolean> {
    const k = this.keys.tenant(account);
    const stored = JSON.stringify({ callId: entry.callId, remote: entry.remote, mac: entry.mac, payload: entry.payload ?? {} });
    const [queued] = await Promise.all([
      this.scripts.run('queueMissed', [k.missedQueue(), k.missedSchedule()], [entry.callId, stored, entry.dueAt]),
      this.client.zadd(this.keys.missedAccounts(), Date.now(), account),
    ]);
    return queued === 1;
  }

  async takeReady(account: string, now: number, limit: number): Promise<MissedCallEntry[]> {
    if (limit <= 0) return [];
    const k = this.keys.tenant(account);
    return missedEntriesReply(await this.scripts.run('readyMissed', [k.missedQueue(), k.missedSchedule()], [now, Math.floor(limit), TTL_MS.missedLease]));
  }

  async ack(account: string, callId: string): Promise<void> {
    const k = this.keys.tenant(account);
    await this.client.multi().hdel(k.missedQueue(), callId).zrem(k.missedSchedule(), callId).exec();
  }

  /**
   * The accounts whose queue holds entries: the global list, checked against each queue (the
   * list may name accounts whose last entry was acknowledged; those are pruned once past the grace).
   */
  async accounts(): Promise<string[]> {
    const listKey = this.keys.missedAccounts();
    const listed = await this.client.zrange(listKey, 0, -1);
    if (listed.length === 0) return [];
    const sizes = await Promise.all(listed.map((account) => this.client.hlen(this.keys.tenant(account).missedQueue())));
    const empty = listed.filter((_, i) => sizes[i] === 0);
    if (empty.length > 0) await this.scripts.run('pruneMissedAccounts', [listKey], [Date.now() - MISSED_ACCOUNT_GRACE_MS, ...empty]);
    return listed.filter((_, i) => sizes[i]! > 0).sort();
  }
}
