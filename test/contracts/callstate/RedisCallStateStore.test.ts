import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callStateScripts } from '../../../src/adapters/redis/scripts';
import { RedisCallStateStore } from '../../../src/adapters/redis/callstate/RedisCallStateStore';
import { TTL_MS } from '../../../src/domain/callstate/ttl';
import { PresenceService } from '../../../src/domain/presence/PresenceService';
import { describeCallStateStoreContract } from '../callStateStoreContract';
import { REDIS_URL, TEST_CALLS_DB } from '../../support/services';
import { adminRedis, keysUnder, openTestStore } from '../../support/redis';
import { openClusterRedisState } from '../../support/redisState';

const admin = adminRedis();
afterAll(async () => {
  await admin.quit();
});

describeCallStateStoreContract('RedisCallStateStore', () => openTestStore(admin));

describeCallStateStoreContract('RedisCallStateStore on a Redis Cluster', async () => {
  const state = openClusterRedisState('state');
  const store = new RedisCallStateStore(state.client, { root: state.root });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await state.cleanup();
    },
  };
});

const ACCOUNT = 'acme';
const [DEV_A, DEV_B, DEV_C, DEV_D] = ['000B82000A01', '000B82000B02', '000B82000C03', '000B82000D04'] as const;
const REMOTE = '+15550100';
const WINDOW = 120_000;

