import type { Agent, Helpline } from './Directory';
import { DirectoryError } from './errors';
import { MAX_DISPOSITIONS } from '../../protocol/rest';

/**
 * Master lookups (the seed's `masterlookup:` and `dropdown:` entries): the lists the UI offers in
 * its drop-downs, per account. Adapter: CachedDirectory (cached for 1 to 24 hours, refreshed in
 * the background before they expire, dropped by every write of their entities).
 */
export const LOOKUP_NAMES = ['agents', 'helplines', 'dispositions'] as const;
export type LookupName = (typeof LOOKUP_NAMES)[number];

/** One choice of a drop-down. */
export interface LookupItem {
  value: string;
  label: string;
}

/** How a call ended for the agent's records (wrap-up code): `code` is stored, `label` shown. */
export interface Disposition {
  code: string;
  label: string;
}

/** What an account offers until it sets its own list (PUT /api/dispositions). */
export const DEFAULT_DISPOSITIONS: readonly Disposition[] = [
  { code: 'resolved', label: 'Resolved' },
  { code: 'callback', label: 'Call back' },
  { code: 'voicemail', label: 'Left a voicemail' },
  { code: 'wrong_number', label: 'Wrong number' },
  { code: 'spam', label: 'Spam or nuisance' },
];

export { MAX_DISPOSITIONS };

const DISPOSITION_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/** A list for DispositionStore.set checked and trimmed: 1 to MAX_DISPOSITIONS entries, codes unique; DirectoryError 'invalid_input' otherwise. */
export function validDispositions(items: readonly Disposition[]): Disposition[] {
  if (items.length === 0 || items.length > MAX_DISPOSITIONS) throw new DirectoryError('invalid_input', `a disposition list has 1 to ${MAX_DISPOSITIONS} entries`);
  const clean = items.map((d) => ({ code: d.code.trim(), label: d.label.trim() }));
  for (const d of clean) {
    if (!DISPOSITION_CODE.test(d.code)) throw new DirectoryError('invalid_input', `disposition code ${JSON.stringify(d.code)}: letters, digits, _ . - only (1-64)`);
    if (d.label === '' || d.label.length > 120) throw new DirectoryError('invalid_input', `disposition ${d.code}: a label of 1 to 120 characters`);
  }
  if (new Set(clean.map((d) => d.code)).size !== clean.length) throw new DirectoryError('invalid_input', 'disposition codes must be unique');
  return clean;
}

/** Where the dispositions are kept (SqliteDispositions, PostgresDispositions). */
export interface DispositionStore {
  list(account: string): Promise<Disposition[]>;
  /** Replaces the account's list (1 to MAX_DISPOSITIONS, codes unique). */
  set(account: string, items: readonly Disposition[]): Promise<Disposition[]>;
}

export interface Lookups {
  /** The list as a drop-down shows it. */
  dropdown(account: string, name: LookupName): Promise<LookupItem[]>;
  listDispositions(account: string): Promise<Disposition[]>;
  setDispositions(account: string, items: readonly Disposition[]): Promise<Disposition[]>;
}

export function isLookupName(name: string): name is LookupName {
  return (LOOKUP_NAMES as readonly string[]).includes(name);
}

export function agentsDropdown(agents: readonly Agent[]): LookupItem[] {
  return agents.map((a) => ({ value: a.id, label: a.extension ? `${a.name} (${a.extension})` : a.name }));
}

export function helplinesDropdown(helplines: readonly Helpline[]): LookupItem[] {
  return helplines.map((h) => ({ value: h.number, label: h.name === h.number ? h.number : `${h.name} (${h.number})` }));
}

export function dispositionsDropdown(dispositions: readonly Disposition[]): LookupItem[] {
  return dispositions.map((d) => ({ value: d.code, label: d.label }));
}
