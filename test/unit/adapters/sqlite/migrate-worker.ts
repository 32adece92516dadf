// Runs in a worker thread as one Ringside process starting on the shared database: opens it
// and brings its schemas up to date when released, then reports what happened.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteCallLog } from '../../../../src/adapters/sqlite/calllog/SqliteCallLog';
import { SqliteDirectory } from '../../../../src/adapters/sqlite/directory/SqliteDirectory';
import { openDatabase } from '../../../../src/adapters/sqlite/database';

const { file, start } = workerData as { file: string; start: Int32Array };
parentPort!.postMessage({ ready: true });
// Block until the test releases every worker at once, so the start-ups really race.
Atomics.wait(start, 0, 0);
let error: string | null = null;
const db = openDatabase(file);
try {
  new SqliteDirectory(db);
  new SqliteCallLog(db);
} catch (err) {
  error = (err as Error).message;
} finally {
  db.close();
}
parentPort!.postMessage({ error });