describe('RedisCallStateStore (adapter specifics)', () => {
  let harness: Awaited<ReturnType<typeof openTestStore>>;
  const others: RedisCallStateStore[] = [];
  beforeEach(async () => {
    harness = await openTestStore(admin);
  });
  afterEach(async () => {
    for (const store of others.splice(0)) await store.close();
    await harness.cleanup();
  });

  const ring = (store: RedisCallStateStore, mac: string, now: number, more: { remote?: string; eventId?: string; candidateCallId?: string } = {}) =>
    store.ringing(ACCOUNT, {
      remote: more.remote ?? REMOTE, mac, now, eventId: more.eventId ?? ulid(), candidateCallId: more.candidateCallId ?? ulid(),
      direction: 'in', transferWindowMs: WINDOW,
    });

  it('keeps every key of a call lifecycle under the account hash tag, each expiring when ttl.ts says', async () => {
    const { store, root } = harness;
    const now = Date.now();
    await ring(store, DEV_A, now, { eventId: 'ev-1', candidateCallId: 'call-1' });
    await ring(store, DEV_B, now + 10, { eventId: 'ev-2' });
    await store.answered(ACCOUNT, { remote: REMOTE, mac: DEV_A, eventId: 'ev-3', now: now + 2_000 });
    await store.legEnded(ACCOUNT, { remote: REMOTE, mac: DEV_B, outcome: 'missed', now: now + 3_000 });
    await store.createTransferFingerprint(ACCOUNT, { callId: 'call-1', remote: REMOTE, fromAgent: 'alice', fromMac: DEV_A, at: now + 10_000 });
    expect((await store.legEnded(ACCOUNT, { remote: REMOTE, mac: DEV_A, outcome: 'hangup', now: now + 10_500 }))!.callEnded).toBe(true);
    expect(await ring(store, DEV_C, now + 11_000, { eventId: 'ev-4', candidateCallId: 'leg-c' })).toMatchObject({ kind: 'transferred', callId: 'call-1' });
    await store.answered(ACCOUNT, { remote: REMOTE, mac: DEV_C, eventId: 'ev-5', now: now + 12_000 });
    await ring(store, DEV_A, now + 13_000, { remote: '+15550200', eventId: 'ev-6', candidateCallId: 'call-2' });
    await store.createTransferFingerprint(ACCOUNT, { callId: 'call-2', remote: '+15550200', fromAgent: null, fromMac: DEV_A, at: now + 20_000 });
    await store.queueMissedCall(ACCOUNT, { callId: 'call-2', remote: '+15550200', mac: DEV_A, dueAt: now + 18_000, payload: {} });
    await store.setSessionHeartbeat(ACCOUNT, { agent: 'alice', socketId: 's-1', ttlMs: 90_000, now });
    await store.setManualStatus(ACCOUNT, 'alice', 'available');
    await store.setPhoneDnd(ACCOUNT, 'bob', true);

    const keys = await keysUnder(admin, root);
    const tenant = `${root}:account:{${ACCOUNT}}:`;
    const global = `${root}:missed:accounts`;
    expect(keys.filter((key) => !key.startsWith(tenant) && key !== global)).toEqual([]);
    const expiry = await Promise.all(keys.map((key) => admin.pexpiretime(key)));
    const expiries = Object.fromEntries(keys.map((key, i) => [key === global ? '<global> missed:accounts' : key.slice(tenant.length), expiry[i]]));
    const NONE = -1;
    expect(expiries).toEqual({
      [`calls:active:${REMOTE}`]: now + 12_000 + TTL_MS.answered,
      'calls:active:+15550200': now + 13_000 + TTL_MS.ring,
      [`calls:device_reported:${DEV_A}:${REMOTE}`]: now + 2_000 + TTL_MS.answered,
      [`calls:device_reported:${DEV_B}:${REMOTE}`]: now + 10 + TTL_MS.ring,
      [`calls:device_reported:${DEV_C}:${REMOTE}`]: now + 12_000 + TTL_MS.answered,
      [`calls:device_reported:${DEV_A}:+15550200`]: now + 13_000 + TTL_MS.ring,
      'calls:ring:call-1': now + TTL_MS.ring,
      'calls:ring:call-2': now + 13_000 + TTL_MS.ring,
      [`calls:ring_remote:${REMOTE}`]: now + TTL_MS.ring,
      'calls:ring_remote:+15550200': now + 13_000 + TTL_MS.ring,
      'calls:direction:call-1': now + TTL_MS.direction,
      'calls:direction:call-2': now + 13_000 + TTL_MS.direction,
      [`calls:recent:${REMOTE}`]: now + 10_500 + TTL_MS.recent,
      'calls:answered': now + 12_000 + TTL_MS.answered,
      ...Object.fromEntries([0, 10, 2_000, 11_000, 12_000, 13_000].map((at, i) => [`calls:event_result:ev-${i + 1}`, now + at + TTL_MS.eventResult])),
      'calls:relationship:leg-c_parent': now + 11_000 + TTL_MS.relationship,
      'calls:transfers': now + 20_000 + TTL_MS.transferRetention,
      'calls:missed:queue': NONE,
      'calls:missed:schedule': NONE,
      '<global> missed:accounts': NONE,
      'sessions:heartbeat:s-1': now + 90_000,
      'sessions:live': now + 90_000,
      'sessions:agents': now + 90_000,
      'agent:presence:alice': NONE,
      'agent:presence:bob': NONE,
      'agents:presence': NONE,
    });
    // The agent sets (agents:connected, agents:available) are the agent status store's, which
    // PresenceService keeps from these sessions and flags (test/contracts/agentStatusStore/agentStatus.test.ts).
    expect(keys.some((key) => key.startsWith(`${tenant}agents:connected`) || key.startsWith(`${tenant}agents:available`))).toBe(false);
  });

  it('sessions of one agent: the agent stays live until its last session goes', async () => {
    const { store } = harness;
    const now = Date.now();
    await store.setSessionHeartbeat(ACCOUNT, { agent: 'alice', socketId: 's-1', ttlMs: 90_000, now });
    await store.setSessionHeartbeat(ACCOUNT, { agent: 'alice', socketId: 's-2', ttlMs: 90_000, now });
    await store.removeSession(ACCOUNT, 's-1');
    expect((await store.liveSessions(ACCOUNT, now)).map((s) => s.socketId)).toEqual(['s-2']);
    await store.removeSession(ACCOUNT, 's-2');
    expect(await store.liveSessions(ACCOUNT, now)).toEqual([]);
  });

  it('two stores on two connections racing ringing for the same remotes make one call per remote with every leg', async () => {
    const other = await RedisCallStateStore.connect({ url: REDIS_URL, db: TEST_CALLS_DB, root: harness.root });
    others.push(other);
    const now = Date.now();
    const devices = [DEV_A, DEV_B, DEV_C, DEV_D];
    const remotes = Array.from({ length: 50 }, (_, i) => `+1555${String(i).padStart(4, '0')}`);
    const results = await Promise.all(remotes.flatMap((remote) => devices.map((mac, d) =>
      ring(d % 2 === 0 ? harness.store : other, mac, now, { remote, candidateCallId: `${remote}-${mac}` }))));
    for (const [r, remote] of remotes.entries()) {
      const perDevice = results.slice(r * devices.length, (r + 1) * devices.length);
      expect(new Set(perDevice.map((result) => result.callId)).size).toBe(1);
      expect(perDevice.map((result) => result.kind).sort()).toEqual(['joined', 'joined', 'joined', 'new']);
      const active = await other.getActiveCall(ACCOUNT, remote, now);
      expect(active!.callId).toBe(perDevice[0]!.callId);
      expect(Object.keys(active!.legs).sort()).toEqual([...devices].sort());
    }
  });

  it('a transition still works after SCRIPT FLUSH: EVALSHA falls back to EVAL, which loads the script again', async () => {
    const { store } = harness;
    const now = Date.now();
    const first = await ring(store, DEV_A, now);
    await ring(store, DEV_B, now + 10);
    const sha = createHash('sha1').update(callStateScripts().get('ringing')!.lua).digest('hex');
    await admin.script('FLUSH');
    expect(await admin.script('EXISTS', sha)).toEqual([0]);
    expect(await ring(store, DEV_C, now + 20)).toMatchObject({ kind: 'joined', callId: first.callId });
    expect(await admin.script('EXISTS', sha)).toEqual([1]);
    expect(Object.keys((await store.getActiveCall(ACCOUNT, REMOTE, now + 30))!.legs).sort()).toEqual([DEV_A, DEV_B, DEV_C].sort());
  });

  it('a caller-owned connection stays open after close()', async () => {
    const client = adminRedis();
    const store = new RedisCallStateStore(client, { root: harness.root });
    await store.close();
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });

  it('a presence pass (after every call event) reads the call state in one command: the presenceInputs script', async () => {
    const client = adminRedis();
    const store = new RedisCallStateStore(client, { root: harness.root });
    const now = Date.now();
    await store.setSessionHeartbeat(ACCOUNT, { agent: 'alice', socketId: 's-1', ttlMs: 90_000, now });
    await store.setPhoneDnd(ACCOUNT, 'alice', true);
    const sent: string[] = [];
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command, ...rest) => {
      sent.push(command.name);
      return send(command, ...rest);
    };
    const agents = [{ id: 'alice', name: 'Alice' }, { id: 'bob', name: 'Bob' }];
    const presence = new PresenceService({
      state: store, clock: () => now, push: { toAccount: () => {} } as never,
      log: { agentsOnCall: async () => [] } as never, directory: { listAgents: async () => agents } as never,
    });
    expect((await presence.entries(ACCOUNT)).map((e) => [e.agent, e.status])).toEqual([['alice', 'dnd'], ['bob', 'offline']]);
    expect(sent).toEqual(['evalsha']);
    await client.quit();
  });
});
