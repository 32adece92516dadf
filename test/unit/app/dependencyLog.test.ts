import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DependencyLog } from '../../../src/app/dependencyLog';
import { createLogger } from '../../../src/shared/logger';
import type { StorageReport } from '../../../src/shared/storageHealth';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

const storageUp: StorageReport = { state: 'up', reason: null, failing: [], since: null };
const diskFull: StorageReport = { state: 'down', reason: 'disk full', failing: ['spool'], since: 1 };

describe('DependencyLog (docs/architecture.md, Logs)', () => {
  it('logs each configured service once at its first reading and then once per change, down and degraded as warnings', () => {
    const { lines, logger } = capture();
    const log = new DependencyLog(logger);
    log.note({ redis: 'up', rabbitmq: 'up', database: 'embedded', spoolDepth: 0 }, storageUp);
    log.note({ redis: 'up', rabbitmq: 'up', database: 'embedded', spoolDepth: 3 }, storageUp);
    expect(lines.map((l) => [l.service, l.state, l.level])).toEqual([['redis', 'up', 30], ['rabbitmq', 'up', 30]]);
    log.note({ redis: 'up', rabbitmq: 'degraded', database: 'embedded', spoolDepth: 1_200 }, storageUp);
    log.note({ redis: 'up', rabbitmq: 'down', database: 'embedded', spoolDepth: 1_300 }, storageUp);
    log.note({ redis: 'up', rabbitmq: 'down', database: 'embedded', spoolDepth: 1_400 }, storageUp);
    log.note({ redis: 'up', rabbitmq: 'up', database: 'embedded', spoolDepth: 0 }, storageUp);
    expect(lines.slice(2).map((l) => [l.service, l.state, l.level, l.backlog])).toEqual([
      ['rabbitmq', 'degraded', 40, 1_200], ['rabbitmq', 'down', 40, 1_300], ['rabbitmq', 'up', 30, 0],
    ]);
  });

  it('logs PostgreSQL going down and coming back, once each', () => {
    const { lines, logger } = capture();
    const log = new DependencyLog(logger);
    log.note({ redis: 'up', rabbitmq: 'up', database: 'up', spoolDepth: 0 }, storageUp);
    log.note({ redis: 'up', rabbitmq: 'up', database: 'down', spoolDepth: 0 }, storageUp);
    log.note({ redis: 'up', rabbitmq: 'up', database: 'down', spoolDepth: 0 }, storageUp);
    log.note({ redis: 'up', rabbitmq: 'up', database: 'up', spoolDepth: 0 }, storageUp);
    expect(lines.filter((l) => l.service === 'database').map((l) => [l.state, l.level])).toEqual([['up', 30], ['down', 40], ['up', 30]]);
    expect(lines.find((l) => l.state === 'down')?.msg).toMatch(/PostgreSQL is down: call events wait for it/);
  });

  it('says nothing of embedded services nor of storage that works from the start; storage down and back are one line each', () => {
    const { lines, logger } = capture();
    const log = new DependencyLog(logger);
    log.note({ redis: 'embedded', rabbitmq: 'embedded', database: 'embedded', spoolDepth: 0 }, storageUp);
    expect(lines).toEqual([]);
    log.note({ redis: 'embedded', rabbitmq: 'embedded', database: 'embedded', spoolDepth: 0 }, diskFull);
    log.note({ redis: 'embedded', rabbitmq: 'embedded', database: 'embedded', spoolDepth: 0 }, diskFull);
    log.note({ redis: 'embedded', rabbitmq: 'embedded', database: 'embedded', spoolDepth: 0 }, storageUp);
    expect(lines.map((l) => [l.service, l.state, l.level])).toEqual([['storage', 'down', 40], ['storage', 'up', 30]]);
    expect(lines[0]).toMatchObject({ reason: 'disk full', failing: ['spool'] });
  });
});
