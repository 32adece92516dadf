import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RefusalLog } from '../../../../src/adapters/webhook/refusalLog';
import { createLogger } from '../../../../src/shared/logger';

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

describe('RefusalLog (docs/architecture.md, Logs)', () => {
  it('logs the first refusal of a source and reason at once, then at most one line a minute with the count, and at once again after a quiet minute', () => {
    const { lines, logger } = capture();
    const log = new RefusalLog(logger, 60_000);
    log.note('10.0.0.5', 401, 'invalid token', 1_000);
    expect(lines).toEqual([expect.objectContaining({ level: 30, ip: '10.0.0.5', status: 401, reason: 'invalid token', msg: 'phone request refused' })]);
    for (let i = 0; i < 500; i++) log.note('10.0.0.5', 401, 'invalid token', 2_000 + i);
    log.tick(60_999);
    expect(lines).toHaveLength(1);
    // The summary comes with the sweep once the minute is over...
    log.tick(61_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: 30, ip: '10.0.0.5', status: 401, count: 500, sinceMs: 59_000 });
    // ...or with the next refusal after it.
    log.note('10.0.0.5', 401, 'invalid token', 90_000);
    log.note('10.0.0.5', 401, 'invalid token', 121_000);
    expect(lines.slice(2)).toEqual([expect.objectContaining({ count: 2 })]);
    // A quiet minute: the source is forgotten, and its next refusal is a first one again.
    log.tick(182_000);
    log.note('10.0.0.5', 401, 'invalid token', 182_001);
    expect(lines.at(-1)).toMatchObject({ msg: 'phone request refused' });
    expect(lines.at(-1)).not.toHaveProperty('count');
  });

  it('keeps sources and reasons apart, and tells the counts left when flushed', () => {
    const { lines, logger } = capture();
    const log = new RefusalLog(logger, 60_000);
    log.note('10.0.0.5', 401, 'invalid token', 0);
    log.note('10.0.0.5', 404, 'unknown path', 0);
    log.note('10.0.0.6', 401, 'invalid token', 0);
    log.note('10.0.0.6', 401, 'invalid token', 1);
    expect(lines.map((l) => [l.ip, l.status])).toEqual([['10.0.0.5', 401], ['10.0.0.5', 404], ['10.0.0.6', 401]]);
    log.flush(5_000);
    expect(lines.slice(3)).toEqual([expect.objectContaining({ ip: '10.0.0.6', status: 401, count: 1 })]);
  });

  it('counts the refusals of sources beyond the ones it follows together, in one line a minute', () => {
    const { lines, logger } = capture();
    const log = new RefusalLog(logger, 60_000);
    for (let i = 0; i < 1_500; i++) log.note(`10.1.${i >> 8}.${i & 255}`, 403, 'source address not allowed', 0);
    expect(lines.filter((l) => l.msg === 'phone request refused')).toHaveLength(1_000);
    const many = lines.filter((l) => String(l.msg).startsWith('phone requests refused from many sources'));
    expect(many).toEqual([expect.objectContaining({ count: 1 })]);
    log.tick(60_000);
    expect(lines.filter((l) => String(l.msg).startsWith('phone requests refused from many sources')).at(-1)).toMatchObject({ count: 499 });
  });
});
