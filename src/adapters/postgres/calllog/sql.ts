import type { Queryable } from '../database';

/**
 * The call log's SQL is written with named parameters (`@account`), as the SQLite call log's is,
 * so its fragments compose (visibility.ts); `named` turns them into node-postgres' `$1…` and the
 * values array. A value is always a parameter, never spliced into the text. PostgreSQL infers a
 * parameter's type from where it first appears: one that appears only as `@x IS NULL` needs a
 * cast (`@x::text`).
 */
/** Each SQL text compiled once (its `$n` text and parameter names in order): the queries run on every call event. */
const compiled = new Map<string, { text: string; names: string[] }>();
/** Texts are built from constants only (filters combine, values never), so this is a bound, not an eviction policy. */
const MAX_COMPILED = 1_000;

function compile(text: string): { text: string; names: string[] } {
  let entry = compiled.get(text);
  if (entry) return entry;
  const names: string[] = [];
  const compiledText = text.replace(/@([A-Za-z_]\w*)/g, (_, name: string) => {
    let position = names.indexOf(name) + 1;
    if (position === 0) position = names.push(name);
    return `$${position}`;
  });
  entry = { text: compiledText, names };
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(text, entry);
  return entry;
}

export function named(text: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const entry = compile(text);
  const values = entry.names.map((name) => {
    if (!(name in params)) throw new Error(`call log SQL: no value for @${name}`);
    return params[name];
  });
  return { text: entry.text, values };
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
