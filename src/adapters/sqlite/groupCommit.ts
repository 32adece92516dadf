import type { SqliteDatabase } from './database';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for one SQLite connection. The first write of a turn of the event loop runs at
 * once, in its own transaction, so a lone write (a quiet office) waits for nothing; the writes
 * asked for after it in the same turn run together at the end of the turn, each in a savepoint of
 * its own, inside one IMMEDIATE transaction, and their callers' promises settle only once that
 * transaction committed. With many handlers in flight (shared mode under load), one commit then
 * carries many writes instead of one each.
 *
 * The transaction opens and closes inside one callback, so no other code on the connection ever
 * runs inside it. A write that throws is rolled back to its savepoint and only its caller sees
 * the error; a failed commit fails every write of the group (their events are handled again).
 */
export class GroupCommit {
  private pending: Pending[] = [];
  /** A write ran (or a group is waiting) in this turn: the next ones join the group. */
  private turnTaken = false;

  constructor(private readonly db: SqliteDatabase) {}

  run<T>(work: () => T): Promise<T> {
    if (!this.turnTaken) {
      this.turnTaken = true;
      setImmediate(() => this.flush());
      try {
        return Promise.resolve(this.db.transaction(work).immediate());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private flush(): void {
    this.turnTaken = false;
    if (this.pending.length === 0) return;
    const group = this.pending;
    this.pending = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.db.transaction(() => {
        for (const { work } of group) {
          try {
            // Nested in the open transaction, better-sqlite3 makes this a savepoint.
            outcomes.push({ ok: true, value: this.db.transaction(work)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      }).immediate();
    } catch (error) {
      for (const { reject } of group) reject(error);
      return;
    }
    group.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    });
  }
}
