// Runs in a worker thread with its own SQLite connection: claims one missed call when released.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../../../../src/adapters/sqlite/database';
import { SqliteCallLog } from '../../../../../src/adapters/sqlite/calllog/SqliteCallLog';

const { file, agent, callId, at, start } = workerData as { file: string; agent: string; callId: string; at: number; start: Int32Array };
const db = openDatabase(file);
const log = new SqliteCallLog(db);
parentPort!.postMessage({ ready: true });
// Block until the test releases every worker at once, so the claims really race.
Atomics.wait(start, 0, 0);
const result = await log.claimMissedCall('acme', callId, agent, at);
db.close();
parentPort!.postMessage({ agent, won: result?.won ?? null, owner: result?.missed.owner ?? null });
