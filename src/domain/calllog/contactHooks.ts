import type { Contact } from '../directory/Directory';

/**
 * The contact hooks of a call log whose directory is another adapter on the same PostgreSQL
 * database (docs/architecture.md, PostgreSQL): asynchronous, and batched so a page of calls costs
 * one lookup, not one per row. The directory adapter builds them; the call log only calls them.
 */

/** Caller cards for remote numbers (exactly as the calls have them): the map has an entry for each number that has a contact. */
export type PostgresContactLookup = (account: string, numbers: string[]) => Promise<Map<string, Contact>>;

/** Numbers (and their last digits) of contacts whose name matches q, for the free-text call search. */
export type PostgresContactSearch = (account: string, q: string) => Promise<Array<{ number: string; tail: string | null }>>;
