import { describe, expect, it } from 'vitest';
import type { ProvisionReport } from '../../../../src/desktop/renderer/api/types';
import { provisionSummary } from '../../../../src/desktop/renderer/provisioning';

const slot = (label: string, outcome: ProvisionReport['slots'][number]['outcome']) => ({ label, pValue: 'P1', url: 'http://x/gs/t/cti/e', outcome, found: '' });

describe('provisionSummary', () => {
  it('says all events reach Ringside when every slot is done, counting what was written', () => {
    const report: ProvisionReport = { dryRun: false, manualReason: null, slots: [slot('Incoming Call', 'written'), slot('Missed Call', 'unchanged'), slot('Hold', 'updated')] };
    expect(provisionSummary(report)).toEqual({ tone: 'ok', text: 'All 3 events now reach Ringside (2 written, checked by reading them back).' });
  });

  it('names the slots left alone, not kept, too long, or to paste by hand, with the phone\'s words', () => {
    const report: ProvisionReport = {
      dryRun: false, manualReason: 'forbidden: configuration is read-only',
      slots: [slot('Incoming Call', 'written'), slot('Missed Call', 'foreign'), slot('Hold', 'not-kept'), slot('UnHold', 'too-long'), slot('DND On', 'manual')],
    };
    const { tone, text } = provisionSummary(report);
    expect(tone).toBe('bad');
    expect(text).toBe("1 of 5 events reach Ringside. Left alone because they hold someone else's URL: Missed Call. The phone did not keep: Hold. "
      + 'Too long for the phone (use a shorter token or host): UnHold. Paste by hand (the lines below); the phone said: forbidden: configuration is read-only: DND On.');
  });
});
