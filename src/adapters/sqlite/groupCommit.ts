import { transactionRunner, type SqliteDatabase, type TransactionRunner } from './database';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Marks that no write of an attempt threw (an error may be any value, undefined included). */
const NO_FAILURE = Symbol('no failure');

/**
 * Group commit for one SQLite connection. The first write of a turn of the event loop runs at
 * once, in its own transaction, so a lone write (a quiet office) waits for nothing; the writes
 * asked for after it in the same turn run together at the end of the turn, inside one IMMEDIATE
 * transaction, and their callers' promises settle only once that
 * transaction committed. With many handlers in flight (shared mode under load), one commit then
 * carries many writes instead of one each.
 *
 * The transaction opens and closes inside one callback, so no other code on the connection ever
 * runs inside it. A write that throws is rolled back alone and only its caller sees the error;
 * a failed commit fails every write of the group (their events are handled again).
 *
 * Writes almost never throw, so the group first runs without savepoints (two statements less per
 * write). Only when one throws is that attempt rolled back and the group run again with a
 * savepoint per write, which isolates the failing one. Running a write again is safe: it is a
 * function of the database alone (SqliteCallLog's mutations), and the rollback undid its first run.
 */
export class GroupCommit {
  private pending: Pending[] = [];
  /** A write ran (or a group is waiting) in this turn: the next ones join the group. */
  private turnTaken = false;

  private readonly transaction: TransactionRunner;

  constructor(db: SqliteDatabase) {
    this.transaction = transactionRunner(db);
  }

  run<T>(work: () => T): Promise<T> {
    if (!this.turnTaken) {
      this.turnTaken = true;
      setImmediate(() => this.flush());
      try {
        return Promise.resolve(this.transaction.immediate(work));
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
    let outcomes: Outcome[];
    try {
      outcomes = this.runTogether(group) ?? this.transaction.immediate(() => group.map(({ work }) => this.inSavepoint(work)));
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

  /**
   * The group in one transaction without savepoints: its outcomes once committed, or null when a
   * write threw (the transaction is then rolled back, nothing of the group stays). A lone write's
   * error is its own, so it is settled at once instead of run again.
   */
  private runTogether(group: Pending[]): Outcome[] | null {
    let failed: unknown = NO_FAILURE;
    const values = () => {
      const done: unknown[] = [];
      for (const { work } of group) {
        try {
          done.push(work());
        } catch (error) {
          failed = error;
          // Thrown out of the transaction's callback: better-sqlite3 rolls the whole attempt back.
          throw error;
        }
      }
      return done;
    };
    try {
      return this.transaction.immediate(values).map((value) => ({ ok: true, value }));
    } catch (error) {
      if (failed === NO_FAILURE) throw error; // BEGIN or COMMIT failed: the group's own error.
      if (group.length === 1) return [{ ok: false, error: failed }];
      return null;
    }
  }

  private inSavepoint(work: () => unknown): Outcome {
    try {
      // Nested in the open transaction, better-sqlite3 makes this a savepoint.
      return { ok: true, value: this.transaction.nested(work) };
    } catch (error) {
      return { ok: false, error };
    }
  }
}
