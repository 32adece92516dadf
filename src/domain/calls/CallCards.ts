import type { CardLookup } from '../cards/CallerCards';
import { TTL_MS } from '../callstate/ttl';

/** Calls whose card is kept at most; beyond, the oldest are forgotten (a call whose end never came). */
const MAX_CALLS = 10_000;

type Caller = { remote: string; displayName: string };

interface Memo {
  /** null until the call state said which call the lookup's ringing event belongs to. */
  callId: string | null;
  displayName: string;
  startedAt: number;
  lookup: Promise<CardLookup>;
}

/** A ringing event's card: asked for before the call state answers, taken once it has (`of`). */
export interface PendingCard {
  of(callId: string): Promise<CardLookup>;
}

/**
 * Caller cards memoised per call (issue 15): every ringing leg of one call (a ring group's phones
 * each report `incoming`) shows the card its first leg looked up, so the directory and the CRM are
 * asked once per call, not once per event. A ringing event starts its lookup alongside the
 * call-state step (the CRM may take up to its timeout), before it knows its call: it takes the
 * caller's memo when there is one, and `of` checks that memo was of the same call, else looks up
 * again. A memo lasts until its call ends (`forget`), at most a ring's lifetime (TTL_MS.ring).
 */
export class CallCards {
  /** By account and remote: one ordering key, whose events are handled one at a time. */
  private readonly memos = new Map<string, Memo>();

  constructor(
    private readonly lookup: (account: string, caller: Caller) => Promise<CardLookup>,
    private readonly clock: () => number,
  ) {}

  start(account: string, caller: Caller): PendingCard {
    const key = memoKey(account, caller.remote);
    const found = this.live(key, caller.displayName);
    const memo = found ?? this.remember(key, null, account, caller);
    return {
      of: (callId) => {
        if (memo.callId === null || memo.callId === callId) {
          memo.callId = callId;
          return memo.lookup;
        }
        // The memo was another call's (a new call from the same caller): this one looks up afresh.
        return this.remember(key, callId, account, caller).lookup;
      },
    };
  }

  /** The call ended: its later events ring nobody, and the caller's next call looks the card up again. */
  forget(account: string, remote: string, callId: string): void {
    const key = memoKey(account, remote);
    if (this.memos.get(key)?.callId === callId) this.memos.delete(key);
  }

  private live(key: string, displayName: string): Memo | undefined {
    const memo = this.memos.get(key);
    // The phone's display name is part of the card: a leg reporting another one looks up its own.
    if (!memo || memo.displayName !== displayName || this.clock() - memo.startedAt > TTL_MS.ring) return undefined;
    return memo;
  }

  private remember(key: string, callId: string | null, account: string, caller: Caller): Memo {
    const memo: Memo = { callId, displayName: caller.displayName, startedAt: this.clock(), lookup: this.lookup(account, caller) };
    this.memos.delete(key);
    this.memos.set(key, memo);
    if (this.memos.size > MAX_CALLS) this.memos.delete(this.memos.keys().next().value!);
    return memo;
  }
}

function memoKey(account: string, remote: string): string {
  return `${account}\u0000${remote}`;
}
