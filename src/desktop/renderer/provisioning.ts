// What a provisioning report (POST /api/devices/:mac/provision) means to the person who pressed
// the button: did every event reach Ringside, and if not, which ones and why.
import type { ProvisionReport } from './api/types';

type Slot = ProvisionReport['slots'][number];

/** Outcomes that leave the slot pointing at this Ringside (as the core's SLOT_DONE). */
const DONE = new Set<Slot['outcome']>(['written', 'updated', 'unchanged']);

const names = (slots: readonly Slot[]) => slots.map((s) => s.label).join(', ');

export function provisionSummary(report: ProvisionReport): { tone: 'ok' | 'bad'; text: string } {
  const total = report.slots.length;
  const done = report.slots.filter((s) => DONE.has(s.outcome));
  const changed = report.slots.filter((s) => s.outcome === 'written' || s.outcome === 'updated').length;
  if (done.length === total) {
    return { tone: 'ok', text: `All ${total} events now reach Ringside (${changed} written, checked by reading them back).` };
  }
  const of = (outcome: Slot['outcome']) => report.slots.filter((s) => s.outcome === outcome);
  const parts = [`${done.length} of ${total} events reach Ringside.`];
  if (of('foreign').length > 0) parts.push(`Left alone because they hold someone else's URL: ${names(of('foreign'))}.`);
  if (of('not-kept').length > 0) parts.push(`The phone did not keep: ${names(of('not-kept'))}.`);
  if (of('too-long').length > 0) parts.push(`Too long for the phone (use a shorter token or host): ${names(of('too-long'))}.`);
  if (of('manual').length > 0) parts.push(`Paste by hand (the lines below)${report.manualReason ? `; the phone said: ${report.manualReason}` : ''}: ${names(of('manual'))}.`);
  return { tone: 'bad', text: parts.join(' ') };
}
