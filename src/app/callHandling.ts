import type { Adapters } from './adapters';
import type { CachedDirectory } from './cache/CachedDirectory';
import type { RingsideConfig } from './config/schema';
import { usesRedis } from './config/redisTopology';
import type { Stores } from './stores';
import { DeviceHealth } from './DeviceHealth';
import { HttpCrmLookup } from '../adapters/crm/HttpCrmLookup';
import { PhoneRegistry } from '../adapters/phone/PhoneRegistry';
import type { Consumer } from '../domain/bus/EventBus';
import { CallbackQueue } from '../domain/callback/CallbackQueue';
import { CallLifecycle } from '../domain/calls/CallLifecycle';
import { DirectoryCallerCards } from '../domain/cards/CallerCards';
import { MissedCallSweeper } from '../domain/calls/MissedCallSweeper';
import { PresenceService } from '../domain/presence/PresenceService';
import { backoffDelay } from '../protocol/backoff';
import type { Logger } from '../shared/logger';
import type { Metrics } from '../shared/metrics';
import { handleThroughOutages } from '../shared/outages';
import { retryThroughStorageFailures, type StorageHealth } from '../shared/storageHealth';

/**
 * Calls handled at the same time with Redis call state: a handler spends most of its time waiting
 * for Redis and RabbitMQ, so one call at a time would leave the process idle. Embedded handlers
 * are synchronous SQLite work, where one at a time is fastest. 256, not 64 (issue 15): with 64,
 * each handler's waits (a Redis reply, the end of the turn's commit) were the limit under load,
 * events queued in RabbitMQ and a new call's popup came 1 to 2.7 s late (p99); with 256 the
 * handlers keep up with the phones (p99 80 to 190 ms in `npm run bench`), and the turns' commits
 * carry more writes each.
 */
const SHARED_HANDLER_CONCURRENCY = 256;
/** A call event whose write failed for the disk is tried again after this long: doubling from 100 ms to 5 s. */
const storageRetryDelay = (attempt: number) => backoffDelay(attempt, { baseMs: 100, capMs: 5_000, jitter: 'equal' });

export interface CallHandlingDeps {
  config: RingsideConfig;
  stores: Stores;
  adapters: Adapters;
  directory: CachedDirectory;
  metrics: Metrics;
  storage: StorageHealth;
  logger: Logger;
  clock: () => number;
  /** The missed-call sweeper's look for entries it did not queue (MissedCallSweeper safetyNetMs). */
  missedSafetyNetMs?: number;
  /** A phone's state changed (DeviceHealth): the serve process tells its UIs. */
  onPhoneChanged?: (account: string, mac: string) => void;
}

/** What handles call events, in the serve process and in each of its worker processes (worker.ts). */
export interface CallHandling {
  presence: PresenceService;
  callbacks: CallbackQueue;
  missed: MissedCallSweeper;
  phones: PhoneRegistry;
  devices: DeviceHealth;
  lifecycle: CallLifecycle;
  /**
   * Consumes the bus's call events through the lifecycle until stopped; `signal` ends the waits
   * for storage and shared services (shutdown). `onHandled` hears each outcome (a worker tells its serve process).
   */
  consume(signal: AbortSignal, onHandled?: (type: string, outcome: 'ok' | 'error') => void): Consumer;
}

/** The call-event pipeline's consumer side (docs/architecture.md, The event pipeline, 3 and 4). */
export function wireCallHandling(deps: CallHandlingDeps): CallHandling {
  const { config, stores, adapters, directory, metrics, storage, logger, clock } = deps;
  const { state, push, statuses, queues } = adapters;
  const log = stores.log;
  const presence = new PresenceService({ state, log, directory, push, clock, statuses, logger });
  const callbacks = new CallbackQueue({ queues, log, logger, clock });
  const missed = new MissedCallSweeper({ state, log, push, logger, clock, delayMs: config.missedDelayMs, safetyNetMs: deps.missedSafetyNetMs, onRaised: async () => {
    await presence.publishChanges(config.account);
  }, onMissed: (m) => callbacks.enqueue(m) });
  const phones = new PhoneRegistry({ logger, timeoutMs: config.phoneTimeoutMs });
  const devices = new DeviceHealth({
    directory, phones, logger, clock, pollIntervalMs: config.phonePollMs, onChange: (account, mac) => deps.onPhoneChanged?.(account, mac),
  });
  const crm = config.crmLookupUrl ? new HttpCrmLookup({ urlTemplate: config.crmLookupUrl, timeoutMs: config.crmLookupTimeoutMs, logger, clock }) : null;
  const cards = new DirectoryCallerCards({ directory, numbers: stores.source.numbers, crm, logger });
  const lifecycle = new CallLifecycle({
    state, log, directory, push, presence, missed, logger, clock, devices, cards,
    onMissedClosed: (account, closed) => callbacks.closed(account, closed),
    config: {
      seatAgent: usesRedis(config) ? null : config.agent, transferWindowMs: config.transferWindowMs,
      // RabbitMQ's acknowledgement is final: an event's marker is written before it. The spool's own done marks wait up to 20 ms.
      handledMarks: config.amqp.url ? 'awaited' : 'deferred',
    },
  });

  const consume = (signal: AbortSignal, onHandled?: (type: string, outcome: 'ok' | 'error') => void) => adapters.bus.consume(async (event, delivery) => {
    const stop = metrics.handlerSeconds.startTimer();
    try {
      // A write that fails for the disk (full, read-only) is not the event's fault: it is retried,
      // without spending the event's attempts, until there is space (or until shutdown).
      await retryThroughStorageFailures(() => handleThroughOutages(() => lifecycle.handle(event, delivery).catch((error: unknown) => {
        // A lost database connection is an outage to wait through, not the event's fault.
        stores.noteFailure(error);
        throw error;
      }), adapters.servicesUp, logger, signal), {
        health: storage, store: 'database', signal, retryDelay: storageRetryDelay,
        onFailure: (err, reason, attempt) => {
          if (attempt === 0) logger.error({ err, reason, eventId: event.id, type: event.type }, 'a call event could not be saved; it is retried until it can be');
        },
      });
      metrics.eventsHandled.inc({ type: event.type, outcome: 'ok' });
      onHandled?.(event.type, 'ok');
    } catch (error) {
      metrics.eventsHandled.inc({ type: event.type, outcome: 'error' });
      onHandled?.(event.type, 'error');
      logger.error({ err: error, eventId: event.id, type: event.type }, 'call event handler failed; it will be retried');
      throw error;
    } finally {
      stop();
    }
  }, { concurrency: usesRedis(config) ? SHARED_HANDLER_CONCURRENCY : 1 });

  return { presence, callbacks, missed, phones, devices, lifecycle, consume };
}
