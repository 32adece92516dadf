import type { CallerCard } from '../../protocol/views';
import type { Contact, Directory } from '../directory/Directory';
import { numberNormaliser, type NumberNormaliser } from '../directory/numbers';
import type { Logger } from '../../shared/logger';
import type { CrmLookup, CrmRecord } from './CrmLookup';

/**
 * The caller card a popup shows (docs/agent-api.md, Caller cards): who is calling, from the directory, else from the
 * CRM, else what the phone said. `call.ringing` carries it as `card` (defined in src/protocol;
 * the number is E.164 when it can be placed, see numbers.ts).
 */
export type { CallerCard };

/**
 * A card as far as it is known now. `crm` is set while a CRM lookup is under way: it settles,
 * never rejecting, within the CRM timeout with the final card (`card` itself when the CRM does
 * not know the caller, fails or is too slow).
 */
export interface CardLookup {
  card: CallerCard;
  crm: Promise<CallerCard> | null;
}

/** The port the call handlers ask for a card; it never rejects. */
export interface CallerCards {
  cardFor(account: string, caller: { remote: string; displayName: string }): Promise<CardLookup>;
}

/** A display name that is only the number again (phones often send one) says nothing. */
function meaningfulName(displayName: string, remote: string, numbers: NumberNormaliser): string | null {
  const name = displayName.trim();
  if (name === '') return null;
  if (/^[\d\s+\-.()*#]+$/.test(name) && numbers.matches(name, remote)) return null;
  return name;
}

function fromContact(number: string, contact: Contact): CallerCard {
  return { number, name: contact.name, company: contact.company, notes: contact.notes, crmUrl: contact.crmUrl, source: 'contact' };
}

function fromCrm(number: string, record: CrmRecord): CallerCard {
  return { number, name: record.name, company: record.company, notes: record.notes, crmUrl: record.url, source: 'crm' };
}

/**
 * Cards from the directory and, for callers it does not know, an optional CRM (HttpCrmLookup:
 * cached hits and misses, a bounded wait). Numbers the library cannot place in E.164
 * (extensions, service codes, national numbers without a default country) are not sent to the CRM.
 */
export class DirectoryCallerCards implements CallerCards {
  private readonly numbers: NumberNormaliser;

  constructor(private readonly deps: {
    directory: Pick<Directory, 'contactByNumber'>;
    /** The directory's normaliser (its default country); none by default. */
    numbers?: NumberNormaliser;
    crm?: CrmLookup | null;
    logger?: Logger;
  }) {
    this.numbers = deps.numbers ?? numberNormaliser(null);
  }

  async cardFor(account: string, caller: { remote: string; displayName: string }): Promise<CardLookup> {
    const { remote, displayName } = caller;
    const number = this.numbers.canonical(remote).number;
    const name = meaningfulName(displayName, remote, this.numbers);
    const fallback: CallerCard = { number, name, company: null, notes: null, crmUrl: null, source: name === null ? 'none' : 'phone' };
    if (number === '') return { card: fallback, crm: null };
    let contact: Contact | null = null;
    try {
      contact = await this.deps.directory.contactByNumber(account, remote);
    } catch (error) {
      this.deps.logger?.warn({ err: error }, 'caller card: directory lookup failed');
    }
    if (contact) return { card: fromContact(number, contact), crm: null };
    const crm = this.deps.crm;
    const e164 = this.numbers.e164(remote);
    if (!crm || e164 === null) return { card: fallback, crm: null };
    const cached = crm.cached(account, e164);
    if (cached !== undefined) return { card: cached ? fromCrm(number, cached) : fallback, crm: null };
    return { card: fallback, crm: crm.lookup(account, e164).then((record) => (record ? fromCrm(number, record) : fallback)) };
  }
}
