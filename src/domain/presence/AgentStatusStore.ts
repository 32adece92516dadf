import type { PresenceStatus } from '../../protocol/views';
import type { ManualStatus } from '../callstate/CallStateStore';

/** An agent's derived status (docs/agent-api.md, Presence): what PresenceService computes and pushes (defined in src/protocol). */
export type { PresenceStatus };

/** One agent as a presence pass sees it. */
export interface AgentStatusEntry {
  agent: string;
  /** Display name (agents:by_user). */
  name: string;
  status: PresenceStatus;
  /** The agent's own choice, and the phone's DND: what the status was derived from with the sessions and calls. */
  manual: ManualStatus;
  phoneDnd: boolean;
}

export interface AgentStatus extends AgentStatusEntry {
  /** Since when the agent has had this status (the first pass that recorded it). */
  since: number;
  /** The pass that recorded this entry last. */
  at: number;
}

/**
 * The agent status port (docs/redis.md, Sessions, agent statuses and queues; the seed's `agent:status:<user>`, `agents:registered`,
 * `agents:available`, `agents:connected`, `agents:by_user`): the account's agents with their
 * derived status, readable by anyone sharing the store (a wallboard, another process) without
 * recomputing presence. It is not a second presence: PresenceService derives the statuses from
 * the sessions, manual choices, phone DND and calls, and records each new picture here.
 *
 * Adapters: InProcessAgentStatusStore (embedded: presence sessions are per process there) and
 * RedisAgentStatusStore (shared mode).
 */
export interface AgentStatusStore {
  /**
   * Replaces the account's picture with this one, in one atomic step: agents not listed are
   * forgotten; `since` is kept for agents whose status did not change, `at` otherwise.
   */
  record(account: string, entries: readonly AgentStatusEntry[], at: number): Promise<void>;
  get(account: string, agent: string): Promise<AgentStatus | null>;
  /** Every agent of the account, by id. */
  list(account: string): Promise<AgentStatus[]>;
  /** agents:registered, by id. */
  registered(account: string): Promise<string[]>;
  /** agents:available (status available), by id. */
  available(account: string): Promise<string[]>;
  /** agents:connected (status other than offline), by id. */
  connected(account: string): Promise<string[]>;
  /** agents:by_user: agent id -> display name. */
  names(account: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export const byAgent = (a: { agent: string }, b: { agent: string }): number => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0);

/** The picture a record() leaves, from the entries and what was there before (for `since`). */
export function nextPicture(entries: readonly AgentStatusEntry[], previous: ReadonlyMap<string, AgentStatus>, at: number): AgentStatus[] {
  const seen = new Set<string>();
  const picture: AgentStatus[] = [];
  for (const entry of entries) {
    if (seen.has(entry.agent)) throw new Error(`agent ${entry.agent} listed twice`);
    seen.add(entry.agent);
    const before = previous.get(entry.agent);
    const since = before && before.status === entry.status ? before.since : at;
    picture.push({ agent: entry.agent, name: entry.name, status: entry.status, manual: entry.manual, phoneDnd: entry.phoneDnd, since, at });
  }
  return picture.sort(byAgent);
}
