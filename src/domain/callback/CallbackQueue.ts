import type { CallAudience, CallLog, MissedCallView } from '../calllog/CallLog';
import { dealsWith } from '../calllog/audience';
import type { Queues } from '../queues/Queues';
import type { Logger } from '../../shared/logger';

/** The queue's name (queue:callback under the account's prefix). */
export const CALLBACK_QUEUE = 'callback';
const DESCRIPTION = 'Open missed calls to call back, oldest first; a direct call only for its agents, a helpline call for its members';

/** How a helpline's members are named in a queue item's audience (agent ids cannot contain `:`). */
export function helplineMember(number: string): string {
  return `helpline:${number}`;
}

/**
 * Who may call a missed call back, as a queue item's audience: a direct call's agents (when it
 * had any); a helpline call's agents and the helpline's members (helplineMember, so membership is
 * read when the call is taken, not when it was queued); null: anyone.
 */
export function callBackAudience(missed: MissedCallView): string[] | null {
  if (missed.line === 'helpline' && missed.helpline !== null) return [...missed.targets, helplineMember(missed.helpline)];
  return missed.targets.length > 0 ? [...missed.targets] : null;
}

/** The names an agent takes queue items under: their id and their helplines' (helplineMember). */
export function takerNames(audience: CallAudience): string[] {
  return [audience.agent, ...audience.helplines.map(helplineMember)];
}

/** The agent deals with this missed call: the rule the shell's tray and the agent UI's list follow too (src/protocol/rules.ts). */
export function mayCallBack(missed: MissedCallView, audience: CallAudience): boolean {
  return dealsWith(missed, audience);
}

export interface ClaimResult {
  won: boolean;
  missed: MissedCallView;
}

/**
 * The call-back queue: the account's open missed calls in a queue (Queues, `callback`), ordered
 * by when they were missed, from which an agent takes the oldest one it may call back.
 *
 * The call log stays the authority on ownership; the queue is its index. Taking the next call is
 * pop (atomic: no two agents get the same item) then the call log's claim (atomic, first agent
 * wins): only a claim that took the open call gives it to the agent; an item whose call is no
 * longer open (claimed by id, closed by an answered call, pruned) is dropped on the way. A claim
 * by id removes the item; a call closed by an answered call is removed when it closes. What the
 * queue could lose (a process dying between pop and claim, Redis restarted empty) or keep too
 * long is put right by reconcile(), which runs at start-up, with the periodic housekeeping, and
 * before answering that the queue is empty.
 */
export class CallbackQueue {
  constructor(private readonly deps: { queues: Queues; log: CallLog; logger: Logger; clock: () => number }) {}

  /** Describes the queue in queues:meta (once) and brings it in line with the call log. */
  async start(account: string): Promise<void> {
    await this.deps.queues.define(account, { name: CALLBACK_QUEUE, description: DESCRIPTION, createdAt: this.deps.clock() });
    await this.reconcile(account);
  }

  /** Queues an open missed call (again: a no-op). */
  async enqueue(missed: MissedCallView): Promise<void> {
    if (missed.status !== 'open') return;
    await this.deps.queues.add(missed.account, CALLBACK_QUEUE, {
      id: missed.callId, score: missed.at, data: { remote: missed.remote, line: missed.line, helpline: missed.helpline }, audience: callBackAudience(missed),
    });
  }

  /** Missed calls closed by an answered call leave the queue. Never fails its caller: a stale item is dropped when taken or reconciled. */
  async closed(account: string, missed: readonly MissedCallView[]): Promise<void> {
    try {
      for (const m of missed) await this.deps.queues.remove(account, CALLBACK_QUEUE, m.callId);
    } catch (error) {
      this.deps.logger.warn({ err: error, account }, 'could not take closed missed calls off the call-back queue; they are dropped later');
    }
  }

  /** A claim by id (POST /api/missed/:id/callback): the call log decides; a won claim takes the item off the queue. */
  async claim(account: string, callId: string, agent: string, at: number): Promise<ClaimResult | null> {
    const result = await this.deps.log.claimMissedCall(account, callId, agent, at);
    if (result?.won) await this.closed(account, [result.missed]);
    return result ? { won: result.won, missed: result.missed } : null;
  }

  /**
   * Takes the oldest open missed call the agent may call back (it rang them, it came in on one of
   * their helplines, or it rang nobody in particular): null when there is none. Checks the queue
   * against the call log once before saying so.
   */
  async takeNext(account: string, taker: CallAudience, at: number): Promise<MissedCallView | null> {
    const taken = await this.popAndClaim(account, taker, at);
    if (taken) return taken;
    await this.reconcile(account);
    return this.popAndClaim(account, taker, at);
  }

  private async popAndClaim(account: string, taker: CallAudience, at: number): Promise<MissedCallView | null> {
    const { queues, log } = this.deps;
    const agent = taker.agent;
    const members = takerNames(taker);
    for (;;) {
      const item = await queues.pop(account, CALLBACK_QUEUE, { members });
      if (!item) return null;
      let result: Awaited<ReturnType<CallLog['claimMissedCall']>>;
      try {
        result = await log.claimMissedCall(account, item.id, agent, at);
      } catch (error) {
        // The call log could not answer: the call goes back for the next taker.
        await queues.add(account, CALLBACK_QUEUE, item).catch(() => undefined);
        throw error;
      }
      // Only a claim that took the open call now: not a call someone else owns, nor one this agent already owns.
      if (result?.fresh) return result.missed;
    }
  }

  /**
   * Brings the queue in line with the call log: every open missed call queued with the audience
   * it has now (an item queued by an older version, for anyone, is queued again for its
   * audience), nothing else. The queue is read first: an item is queued only after its call was
   * recorded open, so a call queued meanwhile is never mistaken for a closed one. A call claimed
   * between the two reads may be queued again; taking it drops it (the claim is not fresh).
   */
  async reconcile(account: string): Promise<void> {
    const { queues, log } = this.deps;
    const queued = await queues.items(account, CALLBACK_QUEUE);
    const open = await log.openMissedCalls(account);
    const openById = new Map(open.map((m) => [m.callId, m]));
    const queuedById = new Map(queued.map((item) => [item.id, item]));
    for (const missed of open) {
      const item = queuedById.get(missed.callId);
      if (item && sameAudience(item.audience, callBackAudience(missed))) continue;
      if (item) await queues.remove(account, CALLBACK_QUEUE, item.id);
      await this.enqueue(missed);
    }
    for (const item of queued) if (!openById.has(item.id)) await queues.remove(account, CALLBACK_QUEUE, item.id);
  }

  /** How many calls wait (any agent's). */
  length(account: string): Promise<number> {
    return this.deps.queues.length(account, CALLBACK_QUEUE);
  }
}

function sameAudience(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
