import type { ProvisionReport, SlotOutcome, SlotReport } from '../../protocol/responses';
import { PhoneError } from '../phone/errors';
import type { ActionUrl } from './actionUrls';
import { hostAndPort, withHttpScheme } from '../../shared/httpAddress';

/** The part of the phone client provisioning needs: its configuration values by P-value. */
export interface PhoneConfigAccess {
  readValues(names: readonly string[]): Promise<Record<string, string>>;
  writeValues(values: Readonly<Record<string, string>>): Promise<void>;
}

/** Ringside's phone listener, as the phone reaches it: a slot pointing here is Ringside's. */
export interface ListenerAddress {
  host: string;
  port: number;
}

/** What happened to each Action URL slot, as the agent API answers it (defined, with each outcome's meaning, in src/protocol). */
export type { ProvisionReport, SlotOutcome, SlotReport };

/** Outcomes that leave the slot pointing at Ringside (or about to, in a dry run). */
export const SLOT_DONE: ReadonlySet<SlotOutcome> = new Set(['written', 'updated', 'unchanged']);

/**
 * Points the phone's Action URL slots at Ringside through its configuration API: reads every
 * slot, writes only empty slots and slots holding this listener's own older URLs, then reads
 * them back, because a phone may answer success and still drop a value. A slot holding anyone
 * else's URL (a CRM, another seat's Ringside) is left as it is. With `dryRun`, nothing is
 * written and the outcomes say what would happen.
 */
export async function provisionActionUrls(phone: PhoneConfigAccess, urls: readonly ActionUrl[], listener: ListenerAddress, options: { dryRun?: boolean } = {}): Promise<ProvisionReport> {
  const dryRun = options.dryRun ?? false;
  const names = urls.map((u) => u.pValue);
  let current: Record<string, string>;
  try {
    current = await phone.readValues(names);
  } catch (error) {
    if (isUnsupported(error)) return allManual(urls, (error as Error).message, dryRun);
    throw error;
  }
  const slots = urls.map((u) => planSlot(u, current[u.pValue] ?? '', listener));
  const toWrite = slots.filter((s) => s.outcome === 'written' || s.outcome === 'updated');
  if (dryRun || toWrite.length === 0) return { slots, manualReason: null, dryRun };
  try {
    await phone.writeValues(Object.fromEntries(toWrite.map((s) => [s.pValue, s.url])));
  } catch (error) {
    if (!isUnsupported(error) && !isRefused(error)) throw error;
    for (const slot of toWrite) slot.outcome = 'manual';
    return { slots, manualReason: (error as Error).message, dryRun };
  }
  const readBack = await phone.readValues(toWrite.map((s) => s.pValue));
  for (const slot of toWrite) if (readBack[slot.pValue] !== slot.url) slot.outcome = 'not-kept';
  return { slots, manualReason: null, dryRun };
}

function planSlot(u: ActionUrl, found: string, listener: ListenerAddress): SlotReport {
  const slot = { label: u.label, pValue: u.pValue, url: u.url, found };
  const value = found.trim();
  if (value === u.url) return { ...slot, outcome: 'unchanged' };
  if (value !== '' && !pointsAtListener(value, listener)) return { ...slot, outcome: 'foreign' };
  if (u.tooLong) return { ...slot, outcome: 'too-long' };
  return { ...slot, outcome: value === '' ? 'written' : 'updated' };
}

/** True when a slot's URL (with or without its scheme) goes to this listener's Action URL path. */
export function pointsAtListener(value: string, listener: ListenerAddress): boolean {
  let url: URL;
  try {
    url = new URL(withHttpScheme(value));
  } catch {
    return false;
  }
  const { host, port } = hostAndPort(url);
  return url.protocol === 'http:' && host.toLowerCase() === listener.host.toLowerCase() && port === listener.port && url.pathname.startsWith('/gs/');
}

function allManual(urls: readonly ActionUrl[], reason: string, dryRun: boolean): ProvisionReport {
  return { slots: urls.map((u) => ({ label: u.label, pValue: u.pValue, url: u.url, outcome: 'manual', found: '' })), manualReason: reason, dryRun };
}

function isUnsupported(error: unknown): boolean {
  return error instanceof PhoneError && error.code === 'phone_unsupported';
}

/** The phone understood the write and would not do it (configuration locked). */
function isRefused(error: unknown): boolean {
  return error instanceof PhoneError && error.code === 'phone_refused';
}
