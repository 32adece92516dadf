import { afterEach, beforeEach, describe } from 'vitest';
import type { CallStateStore } from '../../src/domain/callstate/CallStateStore';
import { lateEventCases } from './callstate/lateEventCases';
import { lifecycleCases } from './callstate/lifecycleCases';
import { propertyCases } from './callstate/propertyCases';
import { seedOperationCases } from './callstate/seedOperationCases';
import { transferCases } from './callstate/transferCases';

export interface CallStateStoreHarness {
  store: CallStateStore;
  /** Closes the store and removes its storage. */
  cleanup: () => Promise<void>;
}

/** What the cases get: the store of the current test and a clock base close to Date.now(). */
export interface CallStateContext {
  store: () => CallStateStore;
  /**
   * Date.now() at the start of the test. Methods that take `now` are driven from it (expiry is
   * tested by passing a later `now`); methods without one use the real clock, so t0 must be real.
   */
  t0: () => number;
}

/**
 * The behaviour every CallStateStore adapter must have (SqliteCallStateStore, RedisCallStateStore).
 * Run it unchanged against each adapter.
 */
export function describeCallStateStoreContract(name: string, factory: () => Promise<CallStateStoreHarness>): void {
  describe(`CallStateStore contract: ${name}`, () => {
    let harness: CallStateStoreHarness;
    let t0 = 0;
    beforeEach(async () => {
      harness = await factory();
      t0 = Date.now();
    });
    afterEach(async () => {
      await harness.cleanup();
    });
    const ctx: CallStateContext = { store: () => harness.store, t0: () => t0 };

    describe('ringing, answered, legEnded', () => lifecycleCases(ctx));
    describe('late events of an ended call (reordered by the seats relaying them)', () => lateEventCases(ctx));
    describe('transfers', () => transferCases(ctx));
    describe("the seed's call-cache operations and presence", () => seedOperationCases(ctx));
    describe('properties', () => propertyCases(ctx));
  });
}
