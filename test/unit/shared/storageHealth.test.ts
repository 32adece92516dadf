import { describe, expect, it } from 'vitest';
import { StorageHealth, isStorageError, retryThroughStorageFailures, storageReason } from '../../../src/shared/storageHealth';
import { createMetrics } from '../../../src/shared/metrics';
import { withTimeout } from '../../support/wait';

const coded = (code: string) => Object.assign(new Error(code), { code });

describe('storage reasons', () => {
  it('says disk full, read-only, or the error code', () => {
    expect(['SQLITE_FULL', 'ENOSPC', 'EDQUOT'].map((c) => storageReason(coded(c)))).toEqual(['disk full', 'disk full', 'disk full']);
    expect(['SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'EROFS'].map((c) => storageReason(coded(c)))).toEqual(['read-only', 'read-only', 'read-only']);
    expect(storageReason(coded('SQLITE_IOERR_WRITE'))).toBe('SQLITE_IOERR_WRITE');
    expect(storageReason(new Error('no code'))).toBe('write failed');
  });

  it('tells a failing disk from a failing statement', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_FSYNC', 'SQLITE_READONLY', 'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'ENOSPC', 'EROFS', 'EIO']) expect(isStorageError(coded(code)), code).toBe(true);
    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'ECONNREFUSED']) expect(isStorageError(coded(code)), code).toBe(false);
    expect(isStorageError(new Error('connection lost'))).toBe(false);
  });
});

describe('StorageHealth', () => {
  it('is down with the first failing store\'s reason until each failing store writes again, and keeps the metrics', async () => {
    const metrics = createMetrics();
    let now = 1_000;
    const health = new StorageHealth({ metrics, clock: () => now });
    const changes: Array<[string, string | null]> = [];
    health.listen((store, reason) => changes.push([store, reason]));
    expect(health.report()).toEqual({ state: 'up', reason: null, failing: [], since: null });

    health.failed('database', coded('SQLITE_FULL'));
    now = 2_000;
    health.failed('database', coded('SQLITE_FULL'));
    health.failed('spool', coded('SQLITE_IOERR_WRITE'));
    expect(health.report()).toEqual({ state: 'down', reason: 'disk full', failing: ['spool', 'database'], since: 1_000 });
    health.succeeded('database');
    expect(health.report()).toEqual({ state: 'down', reason: 'SQLITE_IOERR_WRITE', failing: ['spool'], since: 2_000 });
    health.succeeded('spool');
    expect(health.isUp()).toBe(true);
    expect(changes).toEqual([['database', 'disk full'], ['spool', 'SQLITE_IOERR_WRITE'], ['database', null], ['spool', null]]);

    const text = await metrics.registry.metrics();
    expect(text).toContain('ringside_storage_up{store="spool"} 1');
    expect(text).toContain('ringside_storage_failures_total{store="database",reason="disk full"} 2');
    expect(text).toContain('ringside_storage_failures_total{store="spool",reason="SQLITE_IOERR_WRITE"} 1');
  });
});

describe('retryThroughStorageFailures', () => {
  it('runs the work again after a storage failure until it succeeds, marking the store down then up', async () => {
    const health = new StorageHealth();
    let runs = 0;
    const states: string[] = [];
    await withTimeout(retryThroughStorageFailures(async () => {
      runs += 1;
      states.push(health.report().state);
      if (runs < 3) throw coded('SQLITE_FULL');
    }, { health, store: 'database', retryDelay: () => 1 }), 'the work to succeed on its third run');
    expect(runs).toBe(3);
    expect(states).toEqual(['up', 'down', 'down']);
    expect(health.isUp()).toBe(true);
  });

  it('throws any other error at once, and a storage error once shutdown begins', async () => {
    const health = new StorageHealth();
    await expect(retryThroughStorageFailures(async () => { throw coded('SQLITE_CONSTRAINT_UNIQUE'); }, { health, store: 'database', retryDelay: () => 1 })).rejects.toThrow('SQLITE_CONSTRAINT_UNIQUE');
    expect(health.isUp()).toBe(true);

    const shutdown = new AbortController();
    let runs = 0;
    const stopped = retryThroughStorageFailures(async () => {
      runs += 1;
      throw coded('SQLITE_FULL');
    }, { health, store: 'database', retryDelay: () => 60_000, signal: shutdown.signal });
    shutdown.abort();
    await expect(withTimeout(stopped, 'the retry to give up at shutdown')).rejects.toThrow('SQLITE_FULL');
    expect(runs).toBe(1);
  });
});
