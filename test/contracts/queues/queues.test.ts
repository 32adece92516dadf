import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Queues } from '../../../src/domain/queues/Queues';
import { RedisQueues } from '../../../src/adapters/redis/RedisQueues';
import { SqliteQueues } from '../../../src/adapters/sqlite/SqliteQueues';
import { openDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/database';
import { describeQueuesContract } from '../queuesContract';
import { exited, nextLine, startChildUntil, type RunningChild } from '../../support/childProcess';
import { openClusterRedisState, openRedisState, type RedisState } from '../../support/redisState';
import { makeTempDir } from '../../support/tmp';
import { PostgresQueues } from '../../../src/adapters/postgres/PostgresQueues';
import { TestPools, testDatabasePerFile } from '../../support/postgresPools';
import { createTestDatabase } from '../../support/postgres';

const postgresDatabase = testDatabasePerFile('queues');

function sqliteHarness() {
  const tmp = makeTempDir();
  const file = join(tmp.dir, 'ringside.db');
  const dbs: SqliteDatabase[] = [openDatabase(file)];
  return {
    file,
    queues: new SqliteQueues(dbs[0]!),
    other: () => {
      const db = openDatabase(file);
      dbs.push(db);
      return new SqliteQueues(db);
    },
    cleanup: async () => {
      for (const db of dbs) db.close();
      tmp.cleanup();
    },
  };
}

function redisHarness(state = openRedisState('queues')) {
  const adapter = (s: RedisState) => new RedisQueues(s.client, s.keys, s.scripts);
  return { state, queues: adapter(state), other: () => adapter(state.connect()), cleanup: () => state.cleanup() };
}

/** Two pools on the file's database (two servers), the tables emptied for each case. */
async function postgresHarness() {
  const url = (await postgresDatabase()).url;
  const pools = new TestPools(url);
  const pool = pools.open();
  const queues = await PostgresQueues.open(pool);
  await pool.query('TRUNCATE q_queues, q_items');
  const other = await PostgresQueues.open(pools.open());
  return { url, pool, queues, other: () => other, cleanup: () => pools.end() };
}

type Harness = ReturnType<typeof sqliteHarness> | ReturnType<typeof redisHarness> | Awaited<ReturnType<typeof postgresHarness>>;

describeQueuesContract('SqliteQueues', async () => sqliteHarness());
describeQueuesContract('RedisQueues', async () => redisHarness());
describeQueuesContract('RedisQueues on a Redis Cluster', async () => redisHarness(openClusterRedisState('queues')));
describeQueuesContract('PostgresQueues', postgresHarness);

describe('PostgresQueues (adapter specifics)', () => {
  let harness: Awaited<ReturnType<typeof postgresHarness>>;
  beforeEach(async () => {
    harness = await postgresHarness();
  });
  afterEach(() => harness.cleanup());

  it('orders equal scores by id byte-wise in a database whose collation is a locale\'s, as SQLite and Redis do', async () => {
    // Locale order puts 'b' before 'C'; byte order does not.
    const localised = await createTestDatabase('queues_icu', { icuLocale: 'en' });
    const pools = new TestPools(localised.url);
    try {
      const queues = await PostgresQueues.open(pools.open());
      for (const id of ['b', 'C', 'a1', 'a-2']) await queues.add('acme', 'q', { id, score: 1, data: {}, audience: null });
      await queues.define('acme', { name: 'b', description: '', createdAt: 1 });
      await queues.define('acme', { name: 'C', description: '', createdAt: 1 });
      expect((await queues.items('acme', 'q')).map((i) => i.id)).toEqual(['C', 'a-2', 'a1', 'b']);
      expect((await queues.pop('acme', 'q'))?.id).toBe('C');
      expect((await queues.queues('acme')).map((q) => q.name)).toEqual(['C', 'b']);
    } finally {
      await pools.end();
      await localised.drop();
    }
  });

  it('keeps an audience with commas, quotes and braces in its names exactly', async () => {
    const { queues } = harness;
    const audience = ['helpline:"7,00"', '{bob}', 'NULL'];
    await queues.add('acme', 'q', { id: 'odd', score: 1, data: { note: 'x' }, audience });
    expect(await queues.pop('acme', 'q', { member: 'NULL' })).toEqual({ id: 'odd', score: 1, data: { note: 'x' }, audience });
  });

  it('close() leaves the pool to its owner: the process\'s other adapters go on using it', async () => {
    const { pool, queues } = harness;
    await queues.add('acme', 'q', { id: 'a', score: 1, data: {}, audience: null });
    await queues.close();
    expect(await (await PostgresQueues.open(pool)).length('acme', 'q')).toBe(1);
  });
});

describe('queue pops from two processes', () => {
  const children: RunningChild[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const { child } of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  const worker = fileURLToPath(new URL('./fixtures/popWorker.ts', import.meta.url));

  /** Where a worker process finds the harness's queues: a Redis key root, a SQLite file, a PostgreSQL URL. */
  const whereOf = (harness: Harness): string => ('state' in harness ? harness.state.root : 'file' in harness ? harness.file : harness.url);

  it.each(['redis', 'sqlite', 'postgres'] as const)('%s: this process and two others pop at once; every item is taken exactly once', async (kind) => {
    const harness: Harness = kind === 'redis' ? redisHarness() : kind === 'sqlite' ? sqliteHarness() : await postgresHarness();
    cleanups.push(harness.cleanup);
    const where = whereOf(harness);
    const queues: Queues = harness.queues;
    const count = 400;
    for (let i = 0; i < count; i++) await queues.add('acme', 'callback', { id: `call-${i}`, score: 1_000 + (i % 13), data: {}, audience: null });
    for (const member of ['alice', '-']) children.push(await startChildUntil(worker, [kind, where, 'acme', 'callback', member], 'ready'));
    const done = children.map(({ child }) => nextLine(child, 'done '));
    for (const { child } of children) child.stdin!.write('go\n');
    const mine: string[] = [];
    for (let next = await queues.pop('acme', 'callback', { member: 'bob' }); next; next = await queues.pop('acme', 'callback', { member: 'bob' })) mine.push(next.id);
    const theirs = (await Promise.all(done)).map((line) => JSON.parse(line.slice('done '.length)) as string[]);
    await Promise.all(children.map(({ child }) => exited(child)));
    const taken = [mine, ...theirs].flat();
    expect(taken).toHaveLength(count);
    expect(new Set(taken).size).toBe(count);
    expect(await queues.length('acme', 'callback')).toBe(0);
  });
});
