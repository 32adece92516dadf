import { afterEach, beforeEach, describe } from 'vitest';
import type { CallLog } from '../../src/domain/calllog/CallLog';
import type { Contact } from '../../src/domain/directory/Directory';
import { idempotencyCases } from './callLog/idempotencyCases';
import { lifecycleCases } from './callLog/lifecycleCases';
import { localDayCases } from './callLog/localDayCases';
import { missedCases } from './callLog/missedCases';
import { openCallCases } from './callLog/openCallCases';
import { queryCases } from './callLog/queryCases';
import { visibilityCases } from './callLog/visibilityCases';

/**
 * What a test may ask of a call log's adapter when it is made. The contact hooks are the
 * synchronous one-number form; an adapter whose hooks are batched and asynchronous
 * (PostgresCallLog) gets them wrapped by its harness.
 */
export interface CallLogHarnessOptions {
  contactLookup?: (account: string, number: string) => Contact | null;
  contactSearch?: (account: string, q: string) => Array<{ number: string; tail: string | null }>;
  timeZone?: string;
  clock?: () => number;
}

export interface CallLogHarness {
  log: CallLog;
  /** Another call log on the same storage with its own connections: another process, or another server. */
  second(): Promise<CallLog>;
  /** Rows of a read-only query on the storage; `?` placeholders. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  count(table: string): Promise<number>;
  /** Every row of a table, in an order that is the same while nothing changes (to compare snapshots). */
  tableRows(table: string): Promise<unknown[]>;
  /** Closes the call logs and their connections. */
  cleanup(): Promise<void>;
}

export type CallLogFactory = (options?: CallLogHarnessOptions) => Promise<CallLogHarness>;

/** What the cases get: the current test's harness, and ways to make others. */
export interface CallLogContext {
  h: () => CallLogHarness;
  /** Replaces the test's harness with one made with these options (in a beforeEach or a test). */
  reopen: (options: CallLogHarnessOptions) => Promise<CallLogHarness>;
  /**
   * An empty call log for one run of a property, which the caller cleans up. It may take the
   * place of the test's own (an adapter's harnesses may share one storage, emptied when made).
   */
  fresh: (options?: CallLogHarnessOptions) => Promise<CallLogHarness>;
}

/**
 * The behaviour every CallLog adapter must have (SqliteCallLog, PostgresCallLog): run unchanged
 * against each (test/contracts/callLog/callLog.test.ts). Each test starts from an empty call log.
 */
export function describeCallLogContract(name: string, factory: CallLogFactory): void {
  describe(`CallLog contract: ${name}`, () => {
    let harness: CallLogHarness | null = null;
    beforeEach(async () => {
      harness = await factory();
    });
    afterEach(async () => {
      await harness?.cleanup();
      harness = null;
    });
    const ctx: CallLogContext = {
      h: () => harness!,
      reopen: async (options) => {
        await harness?.cleanup();
        harness = await factory(options);
        return harness;
      },
      fresh: (options) => factory(options),
    };

    describe('lifecycle', () => lifecycleCases(ctx));
    describe('idempotency by event id', () => idempotencyCases(ctx));
    describe('missed calls', () => missedCases(ctx));
    describe('openCallOf and recovery', () => openCallCases(ctx));
    describe('queries, statistics and pruning', () => queryCases(ctx));
    describe('statistics per local day', () => localDayCases(ctx));
    describe('who sees which calls', () => visibilityCases(ctx));
  });
}
