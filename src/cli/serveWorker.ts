import type { RingsideConfig } from '../app/config/schema';
import { ConfigError } from '../app/config/loadConfig';
import { shardsOfWorker } from '../adapters/rabbitmq/topology';
import { createLogger } from '../shared/logger';
import { settlesWithin } from '../shared/settlesWithin';
import { WORKER_INDEX_VARIABLE, type WorkerMessage } from './workerSupervisor';

/** A worker's stop: its handlers' grace and the connections' closes, well inside the supervisor's grace. */
const WORKER_STOP_DEADLINE_MS = 12_000;

/**
 * `ringside serve` started by a serve process as worker `index` (RINGSIDE_WORKER_INDEX): consumes
 * its shard queues until SIGTERM or SIGINT, or until its serve process is gone (the IPC channel
 * closes, so a worker never outlives its server). It logs JSON lines on stdout, which the serve
 * process puts in its own log, and takes no instance lock: the serve process holds the data directory.
 */
export async function serveWorker(config: RingsideConfig, rawIndex: string, signals: Pick<NodeJS.Process, 'on' | 'off'>): Promise<number> {
  const index = Number(rawIndex);
  if (!Number.isInteger(index) || index < 1 || index >= config.workers) {
    throw new ConfigError(`${WORKER_INDEX_VARIABLE}=${rawIndex}: set by ringside serve on its worker processes, 1 to ${config.workers - 1} (RINGSIDE_WORKERS=${config.workers})`);
  }
  const logger = createLogger({ level: config.logLevel });
  const stopAsked = new AbortController();
  const stop = () => stopAsked.abort();
  signals.on('SIGINT', stop);
  signals.on('SIGTERM', stop);
  process.once('disconnect', stop);
  const stopped = new Promise<void>((resolve) => stopAsked.signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    const { startWorker } = await import('../app/worker');
    const worker = await startWorker(config, {
      logger, index, shards: shardsOfWorker(config.amqp.shards, config.workers, index), signal: stopAsked.signal, onHandled: handledReporter(),
    });
    await stopped;
    if (!(await settlesWithin(worker.close(), WORKER_STOP_DEADLINE_MS))) {
      logger.error('worker shutdown did not finish in time');
      return 1;
    }
    return 0;
  } finally {
    signals.off('SIGINT', stop);
    signals.off('SIGTERM', stop);
    process.off('disconnect', stop);
  }
}

/** Counts the outcomes of one event-loop turn and sends them to the serve process in one message. */
function handledReporter(): (type: string, outcome: 'ok' | 'error') => void {
  const counts = new Map<string, WorkerMessage['handled'][number]>();
  const flush = () => {
    const message: WorkerMessage = { handled: [...counts.values()] };
    counts.clear();
    if (process.connected) process.send?.(message);
  };
  return (type, outcome) => {
    const key = `${type}\u0000${outcome}`;
    const entry = counts.get(key);
    if (entry) entry[2] += 1;
    else {
      if (counts.size === 0) setImmediate(flush);
      counts.set(key, [type, outcome, 1]);
    }
  };
}
