import { describe, expect, it } from 'vitest';
import { ConnectionTable, type Occupancy, type Occupant } from '../../../../src/adapters/webhook/connectionTable';
import { LimitLog } from '../../../../src/adapters/webhook/limitLog';
import { createLogger } from '../../../../src/shared/logger';
import { Writable } from 'node:stream';

/** A connection as the table sees it, with what was done to it. */
class Fake implements Occupant {
  reclaimed = false;
  destroyed = false;
  constructor(
    readonly sourceIp: string,
    public state: Occupancy,
    readonly waitingSince: number,
  ) {}
  occupancy(): Occupancy {
    return this.state;
  }
  reclaim(): void {
    this.reclaimed = true;
    this.state = 'closing';
  }
  destroy(): void {
    this.destroyed = true;
  }
}

describe('ConnectionTable', () => {
  it('admits within both caps and forgets released connections', () => {
    const table = new ConnectionTable<Fake>(3, 2);
    const a = new Fake('10.0.0.1', 'waiting', 1);
    expect(table.admit(a)).toEqual({ refused: null, reclaimed: [] });
    expect(table.admit(new Fake('10.0.0.1', 'waiting', 2))).toEqual({ refused: null, reclaimed: [] });
    expect([table.size, table.countOf('10.0.0.1')]).toEqual([2, 2]);
    table.release(a);
    table.release(a);
    expect([table.size, table.countOf('10.0.0.1')]).toEqual([1, 1]);
  });

  it('at the per-address cap, closes that address\'s connection waiting longest, never another address\'s', () => {
    const table = new ConnectionTable<Fake>(10, 2);
    const other = new Fake('10.0.0.9', 'waiting', 0);
    const older = new Fake('10.0.0.1', 'waiting', 5);
    const newer = new Fake('10.0.0.1', 'waiting', 7);
    for (const c of [other, newer, older]) table.admit(c);
    const admission = table.admit(new Fake('10.0.0.1', 'waiting', 9));
    expect(admission.refused).toBeNull();
    expect(admission.reclaimed).toEqual([{ limit: 'per_address', occupant: older }]);
    expect([other.reclaimed, newer.reclaimed]).toEqual([false, false]);
  });

  it('destroys connections already answered and closed before closing a waiting one', () => {
    const table = new ConnectionTable<Fake>(2, 2);
    const done = new Fake('10.0.0.1', 'closing', 0);
    const waiting = new Fake('10.0.0.2', 'waiting', 0);
    table.admit(done);
    table.admit(waiting);
    const admission = table.admit(new Fake('10.0.0.3', 'waiting', 5));
    expect(admission).toEqual({ refused: null, reclaimed: [] });
    expect([done.destroyed, waiting.reclaimed]).toEqual([true, false]);
    expect(table.size).toBe(2);
  });

  it('never touches a connection with a request in flight: refuses the new one instead, by the cap that was full', () => {
    const table = new ConnectionTable<Fake>(3, 2);
    const busy = [new Fake('10.0.0.1', 'busy', 0), new Fake('10.0.0.1', 'busy', 0), new Fake('10.0.0.2', 'busy', 0)];
    for (const c of busy) table.admit(c);
    // (A refused connection is being answered: busy, as the real one is until its 503 is out.)
    expect(table.admit(new Fake('10.0.0.1', 'busy', 1)).refused).toBe('per_address');
    expect(table.admit(new Fake('10.0.0.3', 'busy', 1)).refused).toBe('total');
    expect(busy.some((c) => c.reclaimed || c.destroyed)).toBe(false);
    // Refused connections still hold a socket until it closes: they are counted.
    expect(table.size).toBe(5);
  });

  it('at the total cap, closes the connection waiting longest whatever its address', () => {
    const table = new ConnectionTable<Fake>(3, 3);
    const oldest = new Fake('10.0.0.2', 'waiting', 1);
    const list = [new Fake('10.0.0.1', 'busy', 0), new Fake('10.0.0.1', 'waiting', 4), oldest];
    for (const c of list) table.admit(c);
    expect(table.admit(new Fake('10.0.0.3', 'waiting', 9)).reclaimed).toEqual([{ limit: 'total', occupant: oldest }]);
  });

  it('rejects caps that cannot work', () => {
    expect(() => new ConnectionTable(0, 0)).toThrow(/maxConnections: 0/);
    expect(() => new ConnectionTable(4, 5)).toThrow(/maxConnectionsPerAddress: 5/);
    expect(() => new ConnectionTable(4, 1.5)).toThrow(/maxConnectionsPerAddress: 1\.5/);
  });
});

describe('LimitLog', () => {
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

  it('warns at once, then at most once a minute with what happened since', () => {
    const { lines, logger } = capture();
    const log = new LimitLog(logger, () => ({ open: 7 }), 60_000);
    log.note('reclaimed', 'per_address', '10.0.0.1', 1_000);
    for (let i = 0; i < 500; i++) log.note('reclaimed', 'per_address', '10.0.0.1', 1_000 + i);
    log.note('refused', 'total', '10.0.0.2', 2_000);
    log.tick(60_999);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, reclaimed: { per_address: 1, total: 0 }, sources: [{ ip: '10.0.0.1', count: 1 }], open: 7 });
    log.tick(61_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      reclaimed: { per_address: 500, total: 0 }, refused: { per_address: 0, total: 1 },
      sources: [{ ip: '10.0.0.1', count: 500 }, { ip: '10.0.0.2', count: 1 }], distinctSources: 2, sinceMs: 60_000,
    });
    log.tick(200_000); // nothing new: nothing to say
    expect(lines).toHaveLength(2);
  });
});
