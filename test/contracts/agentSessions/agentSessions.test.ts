import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisAgentSessions } from '../../../src/adapters/redis/RedisAgentSessions';
import { SqliteAgentSessions } from '../../../src/adapters/sqlite/SqliteAgentSessions';
import { openDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/database';
import { describeAgentSessionsContract } from '../agentSessionsContract';
import { openClusterRedisState, openRedisState, type RedisState } from '../../support/redisState';
import { makeTempDir, openTempDatabase } from '../../support/tmp';
import { eventually, withTimeout } from '../../support/wait';
import { Redis } from 'ioredis';
import { ScriptRunner } from '../../../src/adapters/redis/scripts';
import { REDIS_URL, TEST_CALLS_DB } from '../../support/services';
import { startTcpProxy, targetOf } from '../../support/tcpProxy';
import { PostgresAgentSessions } from '../../../src/adapters/postgres/PostgresAgentSessions';
import { TestPools, testDatabasePerFile } from '../../support/postgresPools';

const postgresDatabase = testDatabasePerFile('sessions');

describeAgentSessionsContract('SqliteAgentSessions', async () => {
  const tmp = makeTempDir();
  const file = join(tmp.dir, 'ringside.db');
  const dbs: SqliteDatabase[] = [openDatabase(file)];
  return {
    sessions: new SqliteAgentSessions(dbs[0]!),
    other: () => {
      const db = openDatabase(file);
      dbs.push(db);
      return new SqliteAgentSessions(db);
    },
    cleanup: async () => {
      for (const db of dbs) db.close();
      tmp.cleanup();
    },
  };
});

describe('SqliteAgentSessions (adapter specifics)', () => {
  const T0 = Date.UTC(2024, 2, 10, 9, 0, 0);
  let tmp: ReturnType<typeof openTempDatabase>;
  let db: SqliteDatabase;
  beforeEach(() => {
    tmp = openTempDatabase();
    db = tmp.db;
  });
  afterEach(() => tmp.cleanup());

  it('stores only the hash of a token, and making a session sweeps the expired ones', async () => {
    const sessions = new SqliteAgentSessions(db);
    const { token } = await sessions.create('acme', 'alice', 60_000, T0);
    const stored = db.prepare('SELECT token_hash FROM dir_sessions').pluck().all() as string[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toContain(token);
    await sessions.create('acme', 'alice', 1_000, T0 + 120_000);
    expect(db.prepare('SELECT COUNT(*) FROM dir_sessions').pluck().get()).toBe(1);
  });
});

/** Two pools on the file's database (two servers), the table emptied for each case. */
async function postgresHarness() {
  const pools = new TestPools((await postgresDatabase()).url);
  const pool = pools.open();
  const sessions = await PostgresAgentSessions.open(pool);
  await pool.query('TRUNCATE dir_sessions');
  const other = await PostgresAgentSessions.open(pools.open());
  return { pool, sessions, other: () => other, cleanup: () => pools.end() };
}

describeAgentSessionsContract('PostgresAgentSessions', postgresHarness);

describe('PostgresAgentSessions (adapter specifics)', () => {
  const T0 = Date.UTC(2024, 2, 10, 9, 0, 0);
  let harness: Awaited<ReturnType<typeof postgresHarness>>;
  beforeEach(async () => {
    harness = await postgresHarness();
  });
  afterEach(() => harness.cleanup());

  it('stores only the hash of a token, and making a session sweeps the expired ones', async () => {
    const { pool, sessions } = harness;
    const { token } = await sessions.create('acme', 'alice', 60_000, T0);
    const stored = (await pool.query<{ token_hash: string }>('SELECT token_hash FROM dir_sessions')).rows.map((r) => r.token_hash);
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toContain(token);
    await sessions.create('acme', 'alice', 1_000, T0 + 120_000);
    expect((await pool.query('SELECT COUNT(*) AS n FROM dir_sessions')).rows[0].n).toBe(1);
  });

  it('close() leaves the pool to its owner: the process\'s other adapters go on using it', async () => {
    const { pool, sessions } = harness;
    const { token } = await sessions.create('acme', 'alice', 60_000, T0);
    await sessions.close();
    expect(await (await PostgresAgentSessions.open(pool)).get('acme', token, T0)).toMatchObject({ agent: 'alice' });
  });
});

describeAgentSessionsContract('RedisAgentSessions', async () => {
  const state = openRedisState('sessions');
  const adapter = (s: RedisState) => new RedisAgentSessions(s.client, s.keys, s.scripts);
  return { sessions: adapter(state), other: () => adapter(state.connect()), cleanup: () => state.cleanup() };
});

describeAgentSessionsContract('RedisAgentSessions on a Redis Cluster', async () => {
  const state = openClusterRedisState('sessions');
  const adapter = (s: RedisState) => new RedisAgentSessions(s.client, s.keys, s.scripts);
  return { sessions: adapter(state), other: () => adapter(state.connect()), cleanup: () => state.cleanup() };
});

describe('RedisAgentSessions (adapter specifics)', () => {
  let state: RedisState;
  let sessions: RedisAgentSessions;
  beforeEach(() => {
    state = openRedisState('sessions');
    sessions = new RedisAgentSessions(state.client, state.keys, state.scripts);
  });
  afterEach(async () => {
    await state.cleanup();
  });

  it("keeps session:<id> and sessions:active under the account's hash tag, expiring with the sessions, and never stores the token", async () => {
    const now = Date.now();
    const short = await sessions.create('acme', 'alice', 60_000, now);
    const long = await sessions.create('acme', 'bob', 120_000, now);
    const listed = await sessions.list('acme', now);
    const idOf = (agent: string) => listed.find((s) => s.agent === agent)!.id;
    const [aliceId, bobId] = [idOf('alice'), idOf('bob')];
    const tenant = `${state.root}:account:{acme}:`;
    expect(await state.keysUnder()).toEqual([`${tenant}session:${aliceId}`, `${tenant}session:${bobId}`, `${tenant}sessions:active`].sort());
    expect(await state.client.pexpiretime(`${tenant}session:${aliceId}`)).toBe(short.expiresAt);
    expect(await state.client.pexpiretime(`${tenant}session:${bobId}`)).toBe(long.expiresAt);
    expect(await state.client.pexpiretime(`${tenant}sessions:active`)).toBe(long.expiresAt);
    for (const key of await state.keysUnder()) {
      const dump = key.endsWith('sessions:active') ? JSON.stringify(await state.client.zrange(key, 0, -1)) : await state.client.get(key);
      expect(`${key} ${dump}`).not.toContain(short.token);
      expect(`${key} ${dump}`).not.toContain(long.token);
    }
  });

  it('a session over by now leaves sessions:active when the next one is made', async () => {
    const now = Date.now();
    await sessions.create('acme', 'alice', 1_000, now);
    await sessions.create('acme', 'bob', 60_000, now + 2_000);
    expect(await state.client.zcard(`${state.root}:account:{acme}:sessions:active`)).toBe(1);
  });
});

describe('RedisAgentSessions while Redis is away', () => {
  let state: RedisState;
  beforeEach(() => {
    state = openRedisState('sessions');
  });
  afterEach(async () => {
    await state.cleanup();
  });

  it('tokens it has seen keep working (until they expire), without waiting for Redis; others are refused', async () => {
    const away = state.connect();
    const sessions = new RedisAgentSessions(away.client, away.keys, away.scripts);
    const now = Date.now();
    const made = await sessions.create('acme', 'alice', 60_000, now);
    const elsewhere = await new RedisAgentSessions(state.client, state.keys, state.scripts).create('acme', 'bob', 60_000, now);
    const revoked = await sessions.create('acme', 'carol', 60_000, now);
    expect(await sessions.get('acme', elsewhere.token, now)).toMatchObject({ agent: 'bob' });
    await sessions.revoke('acme', revoked.token);

    const ended = withTimeout(once(away.client, 'end'), "the disconnected Redis client's end event");
    away.client.disconnect();
    await ended;
    expect(await sessions.get('acme', made.token, now + 1)).toMatchObject({ agent: 'alice' });
    expect(await sessions.get('acme', elsewhere.token, now + 1)).toMatchObject({ agent: 'bob' });
    expect(await sessions.get('globex', made.token, now + 1)).toBeNull();
    expect(await sessions.get('acme', revoked.token, now + 1)).toBeNull();
    expect(await sessions.get('acme', made.token, now + 60_000)).toBeNull();
  });
});

describe('RedisAgentSessions started while Redis is unreachable (adapters.ts: away while the connection is not ready)', () => {
  let state: RedisState;
  beforeEach(() => {
    state = openRedisState('sessions-start');
  });
  afterEach(async () => {
    await state.cleanup();
  });

  it('makes a session at once, accepts its token, and writes it to Redis once Redis answers', async () => {
    const proxy = await startTcpProxy(targetOf(REDIS_URL, 6379));
    proxy.pause({ newConnections: 'refuse' });
    // As adapters.ts connects the call state: commands wait for Redis instead of failing.
    const client = new Redis(proxy.url(REDIS_URL), { db: TEST_CALLS_DB, maxRetriesPerRequest: null, retryStrategy: () => 20 });
    client.on('error', () => undefined);
    try {
      const sessions = new RedisAgentSessions(client, state.keys, new ScriptRunner(client), { away: () => client.status !== 'ready' });
      const now = Date.now();
      const made = await withTimeout(sessions.create('acme', 'alice', 60_000, now), 'a session made while Redis is unreachable');
      expect(await withTimeout(sessions.get('acme', made.token, now + 1), 'its token checked while Redis is unreachable')).toMatchObject({ agent: 'alice' });
      expect(await sessions.get('globex', made.token, now + 1)).toBeNull();
      expect(await state.keysUnder()).toEqual([]);

      proxy.resume();
      await eventually('the session written to Redis', () => state.keysUnder(), (keys) => keys.length > 0);
      // Another process (another connection) accepts the token now.
      const elsewhere = new RedisAgentSessions(state.client, state.keys, state.scripts);
      expect(await elsewhere.get('acme', made.token, now + 1)).toMatchObject({ agent: 'alice', expiresAt: now + 60_000 });
      // The keys appear when Redis runs the write; the adapter counts it written when the reply arrives.
      await eventually('the adapter to count the session written', () => sessions.unwrittenCount, (count) => count === 0);
      await sessions.close();
    } finally {
      client.disconnect();
      await proxy.close();
    }
  });
});
