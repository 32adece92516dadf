import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPacedTimer, type PacedTimer } from '../../../src/app/pacedTimer';

/**
 * The server's presence and health passes (docs/architecture.md, Idle): often while a UI is
 * connected or a service is down, slowly otherwise, and a UI connecting does not wait out a slow
 * wait. vitest's timers stand in for time; what is checked is how many passes ran.
 */
describe('startPacedTimer', () => {
  let busy: boolean;
  let runs: number;
  let timer: PacedTimer;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    busy = false;
    runs = 0;
    timer = startPacedTimer({ run: () => runs++, busy: () => busy, busyMs: 2_000, idleMs: 30_000 });
  });

  afterEach(() => {
    timer.stop();
    vi.useRealTimers();
  });

  it('runs seldom while nobody needs it, often once something does, and seldom again after', async () => {
    await vi.advanceTimersByTimeAsync(29_999);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);

    busy = true; // a UI connected
    timer.nudge();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs).toBe(2);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(runs).toBe(4);

    busy = false; // it went away: one more busy-paced pass, then the slow pace
    timer.nudge();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs).toBe(5);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(runs).toBe(5);
  });

  it('a nudge while busy does not postpone the next pass', async () => {
    busy = true;
    timer.nudge();
    await vi.advanceTimersByTimeAsync(1_500);
    timer.nudge();
    await vi.advanceTimersByTimeAsync(500);
    expect(runs).toBe(1);
  });

  it('runs no more after stop()', async () => {
    timer.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(runs).toBe(0);
  });
});
