import type { Logger } from '../shared/logger';
import type { StorageReport } from '../shared/storageHealth';
import type { DependencyHealth } from './adapters';

type Service = 'redis' | 'rabbitmq' | 'database';

/** What each state means for calls, in the log line IT reads. */
const SERVICE_LINES: Record<Service, Record<'up' | 'degraded' | 'down', string>> = {
  redis: {
    up: 'Redis is up',
    down: 'Redis is down: call state, presence and popups across seats wait for it; phone events are kept and handled once it is back',
    degraded: 'Redis is degraded',
  },
  rabbitmq: {
    up: 'RabbitMQ is up',
    down: 'RabbitMQ is down: phone events are kept on this machine and forwarded once it is back',
    degraded: 'RabbitMQ is degraded: reachable, with a backlog of events still to forward',
  },
  database: {
    up: 'PostgreSQL is up',
    down: 'PostgreSQL is down: call events wait for it (nothing is lost); history, missed calls and the directory cannot be read meanwhile',
    degraded: 'PostgreSQL is degraded',
  },
};

/**
 * One log line per change of a dependency's state (docs/architecture.md, Logs): Redis, RabbitMQ and
 * PostgreSQL (when configured) up, degraded or down, and the storage (the data directory's files) up or
 * down. Fed with every health reading; the first reading of a configured service is logged too,
 * so the log says what the process started with. Down and degraded are warnings, up is info.
 */
export class DependencyLog {
  private readonly last = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  /** Every service and the storage up at their last reading (or none read yet). */
  get allUp(): boolean {
    for (const state of this.last.values()) if (state !== 'up') return false;
    return true;
  }

  note(dependencies: DependencyHealth, storage: StorageReport): void {
    for (const service of ['redis', 'rabbitmq', 'database'] as const) {
      const state = dependencies[service];
      if (state === 'embedded' || this.change(service, state) === null) continue;
      const fields = { service, state, ...(service === 'rabbitmq' ? { backlog: dependencies.spoolDepth } : {}) };
      if (state === 'up') this.logger.info(fields, SERVICE_LINES[service].up);
      else this.logger.warn(fields, SERVICE_LINES[service][state]);
    }
    const change = this.change('storage', storage.state);
    if (change === null) return;
    if (storage.state === 'down') {
      this.logger.warn({ service: 'storage', state: 'down', reason: storage.reason, failing: storage.failing },
        `storage is down (${storage.reason ?? 'write failed'}): Ringside cannot write its files; phone events arriving meanwhile are refused (503)`);
    } else if (change === 'changed') {
      // Not at start: storage that works is what everyone expects.
      this.logger.info({ service: 'storage', state: 'up' }, 'storage is up again: files are written');
    }
  }

  /** Records the state: `first` for the first reading, `changed` for a different one, null for the same. */
  private change(key: string, state: string): 'first' | 'changed' | null {
    const last = this.last.get(key);
    if (last === state) return null;
    this.last.set(key, state);
    return last === undefined ? 'first' : 'changed';
  }
}
