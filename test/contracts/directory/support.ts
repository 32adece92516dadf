// What the directory contract's cases share (test/contracts/directoryContract.ts).
import { afterEach, beforeEach, expect } from 'vitest';
import type { Directory } from '../../../src/domain/directory/Directory';
import type { DispositionStore } from '../../../src/domain/directory/Lookups';
import type { ImportLimits } from '../../../src/domain/directory/contacts';
import type { NumberNormaliser } from '../../../src/domain/directory/numbers';
import type { SecretBox } from '../../../src/shared/secretBox';

export interface DirectoryOptions {
  defaultCountry?: string;
  importLimits?: Partial<ImportLimits>;
  /** Seals phone web passwords; the adapter's default when absent. */
  secrets?: SecretBox;
}

export type DirectoryUnderTest = Directory & { readonly numbers: NumberNormaliser };

/** One empty store per test (a SQLite file, or a PostgreSQL database emptied), and what the cases need of it beyond the port. */
export interface DirectoryStore {
  /** A directory on the store, opened as a server opens it (migrations, re-keying of contacts). */
  open(options?: DirectoryOptions): Promise<DirectoryUnderTest>;
  /** A directory on the same store through another connection: another process on the file, another server on the database. */
  openOther(options?: DirectoryOptions): Promise<DirectoryUnderTest>;
  dispositions(): Promise<DispositionStore>;
  /** The phone's `control_password` column as stored. */
  storedControlPassword(account: string, mac: string): Promise<string | null>;
  /** A helpline row written straight into the table, as by a Ringside from before the rule was enforced. */
  insertLegacyHelpline(account: string, number: string, name: string): Promise<void>;
  cleanup(): Promise<void>;
}

export type OpenDirectoryStore = () => Promise<DirectoryStore>;

export const directoryError = (code: string) => expect.objectContaining({ name: 'DirectoryError', code });



/** A fresh store before each case of the enclosing describe (given to `take` with its directory), cleaned up after it. */
export function freshStorePerCase(open: OpenDirectoryStore, take: (store: DirectoryStore, dir: DirectoryUnderTest) => void): void {
  let store: DirectoryStore | null = null;
  beforeEach(async () => {
    store = await open();
    take(store, await store.open());
  });
  afterEach(async () => {
    await store?.cleanup();
    store = null;
  });
}
