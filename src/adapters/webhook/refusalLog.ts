import type { Logger } from '../../shared/logger';

/** After the first refusal of a source and reason, at most one line per this long for them. */
export const REFUSAL_LOG_EVERY_MS = 60_000;
/** Sources and reasons followed at once; refusals beyond them are counted together. */
const MAX_TRACKED = 1_000;

interface Tracked {
  ip: string;
  status: number;
  reason: string;
  lastLoggedAt: number;
  /** Refusals since the last line. */
  count: number;
  since: number;
}

/** What IT can do about a refusal, by its status. */
function hintFor(status: number): string {
  switch (status) {
    case 401:
      return 'the phone\'s Action URLs carry a wrong or old token: print the current ones with `npx ringside action-urls` and paste them, or run `npx ringside provision`';
    case 403:
      return 'the source address is outside RINGSIDE_PHONE_ALLOW';
    case 429:
      return 'more requests from this address than RINGSIDE_PHONE_RATE_LIMIT allows';
    case 404:
      return 'not one of Ringside\'s Action URLs: print them with `npx ringside action-urls`';
    default:
      return 'not a request a phone sends (malformed, or not a phone)';
  }
}

/**
 * One info line per refused phone request (docs/webhook.md, Answers), rate-limited per source
 * address and reason so that a misconfigured phone (a wrong token every few seconds) or a flood
 * cannot flood the log: the first refusal of a source and reason is logged at once, later ones
 * are counted and told in at most one line a minute with their count; a minute without any, and
 * the next is logged at once again. No path, query or header is logged: they carry tokens and numbers.
 */
export class RefusalLog {
  private readonly tracked = new Map<string, Tracked>();
  private untracked = { count: 0, since: 0, lastLoggedAt: Number.NEGATIVE_INFINITY };

  constructor(private readonly logger: Logger, private readonly everyMs = REFUSAL_LOG_EVERY_MS) {}

  note(ip: string, status: number, reason: string, now: number): void {
    const key = `${ip} ${status} ${reason}`;
    const entry = this.tracked.get(key);
    if (entry !== undefined) {
      if (entry.count === 0) entry.since = now;
      entry.count++;
      this.due(entry, now);
      return;
    }
    if (this.tracked.size >= MAX_TRACKED) {
      if (this.untracked.count === 0) this.untracked.since = now;
      this.untracked.count++;
      this.tick(now);
      return;
    }
    this.tracked.set(key, { ip, status, reason, lastLoggedAt: now, count: 0, since: now });
    this.logger.info({ ip, status, reason, hint: hintFor(status) }, 'phone request refused');
  }

  /** No source followed and nothing counted (the listener's sweep may stop until the next refusal). */
  get quiet(): boolean {
    return this.tracked.size === 0 && this.untracked.count === 0;
  }

  /** Writes the summaries that are due and forgets quiet sources (called by the listener's sweep). */
  tick(now: number): void {
    for (const [key, entry] of this.tracked) {
      if (now - entry.lastLoggedAt < this.everyMs) continue;
      if (entry.count === 0) this.tracked.delete(key);
      else this.summary(entry, now);
    }
    const other = this.untracked;
    if (other.count > 0 && now - other.lastLoggedAt >= this.everyMs) {
      this.logger.info({ count: other.count, sinceMs: now - other.since }, 'phone requests refused from many sources (too many to name each)');
      this.untracked = { count: 0, since: 0, lastLoggedAt: now };
    }
  }

  /** The counts not yet told, at once (the listener closing). */
  flush(now: number): void {
    for (const entry of this.tracked.values()) if (entry.count > 0) this.summary(entry, now);
    this.tracked.clear();
    this.untracked.lastLoggedAt = Number.NEGATIVE_INFINITY;
    this.tick(now);
  }

  private due(entry: Tracked, now: number): void {
    if (now - entry.lastLoggedAt >= this.everyMs) this.summary(entry, now);
  }

  private summary(entry: Tracked, now: number): void {
    const { ip, status, reason, count } = entry;
    this.logger.info({ ip, status, reason, count, sinceMs: now - entry.since, hint: hintFor(status) }, `phone requests refused again: ${count} more`);
    entry.lastLoggedAt = now;
    entry.count = 0;
  }
}
