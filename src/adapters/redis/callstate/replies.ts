import type { ActiveCall, AgentPresenceRecord, Direction, LiveSession, ManualStatus, MissedCallEntry } from '../../../domain/callstate/CallStateStore';

/**
 * Turns Redis replies into the port's types. The scripts answer JSON (cjson) or flat arrays;
 * plain reads answer hashes of strings.
 */

/** A script's JSON answer; Redis nil (the script returned nil) is null. */
export function jsonReply<T>(reply: unknown): T | null {
  return typeof reply === 'string' ? (JSON.parse(reply) as T) : null;
}

function optionalNumber(value: string | undefined): number | null {
  return value === undefined ? null : Number(value);
}

/** calls:active:<remote> (fields: lua/includes/call.lua) as the port's view, or null when absent or expired at `now`. */
export function activeCallReply(hash: Record<string, string>, now: number): ActiveCall | null {
  const expiresAt = optionalNumber(hash.expires_at);
  if (expiresAt === null || expiresAt <= now || hash.legs === undefined) return null;
  return {
    callId: hash.claimed_call_id!,
    remote: hash.remote!,
    direction: hash.direction as Direction,
    claimedBy: hash.claimed_by!,
    startedAt: Number(hash.timestamp),
    answered: hash.answered === '1',
    answeredBy: hash.answered_by ?? null,
    answeredAt: optionalNumber(hash.answered_at),
    legs: JSON.parse(hash.legs) as ActiveCall['legs'],
  };
}

/** A hash {at, expires_at} (calls:ring:*, calls:ring_remote:*): the time while it lives. */
export function liveTimeReply([at, expiresAt]: Array<string | null>, now: number): number | null {
  if (at == null || expiresAt == null || Number(expiresAt) <= now) return null;
  return Number(at);
}

/** readyMissed (lua/readyMissed-2.lua): { entry JSON, due time, ... }. */
export function missedEntriesReply(reply: unknown): MissedCallEntry[] {
  const flat = reply as string[];
  const entries: MissedCallEntry[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const stored = JSON.parse(flat[i]!) as Omit<MissedCallEntry, 'dueAt'>;
    entries.push({ callId: stored.callId, remote: stored.remote, mac: stored.mac, dueAt: Number(flat[i + 1]), payload: stored.payload });
  }
  return entries;
}

/** liveSessions (lua/liveSessions-2.lua): { agent, socket id, expires at, ... }, ordered by agent then socket id. */
export function liveSessionsReply(reply: unknown): LiveSession[] {
  const flat = reply as string[];
  const sessions: LiveSession[] = [];
  for (let i = 0; i < flat.length; i += 3) {
    sessions.push({ agent: flat[i]!, socketId: flat[i + 1]!, expiresAt: Number(flat[i + 2]) });
  }
  return sessions.sort((a, b) => compare(a.agent, b.agent) || compare(a.socketId, b.socketId));
}

/** A hash as a script returns HGETALL's answer: { field, value, ... }. */
export function flatHash(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}

/** agents:presence: agent -> {"manual", "phoneDnd"} JSON, ordered by agent. */
export function presenceReply(hash: Record<string, string>): AgentPresenceRecord[] {
  return Object.keys(hash)
    .sort(compare)
    .map((agent) => {
      const record = JSON.parse(hash[agent]!) as { manual: ManualStatus; phoneDnd: boolean };
      return { agent, manual: record.manual, phoneDnd: record.phoneDnd };
    });
}

/** Plain code-unit order, like SQLite's ORDER BY on TEXT. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
