import type { ServerMessage } from '../../protocol/messages';
import { isMissedCallFor } from '../../protocol/rules';
import type { MissedCallView } from '../../protocol/views';

/**
 * The tray's unread missed-call count: open missed calls this agent deals with (the ones that rang
 * for them, and helpline calls, of which the server lists an agent only their helplines':
 * isMissedCallFor in src/protocol/rules.ts, the agent UI's rule too) that the agent has not looked at yet. `call.missed` adds one, `missed.claimed` updates it (taken, or closed by a
 * call-back); what the agent has seen is reported by the agent UI (IPC `missed:seen`).
 */
export class MissedTracker {
  private readonly byId = new Map<string, MissedCallView>();
  private readonly seen = new Set<string>();
  /** Messages that arrived while a snapshot was being read: applied again on top of it. */
  private during: ServerMessage[] | null = null;

  constructor(private readonly me: string) {}

  /** Replaces what is known with the core's list (GET /api/missed?status=open) after (re)connecting. */
  reset(items: readonly MissedCallView[]): void {
    this.byId.clear();
    for (const item of items) if (item.status === 'open') this.byId.set(item.callId, item);
  }

  /**
   * Reads the core's list and replaces what is known with it; messages that arrive meanwhile are
   * applied again on top, so a call.missed pushed while the list was on its way is not lost.
   */
  async snapshot(load: () => Promise<MissedCallView[]>): Promise<void> {
    const during: ServerMessage[] = [];
    this.during = during;
    try {
      const items = await load();
      this.reset(items);
      for (const message of during) this.apply(message);
    } finally {
      if (this.during === during) this.during = null;
    }
  }

  /** Feeds one server message; returns whether the count may have changed. */
  handle(message: ServerMessage): boolean {
    const changed = this.apply(message);
    if (changed) this.during?.push(message);
    return changed;
  }

  private apply(message: ServerMessage): boolean {
    if (message.type !== 'call.missed' && message.type !== 'missed.claimed') return false;
    const { missed } = message;
    // Only open ones count; a taken or closed one is forgotten.
    if (missed.status === 'open') this.byId.set(missed.callId, missed);
    else this.byId.delete(missed.callId);
    return true;
  }

  /** The agent UI's whole list of seen missed calls (it keeps the newest 500): replaces the previous one. */
  setSeen(callIds: Iterable<string>): void {
    this.seen.clear();
    for (const id of callIds) this.seen.add(id);
  }

  isMine(item: MissedCallView): boolean {
    return isMissedCallFor(item, this.me);
  }

  /** Open, mine, not yet seen. */
  unread(): number {
    let count = 0;
    for (const item of this.byId.values()) if (item.status === 'open' && this.isMine(item) && !this.seen.has(item.callId)) count++;
    return count;
  }
}
