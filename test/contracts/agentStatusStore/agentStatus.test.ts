import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCallStateStore } from '../../../src/adapters/sqlite/callstate/SqliteCallStateStore';
import type { CallStateStore } from '../../../src/domain/callstate/CallStateStore';
import { RedisCallStateStore } from '../../../src/adapters/redis/callstate/RedisCallStateStore';
import { SqliteCallLog } from '../../../src/adapters/sqlite/calllog/SqliteCallLog';
import { SqliteDirectory } from '../../../src/adapters/sqlite/directory/SqliteDirectory';
import { type AgentStatusStore } from '../../../src/domain/presence/AgentStatusStore';
import { InProcessAgentStatusStore } from '../../../src/adapters/memory/InProcessAgentStatusStore';
import { PresenceService } from '../../../src/domain/presence/PresenceService';
import { RedisAgentStatusStore } from '../../../src/adapters/redis/RedisAgentStatusStore';
import { type ServerMessage } from '../../../src/domain/push/PushHub';
import { InProcessPushHub } from '../../../src/adapters/memory/InProcessPushHub';
import { openDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/database';
import { describeAgentStatusStoreContract } from '../agentStatusStoreContract';
import { openClusterRedisState, openRedisState, type RedisState } from '../../support/redisState';
import { makeTempDir } from '../../support/tmp';

describeAgentStatusStoreContract('InProcessAgentStatusStore', async () => ({ store: new InProcessAgentStatusStore(), cleanup: async () => undefined }));

describeAgentStatusStoreContract('RedisAgentStatusStore', async () => {
  const state = openRedisState('status');
  return { store: new RedisAgentStatusStore(state.client, state.keys), cleanup: () => state.cleanup() };
});

describeAgentStatusStoreContract('RedisAgentStatusStore on a Redis Cluster', async () => {
  const state = openClusterRedisState('status');
  return { store: new RedisAgentStatusStore(state.client, state.keys), cleanup: () => state.cleanup() };
});

/**
 * PresenceService records its picture in the status store: the store follows sessions, the
 * manual choice, the phone's DND and calls, as presence.changed does.
 */
describe.each(['embedded', 'redis'] as const)('PresenceService records agent statuses (%s)', (mode) => {
  let tmp: ReturnType<typeof makeTempDir>;
  let db: SqliteDatabase;
  let redis: RedisState | null = null;
  let state: CallStateStore;
  let statuses: AgentStatusStore;
  let directory: SqliteDirectory;
  let presence: PresenceService;
  let now = 0;
  const pushed: ServerMessage[] = [];

  beforeEach(async () => {
    tmp = makeTempDir();
    db = openDatabase(join(tmp.dir, 'ringside.db'));
    directory = new SqliteDirectory(db);
    if (mode === 'redis') {
      redis = openRedisState('presence');
      state = new RedisCallStateStore(redis.client, { root: redis.root });
      statuses = new RedisAgentStatusStore(redis.client, redis.keys);
    } else {
      state = SqliteCallStateStore.open(join(tmp.dir, 'state.db'));
      statuses = new InProcessAgentStatusStore();
    }
    const push = new InProcessPushHub();
    push.register({ id: 'watcher', account: 'acme', agent: null, send: (data) => pushed.push(JSON.parse(data) as ServerMessage) });
    now = Date.now();
    presence = new PresenceService({ state, log: new SqliteCallLog(db), directory, push, clock: () => now, statuses });
    await directory.upsertAgent('acme', { id: 'alice', name: 'Alice' });
    await directory.upsertAgent('acme', { id: 'bob', name: 'Bob' });
  });
  afterEach(async () => {
    pushed.length = 0;
    if (mode === 'embedded') await state.close();
    await redis?.cleanup();
    redis = null;
    db.close();
    tmp.cleanup();
  });

  it('registered, connected and available follow the sessions, the manual choice and the phone DND', async () => {
    await presence.publishChanges('acme');
    expect(await statuses.registered('acme')).toEqual(['alice', 'bob']);
    expect(await statuses.connected('acme')).toEqual([]);
    expect(await statuses.names('acme')).toEqual({ alice: 'Alice', bob: 'Bob' });

    await state.setSessionHeartbeat('acme', { agent: 'alice', socketId: 's-1', ttlMs: 90_000, now });
    await state.setSessionHeartbeat('acme', { agent: 'bob', socketId: 's-2', ttlMs: 90_000, now });
    await presence.publishChanges('acme');
    expect(await statuses.connected('acme')).toEqual(['alice', 'bob']);
    expect(await statuses.available('acme')).toEqual(['alice', 'bob']);

    await state.setPhoneDnd('acme', 'bob', true);
    await presence.setManual('acme', 'alice', 'away');
    expect(await statuses.available('acme')).toEqual([]);
    expect(await statuses.get('acme', 'bob')).toMatchObject({ status: 'dnd', phoneDnd: true, manual: 'available', since: now });
    expect(await statuses.get('acme', 'alice')).toMatchObject({ status: 'away', manual: 'away' });

    await state.removeSession('acme', 's-1');
    now += 1_000;
    await presence.publishChanges('acme');
    expect(await statuses.connected('acme')).toEqual(['bob']);
    expect(await statuses.get('acme', 'alice')).toMatchObject({ status: 'offline', since: now });

    // Sessions that ran out without a goodbye: offline at the next pass.
    now += 90_000;
    await presence.publishChanges('acme');
    expect(await statuses.connected('acme')).toEqual([]);
    expect(pushed.filter((m) => m.type === 'presence.changed').map((m) => `${String(m.agent)}:${String(m.status)}`))
      .toEqual(['alice:offline', 'bob:offline', 'alice:available', 'bob:available', 'alice:away', 'bob:dnd', 'alice:offline', 'bob:offline']);
  });

  it('a removed agent leaves the store with the next pass', async () => {
    await presence.publishChanges('acme');
    await directory.removeAgent('acme', 'bob');
    await presence.publishChanges('acme');
    expect(await statuses.registered('acme')).toEqual(['alice']);
    expect(await statuses.get('acme', 'bob')).toBeNull();
  });

  it('a failing store does not stop presence pushes, and the next pass writes the picture', async () => {
    const failing: AgentStatusStore = Object.create(statuses) as AgentStatusStore;
    let fail = true;
    failing.record = async (...args) => {
      if (fail) throw new Error('store away');
      return statuses.record(...args);
    };
    const push = new InProcessPushHub();
    const seen: string[] = [];
    push.register({ id: 'w', account: 'acme', agent: null, send: (data) => seen.push((JSON.parse(data) as ServerMessage).type) });
    const service = new PresenceService({ state, log: new SqliteCallLog(db), directory, push, clock: () => now, statuses: failing });
    await service.publishChanges('acme');
    expect(seen).toEqual(['presence.changed', 'presence.changed']);
    expect(await statuses.registered('acme')).toEqual([]);
    fail = false;
    await service.publishChanges('acme');
    expect(await statuses.registered('acme')).toEqual(['alice', 'bob']);
  });
});

describe('RedisAgentStatusStore (adapter specifics)', () => {
  let state: RedisState;
  beforeEach(() => {
    state = openRedisState('status');
  });
  afterEach(async () => {
    await state.cleanup();
  });

  it("writes the seed's keys under the account's hash tag, without expiry, and two processes see one picture", async () => {
    const store = new RedisAgentStatusStore(state.client, state.keys);
    const other = new RedisAgentStatusStore(state.connect().client, state.keys);
    await store.record('acme', [{ agent: 'alice', name: 'Alice', status: 'available', manual: 'available', phoneDnd: false }], 1_000);
    const tenant = `${state.root}:account:{acme}:`;
    const keys = await state.keysUnder();
    expect(keys).toEqual(['agent:status:alice', 'agents:available', 'agents:by_user', 'agents:connected', 'agents:registered'].map((k) => `${tenant}${k}`));
    for (const key of keys) expect(await state.client.pexpiretime(key)).toBe(-1);
    expect(await state.client.hgetall(`${tenant}agent:status:alice`)).toEqual({ status: 'available', manual: 'available', phone_dnd: '0', name: 'Alice', since: '1000', at: '1000' });
    expect(await other.get('acme', 'alice')).toMatchObject({ status: 'available', since: 1_000 });
    await other.record('acme', [{ agent: 'alice', name: 'Alice', status: 'on_call', manual: 'available', phoneDnd: false }], 2_000);
    expect(await store.get('acme', 'alice')).toMatchObject({ status: 'on_call', since: 2_000 });
    expect(await store.available('acme')).toEqual([]);
  });
});
