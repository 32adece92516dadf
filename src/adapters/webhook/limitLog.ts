import type { Logger } from '../../shared/logger';
import type { ConnectionLimit } from './connectionTable';

/** At most one warning per this long, however many connections a flood makes. */
export const LIMIT_LOG_EVERY_MS = 60_000;
/** The sources named in a warning: the ones that hit a cap the most. */
const TOP_SOURCES = 5;
/** Sources counted between two warnings; beyond this, the others are counted in `otherSources`. */
const MAX_TRACKED_SOURCES = 10_000;

type Action = 'refused' | 'reclaimed';

/**
 * The warning that connection caps were reached, rate-limited: the first time at once, then at
 * most once a minute with what happened since (counts by cap and the sources behind them), so a
 * flood of connections cannot flood the log as well.
 */
export class LimitLog {
  private refused = { per_address: 0, total: 0 };
  private reclaimed = { per_address: 0, total: 0 };
  private sources = new Map<string, number>();
  private otherSources = 0;
  private pending = false;
  private lastLogAt = Number.NEGATIVE_INFINITY;
  private since = 0;

  constructor(
    private readonly logger: Logger,
    private readonly describe: () => Record<string, unknown>,
    private readonly everyMs = LIMIT_LOG_EVERY_MS,
  ) {}

  note(action: Action, limit: ConnectionLimit, ip: string, now: number): void {
    if (!this.pending) this.since = now;
    this.pending = true;
    this[action][limit]++;
    const count = this.sources.get(ip);
    if (count !== undefined) this.sources.set(ip, count + 1);
    else if (this.sources.size < MAX_TRACKED_SOURCES) this.sources.set(ip, 1);
    else this.otherSources++;
    this.tick(now);
  }

  /** Nothing left to write (the listener's sweep may stop). */
  get quiet(): boolean {
    return !this.pending;
  }

  /** Writes the warning when one is due (called on every note and by the listener's sweep). */
  tick(now: number): void {
    if (!this.pending || now - this.lastLogAt < this.everyMs) return;
    const top = [...this.sources].sort((a, b) => b[1] - a[1]).slice(0, TOP_SOURCES).map(([ip, count]) => ({ ip, count }));
    this.logger.warn(
      {
        refused: this.refused, reclaimed: this.reclaimed, sources: top, distinctSources: this.sources.size,
        ...(this.otherSources > 0 ? { fromUntrackedSources: this.otherSources } : {}),
        sinceMs: now - this.since, ...this.describe(),
      },
      'webhook connection limit reached: new connections refused (503) or waiting ones closed to make room',
    );
    this.lastLogAt = now;
    this.pending = false;
    this.refused = { per_address: 0, total: 0 };
    this.reclaimed = { per_address: 0, total: 0 };
    this.sources = new Map();
    this.otherSources = 0;
  }
}
