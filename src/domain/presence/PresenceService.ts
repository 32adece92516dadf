import type { CallStateStore, ManualStatus } from '../callstate/CallStateStore';
import type { CallLog } from '../calllog/CallLog';
import type { Directory } from '../directory/Directory';
import type { PushHub } from '../push/PushHub';
import type { Logger } from '../../shared/logger';
import type { AgentStatusEntry, AgentStatusStore, PresenceStatus } from './AgentStatusStore';

export type { PresenceStatus } from './AgentStatusStore';

/**
 * A picture recorded in the agent status store is written again after this long even when this
 * process saw no change: another process may have recorded an older picture meanwhile.
 */
const STATUS_RESYNC_MS = 30_000;

/** The least time between two scheduled presence passes of an account (schedulePublish). */
export const PASS_SPACING_MS = 100;

export interface AgentPresence {
  agent: string;
  status: PresenceStatus;
}

/**
 * Agent presence (docs/agent-api.md, Presence), derived from the facts other parts keep: live UI sessions
 * (heartbeats), the agent's manual choice, the phone's DND, and calls in progress. It pushes
 * `presence.changed` when an agent's derived status differs from the last one it pushed, and
 * records each new picture in the agent status store (`statuses`: agent:status:<agent>,
 * agents:registered/available/connected, agents:by_user), for readers that share the store.
 */
export class PresenceService {
  private readonly lastPushed = new Map<string, PresenceStatus>();
  private readonly scheduled = new Map<string, Promise<void>>();
  /** Per account: when the last scheduled pass started (performance.now()). */
  private readonly passStartedAt = new Map<string, number>();
  /** Per account: the picture this process recorded last, and when. */
  private readonly lastRecorded = new Map<string, { picture: string; at: number }>();
  /** Set by stop(): a scheduled pass that has not started does nothing. */
  private stopped = false;
  /** Scheduled passes under way, which stop() waits for. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly deps: {
      state: CallStateStore; log: CallLog; directory: Directory; push: PushHub; clock: () => number;
      statuses?: AgentStatusStore; logger?: Logger;
    },
  ) {}

  async snapshot(account: string): Promise<Map<string, PresenceStatus>> {
    return new Map((await this.entries(account)).map((entry) => [entry.agent, entry.status]));
  }

  /**
   * The statuses this process pushed last (nothing asked of the call state): what a reader gets
   * while the shared call state is unreachable, instead of waiting for it.
   */
  lastKnown(account: string): Map<string, PresenceStatus> {
    const prefix = `${account}\u0000`;
    const known = new Map<string, PresenceStatus>();
    for (const [key, status] of this.lastPushed) if (key.startsWith(prefix)) known.set(key.slice(prefix.length), status);
    return known;
  }

  /** Every agent of the account with its derived status and what it was derived from. */
  async entries(account: string): Promise<AgentStatusEntry[]> {
    const { state, log, directory, clock } = this.deps;
    const [agents, { sessions, records }, onCall] = await Promise.all([
      directory.listAgents(account),
      state.presenceInputs(account, clock()),
      log.agentsOnCall(account),
    ]);
    const online = new Set(sessions.map((s) => s.agent));
    const busy = new Set(onCall);
    const recordOf = new Map(records.map((r) => [r.agent, r]));
    return agents.map((agent) => {
      const manual = recordOf.get(agent.id)?.manual ?? 'available';
      const phoneDnd = recordOf.get(agent.id)?.phoneDnd ?? false;
      return { agent: agent.id, name: agent.name, status: derive(online.has(agent.id), busy.has(agent.id), manual, phoneDnd), manual, phoneDnd };
    });
  }

  /** Agents who can take a new call now: online, available, not on a call. */
  async availableAgents(account: string): Promise<Set<string>> {
    const snapshot = await this.snapshot(account);
    return new Set([...snapshot].filter(([, status]) => status === 'available').map(([agent]) => agent));
  }

  async setManual(account: string, agent: string, status: ManualStatus): Promise<void> {
    await this.deps.state.setManualStatus(account, agent, status);
    await this.publishChanges(account);
  }

  /**
   * Shutdown, once the handlers stopped: passes scheduled and not started yet do nothing (a spaced
   * pass comes up to PASS_SPACING_MS later, when the call state and the call log may be closed),
   * and this resolves once the passes under way have ended.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running]);
  }

  /**
   * Call events come in bursts; one presence pass covers them all instead of recomputing every
   * agent's status for every event (a pass asks the directory, the call state and the call log).
   * A lone event's pass runs at the end of its turn of the event loop; while events keep coming,
   * an account's passes are PASS_SPACING_MS apart at least, each covering the events since the
   * last (one per turn was a pass every few events under load, issue 15).
   */
  schedulePublish(account: string): Promise<void> {
    let pending = this.scheduled.get(account);
    if (!pending) {
      const wait = (this.passStartedAt.get(account) ?? -Infinity) + PASS_SPACING_MS - performance.now();
      pending = new Promise<void>((resolve) => {
        if (wait > 0) setTimeout(resolve, wait);
        else setImmediate(resolve);
      })
        .then(async () => {
          this.scheduled.delete(account);
          if (this.stopped) return;
          this.passStartedAt.set(account, performance.now());
          const pass = this.publishChanges(account);
          this.running.add(pass);
          try {
            await pass;
          } finally {
            this.running.delete(pass);
          }
        });
      this.scheduled.set(account, pending);
    }
    return pending;
  }

  /** Pushes presence.changed for every agent whose status moved since the last push. */
  async publishChanges(account: string): Promise<AgentPresence[]> {
    const entries = await this.entries(account);
    const changed: AgentPresence[] = [];
    for (const { agent, status } of entries) {
      const key = `${account}\u0000${agent}`;
      if (this.lastPushed.get(key) === status) continue;
      this.lastPushed.set(key, status);
      changed.push({ agent, status });
    }
    for (const change of changed) {
      this.deps.push.toAccount(account, { type: 'presence.changed', at: this.deps.clock(), account, ...change });
    }
    await this.record(account, entries);
    return changed;
  }

  /**
   * Writes the picture to the agent status store when it differs from the one this process wrote
   * last, or that one is older than STATUS_RESYNC_MS. The store mirrors presence: a failure to
   * write is logged and retried on the next pass, never in the way of the pushes.
   */
  private async record(account: string, entries: AgentStatusEntry[]): Promise<void> {
    const { statuses, clock } = this.deps;
    if (!statuses) return;
    const picture = JSON.stringify(entries);
    const now = clock();
    const last = this.lastRecorded.get(account);
    if (last && last.picture === picture && now - last.at < STATUS_RESYNC_MS) return;
    try {
      await statuses.record(account, entries, now);
      this.lastRecorded.set(account, { picture, at: now });
    } catch (error) {
      this.lastRecorded.delete(account);
      this.deps.logger?.warn({ err: error, account }, 'recording agent statuses failed; the next presence pass retries');
    }
  }
}

function derive(online: boolean, onCall: boolean, manual: ManualStatus, phoneDnd: boolean): PresenceStatus {
  if (!online) return 'offline';
  if (onCall) return 'on_call';
  if (phoneDnd || manual === 'dnd') return 'dnd';
  return manual;
}
