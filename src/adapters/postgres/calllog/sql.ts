import type { Queryable } from '../database';

/**
 * The call log's SQL is written with named parameters (`@account`), as the SQLite call log's is,
 * so its fragments compose (visibility.ts); `named` turns them into node-postgres' `$1…` and the
 * values array. A value is always a parameter, never spliced into the text. PostgreSQL infers a
 * parameter's type from where it first appears: one that appears only as `@x IS NULL` needs a
 * cast (`@x::text`).
 */
export function named(text: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const positions = new Map<string, number>();
  const values: unknown[] = [];
  const compiled = text.replace(/@([A-Za-z_]\w*)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`call log SQL: no value for @${name}`);
    let position = positions.get(name);
    if (position === undefined) {
      values.push(params[name]);
      position = values.length;
      positions.set(name, position);
    }
    return `$${position}`;
  });
  return { text: compiled, values };
}

export async function selectRows<T>(db: Queryable, text: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const query = named(text, params);
  return (await db.query(query.text, query.values)).rows as T[];
}

export async function selectRow<T>(db: Queryable, text: string, params: Record<string, unknown> = {}): Promise<T | null> {
  return (await selectRows<T>(db, text, params))[0] ?? null;
}

/** Runs a statement; returns how many rows it changed. */
export async function execute(db: Queryable, text: string, params: Record<string, unknown> = {}): Promise<number> {
  const query = named(text, params);
  return (await db.query(query.text, query.values)).rowCount ?? 0;
}
