import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * A small file system of its own (tmpfs) for the tests of a full disk: mounted by the test (root,
 * and a kernel that lets it), filled to the last byte with a file, and emptied again. Real
 * ENOSPC from the kernel, so SQLite answers SQLITE_FULL as it does on a full disk.
 */
export interface SmallDisk {
  dir: string;
  /** Writes a filler file until the file system has no byte left. */
  fill(): void;
  /** Removes the filler: the space is back. */
  free(): void;
  unmount(): void;
}

function run(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** A tmpfs of `size` (e.g. '16m') on a fresh directory, or null where this process may not mount one. */
export function mountSmallDisk(size = '16m'): SmallDisk | null {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-disk-'));
  if (!run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir])) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        // A short write takes the last bytes; the next one fails with ENOSPC.
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      if (!run('umount', [dir])) run('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Copies a SQLite file's write-ahead log into the file and empties it (a TRUNCATE checkpoint from
 * a connection of the test's own), so that the next write has to grow the log: on a full disk it
 * then fails for certain, instead of reusing room the log already had. Throws when a reader or
 * writer kept the checkpoint from completing.
 */
export function emptyWriteAheadLog(file: string): void {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 2000');
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    if (!result || result.busy !== 0 || result.log !== 0) throw new Error(`the checkpoint of ${file} did not empty its log: ${JSON.stringify(result)}`);
  } finally {
    db.close();
  }
}
