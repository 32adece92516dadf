import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../../src/adapters/sqlite/database';
import { startWalCheckpointer, type WalCheckpointer } from '../../../../src/adapters/sqlite/walCheckpointer';
import { makeTempDir } from '../../../support/tmp';
import { eventually } from '../../../support/wait';

/**
 * The inotify watches this process holds on `dir` (Linux: each inotify descriptor's fdinfo lists
 * its watches by inode, in hex). The checkpointer's thread is the only watcher of a test's temp dir.
 */
function watchesOn(dir: string): number {
  const inode = statSync(dir).ino.toString(16);
  let watches = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed since the listing
    }
    if (target !== 'anon_inode:inotify') continue;
    const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    watches += [...info.matchAll(/^inotify wd:\S+ ino:([0-9a-f]+) /gm)].filter((m) => m[1] === inode).length;
  }
  return watches;
}

let tmp: ReturnType<typeof makeTempDir>;
let db: SqliteDatabase;
let checkpointer: WalCheckpointer | null = null;

beforeEach(() => {
  tmp = makeTempDir('ringside-checkpointer-');
  db = openDatabase(join(tmp.dir, 'log.db'), { checkpointPages: 10_000 });
  db.exec('CREATE TABLE lines (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
});

afterEach(async () => {
  await checkpointer?.close();
  checkpointer = null;
  db.close();
  tmp.cleanup();
});

// /proc/self/fdinfo shows inotify watches on Linux only; where fs.watch has no inotify there is no per-write cost to avoid.
describe.skipIf(process.platform !== 'linux')('the WAL checkpointer thread (Linux)', () => {
  it('does not watch the directory while its WALs are written (inotify would queue an event for every write) and watches it again once they are not', async () => {
    const statement = db.prepare('INSERT INTO lines (text) VALUES (?)');
    // About four rows to a page: every checkpoint grows the database file.
    const insert = { run: (text: string) => statement.run(text.padEnd(1000, '.')) };
    checkpointer = startWalCheckpointer([join(tmp.dir, 'log.db')], 500, { pollMs: 20 });
    // A write every 10 ms (eventually's interval, below) is well inside the 500 ms after which the WAL counts as no longer written.
    const writing = { intervalMs: 10 };
    await eventually('the idle checkpointer to watch the directory', () => watchesOn(tmp.dir), (n) => n === 1);
    insert.run('first');
    let written = 1;
    // Writes keep coming while the test waits: the watch must be gone and stay gone meanwhile.
    await eventually('the checkpointer to stop watching once the WAL is written', () => {
      insert.run(`line ${written++}`);
      return watchesOn(tmp.dir);
    }, (n) => n === 0, writing);
    const copiedBefore = statSync(join(tmp.dir, 'log.db')).size;
    await eventually('the writes to be checkpointed into the database file while they go on', () => {
      insert.run(`line ${written++}`);
      expect(watchesOn(tmp.dir)).toBe(0);
      return statSync(join(tmp.dir, 'log.db')).size;
    }, (bytes) => bytes > copiedBefore, writing);
    await eventually('the checkpointer to watch again once nothing is written', () => watchesOn(tmp.dir), (n) => n === 1);
    expect(db.prepare('SELECT count(*) AS n FROM lines').get()).toEqual({ n: written });
  });
});
