import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Queues } from '../../../src/domain/queues/Queues';
import { RedisQueues } from '../../../src/adapters/redis/RedisQueues';
import { SqliteQueues } from '../../../src/adapters/sqlite/SqliteQueues';
import { openDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/database';
import { describeQueuesContract } from '../queuesContract';
import { exited, nextLine, startChildUntil, type RunningChild } from '../../support/childProcess';
import { openRedisState, type RedisState } from '../../support/redisState';
import { makeTempDir } from '../../support/tmp';

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

function redisHarness() {
  const state = openRedisState('queues');
  const adapter = (s: RedisState) => new RedisQueues(s.client, s.keys, s.scripts);
  return { state, queues: adapter(state), other: () => adapter(state.connect()), cleanup: () => state.cleanup() };
}

describeQueuesContract('SqliteQueues', async () => sqliteHarness());
describeQueuesContract('RedisQueues', async () => redisHarness());

describe('queue pops from two processes', () => {
  const children: RunningChild[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const { child } of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  const worker = fileURLToPath(new URL('./fixtures/popWorker.ts', import.meta.url));

  it.each(['redis', 'sqlite'] as const)('%s: this process and two others pop at once; every item is taken exactly once', async (kind) => {
    const harness = kind === 'redis' ? redisHarness() : sqliteHarness();
    cleanups.push(harness.cleanup);
    const where = kind === 'redis' ? (harness as ReturnType<typeof redisHarness>).state.root : (harness as ReturnType<typeof sqliteHarness>).file;
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
