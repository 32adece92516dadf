import { join } from 'node:path';
import { openAdapters } from './adapters';
import { CachedDirectory } from './cache/CachedDirectory';
import { wireCallHandling } from './callHandling';
import type { RingsideConfig } from './config/schema';
import { openStores } from './stores';
import { HOT_CONNECTION_CHECKPOINT_PAGES, startWalCheckpointer } from '../adapters/sqlite/walCheckpointer';
import { MemoryHandledEventLedger } from '../domain/bus/HandledEventLedger';
import type { Logger } from '../shared/logger';
import { createMetrics } from '../shared/metrics';
import { settlesWithin } from '../shared/settlesWithin';
import { StorageHealth } from '../shared/storageHealth';

export interface WorkerOptions {
  logger: Logger;
  /** This worker's number (1 .. workers-1; the serve process is 0). */
  index: number;
  /** The shard queues it consumes. */
  shards: readonly number[];
  /** Stop asked for during start-up: the wait for the shared services ends at once. */
  signal?: AbortSignal;
  /** Each event's outcome, for the serve process's metrics (its /metrics counts the whole server's events). */
  onHandled?: (type: string, outcome: 'ok' | 'error') => void;
  stopGraceMs?: number;
}

export interface RingsideWorker {
  /** Stops consuming (what it held goes back to its queues), then closes the connections. */
  close(): Promise<void>;
}

const STOP_GRACE_MS = 3_000;

/**
 * A worker process of `ringside serve` (RINGSIDE_WORKERS, docs/architecture.md, Several workers on
 * one server): it consumes its shard queues with the handlers and stores a server has, and does
 * nothing else. No listener, no agent API, no timers of the server's own (retention, markers,
 * reaper, presence, health: the serve process runs those), no instance lock and no spool: it
 * never publishes, it takes events from RabbitMQ. Its missed-call sweeper is a second server's:
 * the pending missed calls live in Redis, and whichever process sweeps first raises them.
 */
export async function startWorker(config: RingsideConfig, options: WorkerOptions): Promise<RingsideWorker> {
  const { logger } = options;
  const clock = Date.now;
  const metrics = createMetrics();
  const storage = new StorageHealth({ metrics, clock });
  const checkpointPages = HOT_CONNECTION_CHECKPOINT_PAGES;
  const stores = await openStores(config, { logger, clock, checkpointPages });
  // Files of its own in case an adapter ever needs one: never the serve process's spool.db.
  const own = join(config.dataDir, `worker-${options.index}`);
  const files = { spool: join(own, 'spool.db'), state: join(own, 'state.db') };
  const adapters = await openAdapters(config, files, {
    logger, metrics, checkpointPages, handledEvents: new MemoryHandledEventLedger(), stores, signal: options.signal, storage,
    consumeShards: options.shards, consumeOnly: true,
  }).catch(async (err: unknown) => {
    await stores.close();
    throw err;
  });
  const directory = new CachedDirectory(stores.source, stores.dispositions, adapters.cache, { readContact: stores.readContact ?? undefined });
  stores.readContactsThrough(directory);
  const checkpointer = startWalCheckpointer(stores.sqliteFiles);
  const handling = wireCallHandling({ config, stores, adapters, directory, metrics, storage, logger, clock });
  const shutdown = new AbortController();
  const consumer = handling.consume(shutdown.signal, options.onHandled);
  handling.missed.start();
  logger.info({ worker: options.index, shards: options.shards }, 'worker consuming its shard queues');

  let closing: Promise<void> | null = null;
  return {
    close: () => {
      closing ??= (async () => {
        handling.devices.stop();
        shutdown.abort();
        // As the serve process stops (server.ts): handlers waiting for an unreachable service get
        // a grace, then their commands are failed and their events come back from RabbitMQ later.
        const grace = adapters.servicesUp() ? options.stopGraceMs ?? STOP_GRACE_MS : 0;
        const stopped = Promise.all([consumer.stop(), handling.missed.stop()]);
        if (!(await settlesWithin(stopped, grace))) {
          logger.warn('worker shutdown: handlers still wait for a shared service; interrupting them');
          adapters.interrupt();
          await settlesWithin(stopped, grace || 500);
        }
        // Presence passes scheduled by the last events run no more; one under way ends first.
        await settlesWithin(handling.presence.stop(), grace || 500);
        // The last handled markers (HandledMarks), before the call log closes; not waited for long on a database that does not answer.
        await settlesWithin(handling.lifecycle.flushHandledMarks(), grace || 500);
        await adapters.close();
        await directory.close();
        await stores.close();
        await checkpointer.close();
      })();
      return closing;
    },
  };
}
