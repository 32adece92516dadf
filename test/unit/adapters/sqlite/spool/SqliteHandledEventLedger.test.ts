import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HANDLED_EVENT_WINDOW_MS, handledMarkerCutoff, MemoryHandledEventLedger } from '../../../../../src/domain/bus/HandledEventLedger';
import { SqliteHandledEventLedger } from '../../../../../src/adapters/sqlite/spool/SqliteHandledEventLedger';
import { makeTempDir } from '../../../../support/tmp';

const HOUR_MS = 60 * 60 * 1000;

describe('SqliteHandledEventLedger', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let file: string;
  const opened: SqliteHandledEventLedger[] = [];
  const open = (options?: Parameters<typeof SqliteHandledEventLedger.open>[1]) => {
    const ledger = SqliteHandledEventLedger.open(file, options);
    opened.push(ledger);
    return ledger;
  };

  beforeEach(() => {
    tmp = makeTempDir();
    file = join(tmp.dir, 'ledger.db');
  });
  afterEach(() => {
    for (const ledger of opened.splice(0)) ledger.close();
    tmp.cleanup();
  });

  it('remembers added ids, also in a ledger opened later on the same file (a restart)', () => {
    const ledger = open();
    expect(ledger.has('01A')).toBe(false);
    ledger.add('01A');
    ledger.add('01A');
    expect(ledger.has('01A')).toBe(true);
    expect(open().has('01A')).toBe(true);
  });

  it('uses WAL, so an added id is committed for other connections at once', () => {
    open().add('01B');
    const reader = new Database(file, { readonly: true });
    try {
      expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(reader.prepare('SELECT COUNT(*) FROM handled_events WHERE id = ?').pluck().get('01B')).toBe(1);
    } finally {
      reader.close();
    }
  });

  it('prunes ids older than the redelivery window (HANDLED_EVENT_WINDOW_MS, 7 days by default) and still knows the recent ones', () => {
    expect(HANDLED_EVENT_WINDOW_MS).toBe(7 * 24 * HOUR_MS);
    const ledger = open();
    ledger.add('old');
    const now = Date.now();
    expect(ledger.prune(now + HANDLED_EVENT_WINDOW_MS - HOUR_MS)).toBe(0);
    expect(ledger.has('old')).toBe(true);
    expect(ledger.prune(now + HANDLED_EVENT_WINDOW_MS + HOUR_MS)).toBe(1);
    expect(ledger.has('old')).toBe(false);
  });

  it('prunes on open and, now and then, on add', () => {
    open().add('a');
    expect(open({ retentionMs: -1 }).has('a')).toBe(false);
    const ledger = open({ retentionMs: -1, pruneEveryMs: 0 });
    ledger.add('b');
    ledger.add('c');
    expect(ledger.has('b')).toBe(false);
  });
});

describe('MemoryHandledEventLedger', () => {
  it('remembers ids up to its limit, forgetting the oldest first', () => {
    const ledger = new MemoryHandledEventLedger(2);
    ledger.add('a');
    ledger.add('b');
    ledger.add('c');
    expect([ledger.has('a'), ledger.has('b'), ledger.has('c')]).toEqual([false, true, true]);
  });
});

describe('handledMarkerCutoff', () => {
  const now = Date.UTC(2026, 0, 10);
  it('is the start of the redelivery window when nothing is pending in the spool', () => {
    expect(handledMarkerCutoff(now, null)).toBe(now - HANDLED_EVENT_WINDOW_MS);
  });
  it('goes back to the oldest pending event when that is older: the markers of anything handled after it stay until it comes again', () => {
    const pendingSince = now - HANDLED_EVENT_WINDOW_MS - 3 * HOUR_MS;
    expect(handledMarkerCutoff(now, pendingSince)).toBe(pendingSince);
    expect(handledMarkerCutoff(now, now - HOUR_MS)).toBe(now - HANDLED_EVENT_WINDOW_MS);
  });
});
