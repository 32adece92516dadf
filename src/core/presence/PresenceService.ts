import type { CallStateStore, ManualStatus } from '../callstate/CallStateStore';
import type { CallLog } from '../calllog/CallLog';
import type { Directory } from '../directory/Directory';
import type { PushHub } from '../push/PushHub';

export type PresenceStatus = 'available' | 'away' | 'dnd' | 'on_call' | 'offline';

export interface AgentPresence {
  agent: string;
  status: PresenceStatus;
}

/**
 * Agent presence (SPEC 4.10), derived from the facts other parts keep: live UI sessions
 * (heartbeats), the agent's manual choice, the phone's DND, and calls in progress. It pushes
 * `presence.changed` when an agent's derived status differs from the last one it pushed.
 */
export class PresenceService {
  private readonly lastPushed = new Map<string, PresenceStatus>();
  private readonly scheduled = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: { state: CallStateStore; log: CallLog; directory: Directory; push: PushHub; clock: () => number },
  ) {}

  async snapshot(account: string): Promise<Map<string, PresenceStatus>> {
    const { state, log, directory, clock } = this.deps;
    const [agents, sessions, records, onCall] = await Promise.all([
      directory.listAgents(account),
      state.liveSessions(account, clock()),
      state.presenceRecords(account),
      log.agentsOnCall(account),
    ]);
    const online = new Set(sessions.map((s) => s.agent));
    const busy = new Set(onCall);
    const recordOf = new Map(records.map((r) => [r.agent, r]));
    const result = new Map<string, PresenceStatus>();
    for (const agent of agents) {
      const record = recordOf.get(agent.id);
      result.set(agent.id, derive(online.has(agent.id), busy.has(agent.id), record?.manual ?? 'available', record?.phoneDnd ?? false));
    }
    return result;
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
   * Call events come in bursts; one presence pass per turn of the event loop covers them all
   * instead of recomputing every agent's status for every event.
   */
  schedulePublish(account: string): Promise<void> {
    let pending = this.scheduled.get(account);
    if (!pending) {
      pending = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => {
          this.scheduled.delete(account);
          return this.publishChanges(account);
        })
        .then(() => undefined);
      this.scheduled.set(account, pending);
    }
    return pending;
  }

  /** Pushes presence.changed for every agent whose status moved since the last push. */
  async publishChanges(account: string): Promise<AgentPresence[]> {
    const snapshot = await this.snapshot(account);
    const changed: AgentPresence[] = [];
    for (const [agent, status] of snapshot) {
      const key = `${account}\u0000${agent}`;
      if (this.lastPushed.get(key) === status) continue;
      this.lastPushed.set(key, status);
      changed.push({ agent, status });
    }
    for (const change of changed) {
      this.deps.push.toAccount(account, { type: 'presence.changed', at: this.deps.clock(), account, ...change });
    }
    return changed;
  }
}

function derive(online: boolean, onCall: boolean, manual: ManualStatus, phoneDnd: boolean): PresenceStatus {
  if (!online) return 'offline';
  if (onCall) return 'on_call';
  if (phoneDnd || manual === 'dnd') return 'dnd';
  return manual;
}
