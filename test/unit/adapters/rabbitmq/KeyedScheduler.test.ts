import { describe, expect, it } from 'vitest';
import { KeyedScheduler, type RunOutcome } from '../../../../src/adapters/rabbitmq/KeyedScheduler';
import { deferred, waitFor, type Deferred } from '../../../support/wait';

interface Item { key: string; name: string }

/** A scheduler whose runs the test finishes by hand. */
function harness(concurrency: number) {
  const runs = new Map<string, Deferred<RunOutcome>>();
  const started: string[] = [];
  const startedOne: Array<() => void> = [];
  let done = 0;
  const scheduler = new KeyedScheduler<Item>({
    concurrency,
    run: (item) => {
      const run = deferred<RunOutcome>(`run ${item.name} to finish`);
      runs.set(item.name, run);
      started.push(item.name);
      startedOne.splice(0).forEach((wake) => wake());
      return run.promise;
    },
    onDone: () => { done++; },
    onRunError: () => undefined,
  });
  const add = (key: string, name: string) => scheduler.add(key, { key, name });
  /** Finishes a running item and lets the scheduler start what follows. */
  const finish = async (name: string, outcome: RunOutcome = 'done') => {
    runs.get(name)!.resolve(outcome);
    await new Promise((resolve) => setImmediate(resolve));
  };
  /** Resolves at the next run the scheduler starts, from this call on (fails after WAIT_MS). */
  const nextStart = () => waitFor<void>('the scheduler to start another run', (resolve) => {
    const wake = () => resolve();
    startedOne.push(wake);
    return () => {
      const at = startedOne.indexOf(wake);
      if (at >= 0) startedOne.splice(at, 1);
    };
  });
  return { scheduler, add, finish, started, nextStart, done: () => done };
}

describe('KeyedScheduler', () => {
  it('runs one key strictly in order and different keys side by side, up to the concurrency', async () => {
    const h = harness(2);
    h.add('a', 'a1'); h.add('a', 'a2'); h.add('b', 'b1'); h.add('c', 'c1');
    expect(h.started).toEqual(['a1', 'b1']);
    await h.finish('b1');
    expect(h.started).toEqual(['a1', 'b1', 'c1']);
    await h.finish('a1');
    expect(h.started).toEqual(['a1', 'b1', 'c1', 'a2']);
    expect(h.scheduler.size).toBe(2);
  });

  it('parks only the key of an item to retry, then runs that item again before the rest of its key', async () => {
    const h = harness(4);
    h.add('a', 'a1'); h.add('a', 'a2'); h.add('b', 'b1');
    const retried = h.nextStart();
    await h.finish('a1', { retryAt: Date.now() + 5 });
    await h.finish('b1');
    await retried; // the only thing left to start is a1 again, once its time has come
    expect(h.started).toEqual(['a1', 'b1', 'a1']);
    await h.finish('a1');
    expect(h.started.at(-1)).toBe('a2');
    expect(h.done()).toBe(2);
  });

  it('discards waiting items but never the one running; pause() waits for it and starts nothing more', async () => {
    const h = harness(1);
    h.add('a', 'a1'); h.add('a', 'a2'); h.add('b', 'b1');
    expect(h.scheduler.discard(() => true)).toBe(2);
    expect(h.scheduler.size).toBe(1);
    h.add('a', 'a3');
    const paused = h.scheduler.pause();
    await h.finish('a1');
    await paused;
    expect(h.started).toEqual(['a1']);
    expect(h.scheduler.size).toBe(1);
    h.scheduler.clear();
    expect(h.scheduler.size).toBe(0);
  });
});
