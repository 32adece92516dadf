// Pruning handled markers in chunks, so no prune holds the file for long (SqliteCallLog's
// MARKER_PRUNE_CHUNK). What pruning keeps and deletes is the contract's
// (test/contracts/callLog/queryCases.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HANDLED_EVENT_WINDOW_MS } from '../../../../../src/domain/bus/HandledEventLedger';
import { DAY, makeHarness, T0, type Harness } from './helpers';

let h: Harness;
beforeEach(() => {
  h = makeHarness();
});
afterEach(() => h.cleanup());

describe('pruneHandledMarkers', () => {
  it('deletes any number of markers, in chunks', async () => {
    const insert = h.db.prepare("INSERT INTO cl_processed_events (event_id, op, at) VALUES (?, 'mark', ?)");
    h.db.transaction(() => {
      for (let i = 0; i < 12_345; i++) insert.run(`old-${i}`, T0 - 10 * DAY);
      insert.run('recent', T0);
    })();
    expect(await h.log.pruneHandledMarkers(T0 - HANDLED_EVENT_WINDOW_MS)).toBe(12_345);
    expect(h.count('cl_processed_events')).toBe(1);
  });
});
