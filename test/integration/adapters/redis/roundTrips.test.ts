import type { Redis } from 'ioredis';
import { ulid } from 'ulid';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RedisCallStateStore } from '../../../../src/adapters/redis/callstate/RedisCallStateStore';
import { uniqueName } from '../../../support/services';
import { adminRedis, deleteUnder } from '../../../support/redis';
import { waitFor } from '../../../support/wait';

const ACCOUNT = 'acme';
const REMOTE = '+15550100';
const [DEV_A, DEV_B, DEV_C] = ['000B82000A01', '000B82000B02', '000B82000C03'] as const;

/**
 * What the Redis server saw from one client connection, read from MONITOR on another connection
 * and cut into steps by PING markers sent through the watched connection: a marker is in the
 * server's order of that connection, so once MONITOR shows it every command sent before it has
 * been shown too (no sleeps).
 */
class CommandWatch {
  private seen: string[][] = [];
  private waiting = new Map<string, () => void>();

  private constructor(private readonly monitor: Redis, private readonly watched: Redis, private readonly address: string) {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== this.address) return;
      const marker = args[0]?.toLowerCase() === 'ping' ? args[1] : undefined;
      if (marker !== undefined && this.waiting.has(marker)) this.waiting.get(marker)!();
      else this.seen.push(args);
    });
  }

  static async start(admin: Redis, watched: Redis): Promise<CommandWatch> {
    const info = (await watched.client('INFO')) as string;
    const address = /(?:^| )addr=(\S+)/.exec(info)![1]!;
    const watch = new CommandWatch(await admin.monitor(), watched, address);
    await watch.step();
    return watch;
  }

  /** Waits until MONITOR has shown everything sent so far; returns the command names since the last step. */
  async step(): Promise<string[]> {
    const marker = `rt-marker-${ulid()}`;
    const shown = waitFor<void>(`MONITOR to show the PING marker ${marker}`, (resolve) => {
      this.waiting.set(marker, () => resolve());
      return () => this.waiting.delete(marker);
    });
    await this.watched.ping(marker);
    await shown;
    const names = this.seen.map((args) => args[0]!.toLowerCase());
    this.seen = [];
    return names;
  }

  async stop(): Promise<void> {
    this.monitor.disconnect();
  }
}

let admin: Redis;
let client: Redis;
let root: string;
let watch: CommandWatch | null = null;

beforeEach(() => {
  admin = adminRedis();
  client = adminRedis();
  root = uniqueName('state');
});
afterEach(async () => {
  await watch?.stop();
  watch = null;
  await deleteUnder(admin, root);
  await client.quit();
  await admin.quit();
});

it('each transition of a call lifecycle (ring group, answer, missed, hang-up, transfer) is one command: one round trip', async () => {
  // The store gets a connection of its own (a caller-owned one) so its commands can be picked out.
  const store = new RedisCallStateStore(client, { root });
  watch = await CommandWatch.start(admin, client);
  const now = Date.now();
  const steps: Array<[string, () => Promise<unknown>]> = [
    ['ring A', () => store.ringing(ACCOUNT, { remote: REMOTE, mac: DEV_A, eventId: ulid(), candidateCallId: 'call-1', direction: 'in', now, transferWindowMs: 120_000 })],
    ['ring B', () => store.ringing(ACCOUNT, { remote: REMOTE, mac: DEV_B, eventId: ulid(), candidateCallId: ulid(), direction: 'in', now: now + 10, transferWindowMs: 120_000 })],
    ['answer A', () => store.answered(ACCOUNT, { remote: REMOTE, mac: DEV_A, eventId: ulid(), now: now + 2_000 })],
    ['missed B', () => store.legEnded(ACCOUNT, { remote: REMOTE, mac: DEV_B, outcome: 'missed', now: now + 2_500 })],
    ['transfer', () => store.createTransferFingerprint(ACCOUNT, { callId: 'call-1', remote: REMOTE, fromAgent: 'alice', fromMac: DEV_A, at: now + 9_000 })],
    ['hang up A', () => store.legEnded(ACCOUNT, { remote: REMOTE, mac: DEV_A, outcome: 'hangup', now: now + 10_000 })],
    ['ring C (transferred)', () => store.ringing(ACCOUNT, { remote: REMOTE, mac: DEV_C, eventId: ulid(), candidateCallId: 'leg-c', direction: 'in', now: now + 11_000, transferWindowMs: 120_000 })],
    ['answer C', () => store.answered(ACCOUNT, { remote: REMOTE, mac: DEV_C, eventId: ulid(), now: now + 12_000 })],
    ['hang up C', () => store.legEnded(ACCOUNT, { remote: REMOTE, mac: DEV_C, outcome: 'hangup', now: now + 60_000 })],
  ];
  const commandsPerStep: Record<string, string[]> = {};
  for (const [name, run] of steps) {
    await run();
    commandsPerStep[name] = await watch.step();
  }
  // Exactly one command per step. ioredis sends a script's body (EVAL) the first time a connection
  // runs it and EVALSHA after that; either is one round trip.
  expect(commandsPerStep).toEqual(Object.fromEntries(steps.map(([name]) => [name, [expect.stringMatching(/^eval(sha)?$/)]])));
  expect(commandsPerStep['ring B']).toEqual(['evalsha']);
  expect(await store.wasAnswered(ACCOUNT, 'call-1')).toBe(true);
  expect(await store.getParent(ACCOUNT, 'leg-c')).toBe('call-1');
});
