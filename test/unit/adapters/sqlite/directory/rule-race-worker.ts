// Runs in a worker thread as one Ringside process with its own SQLite connection to the shared
// file: for each number in turn, writes either an agent with that extension or a helpline with
// that number, meeting the other worker at a barrier before each write so the two really race.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../../../../src/adapters/sqlite/database';
import { SqliteDirectory } from '../../../../../src/adapters/sqlite/directory/SqliteDirectory';
import { DirectoryError } from '../../../../../src/domain/directory/errors';

const { file, side, numbers, barrier } = workerData as { file: string; side: 'agent' | 'helpline'; numbers: string[]; barrier: Int32Array };
const PARTIES = 2;

/** Two-party barrier over shared memory: [0] arrivals this round, [1] round number. */
function meet(): void {
  const round = Atomics.load(barrier, 1);
  if (Atomics.add(barrier, 0, 1) + 1 === PARTIES) {
    Atomics.store(barrier, 0, 0);
    Atomics.add(barrier, 1, 1);
    Atomics.notify(barrier, 1);
  } else {
    Atomics.wait(barrier, 1, round);
  }
}

const db = openDatabase(file);
const directory = new SqliteDirectory(db);
parentPort!.postMessage({ ready: true });
const outcomes: string[] = [];
for (const number of numbers) {
  meet();
  try {
    if (side === 'agent') await directory.upsertAgent('acme', { id: `agent-${number}`, name: 'Racer', extension: number });
    else await directory.upsertHelpline('acme', { number, name: 'Racer' });
    outcomes.push('won');
  } catch (error) {
    // Anything but the rule's refusal (SQLITE_BUSY, say) is reported as it is, and fails the test.
    outcomes.push(error instanceof DirectoryError ? error.code : `error: ${(error as Error).message}`);
  }
}
db.close();
parentPort!.postMessage({ side, outcomes });
