/** What a CRM knows about a caller. */
export interface CrmRecord {
  name: string;
  company: string | null;
  notes: string | null;
  url: string | null;
}

/** The CRM port CallerCards uses (the HTTP adapter: src/adapters/crm/HttpCrmLookup.ts). */
export interface CrmLookup {
  /** The cached answer: a record (hit), null (miss), or undefined when nothing is cached. */
  cached(account: string, e164: string): CrmRecord | null | undefined;
  /** The CRM's answer: null when it does not know the number, fails or does not answer in time. Never rejects. */
  lookup(account: string, e164: string): Promise<CrmRecord | null>;
}
