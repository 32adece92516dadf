/**
 * How tests wait. Every wait has a deadline of its own (WAIT_MS unless the caller gives another)
 * and names what it waited for, so a wait in vain fails with "timed out after 15000 ms waiting for
 * <what>" (and what was seen meanwhile) well inside vitest's 30 s test timeout, instead of hanging
 * until that timeout says nothing. And nothing seen before a wait began satisfies it: a stream of
 * messages (Inbox) or of output (TextWatch) is consumed in order, so each item satisfies one wait
 * only, and `since` marks leave out what came before the action a test waits on.
 *
 * The timers are the real ones, taken when this module loads: a test's fake timers neither stop
 * nor hurry a deadline.
 */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realNow = performance.now.bind(performance);

/** Half the test timeout: a wait's own error comes first, with its name. */
export const WAIT_MS = 15_000;

export interface WaitOptions {
  /** The deadline, from the moment the wait begins (default WAIT_MS). */
  timeoutMs?: number;
}

/** A wait that ran out of time; its message names what it waited for. */
export class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}

function timedOut(what: string, ms: number, seen?: () => string): WaitTimeout {
  let detail = '';
  try {
    detail = seen?.() ?? '';
  } catch (err) {
    detail = `(describing what was seen failed: ${String(err)})`;
  }
  return new WaitTimeout(`timed out after ${ms} ms waiting for ${what}${detail ? `; ${detail}` : ''}`);
}

/** A short, one-line rendering of a value for error messages. */
export function show(value: unknown, max = 600): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The one way to wait for something to happen: `start` registers whatever will call `resolve`
 * (or `reject`) and may return a cleanup, which runs however the wait ends (resolved, rejected,
 * timed out), so no listener outlives its wait. `seen` describes, for the timeout's message,
 * what arrived meanwhile.
 */
export function waitFor<T>(
  what: string,
  start: (resolve: (value: T) => void, reject: (err: unknown) => void) => (() => void) | void,
  options: WaitOptions & { seen?: () => string } = {},
): Promise<T> {
  const ms = options.timeoutMs ?? WAIT_MS;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let cleanup: (() => void) | void = undefined;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      realClearTimeout(timer);
      cleanup?.();
      return true;
    };
    const timer = realSetTimeout(() => {
      if (finish()) reject(timedOut(what, ms, options.seen));
    }, ms);
    try {
      cleanup = start(
        (value) => {
          if (finish()) resolve(value);
        },
        (err) => {
          if (finish()) reject(err);
        },
      );
    } catch (err) {
      if (finish()) reject(err);
    }
    // Settled while starting (what it waits for was already there): the cleanup came after finish().
    if (settled) cleanup?.();
  });
}

/** `promise`, or a WaitTimeout naming `what` if the deadline comes first. */
export function withTimeout<T>(promise: Promise<T>, what: string, options: WaitOptions & { seen?: () => string } = {}): Promise<T> {
  return waitFor<T>(what, (resolve, reject) => {
    promise.then(resolve, reject);
  }, options);
}

/** A real pause (not a fake timer's). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/**
 * Polls what no event reports to the test (another process's state, the broker's queues) until
 * `done` holds, and resolves with that value; fails naming `what`, with the last value, when the
 * deadline passes first.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  options: WaitOptions & { intervalMs?: number } = {},
): Promise<T> {
  const ms = options.timeoutMs ?? WAIT_MS;
  const deadline = realNow() + ms;
  let value = await probe();
  while (!done(value)) {
    if (realNow() >= deadline) throw timedOut(what, ms, () => `last value: ${show(value)}`);
    await sleep(options.intervalMs ?? 25);
    value = await probe();
  }
  return value;
}

export interface Deferred<T> {
  /** Settles when resolve() or reject() is called: for the code under test to await (a gate), no deadline. */
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
  /** For the test to await: the promise, with a deadline and the deferred's name. */
  wait(options?: WaitOptions): Promise<T>;
}

/** A promise settled from outside; `what` names it for wait()'s timeout (e.g. 'the handler to start'). */
export function deferred<T = void>(what: string): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject, wait: (options) => withTimeout(promise, what, options) };
}

/**
 * Items that arrive in order (pushed messages, notices) and the waits on them. A wait takes the
 * earliest item that matches, that no earlier wait took, and that arrived at or after `since`
 * (a mark() taken before the action the test then waits on; default: from the first item), so
 * an item satisfies one wait only and nothing from before the mark does. Items that came before
 * the wait still count: a test acts, then waits, and the answer may beat the wait.
 */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly taken = new Set<number>();
  private readonly waiters: Array<{ match: (item: T) => boolean; since: number; take: (index: number) => void }> = [];

  /** `name` says whose inbox it is, in timeout messages; `describe` renders an item there. */
  constructor(private readonly name: string, private readonly describe: (item: T) => string = (item) => show(item, 200)) {}

  /** Everything received, in order. */
  get all(): readonly T[] {
    return this.items;
  }

  /** Where the inbox is now: a wait given `since: mark` considers only what arrives after this. */
  mark(): number {
    return this.items.length;
  }

  push(item: T): void {
    const index = this.items.push(item) - 1;
    const waiter = this.waiters.find((w) => index >= w.since && w.match(item));
    if (waiter) waiter.take(index);
  }

  /** The earliest matching item not yet taken (received at or after `since`), or the next to arrive. */
  next(match: (item: T) => boolean, what: string, options: WaitOptions & { since?: number } = {}): Promise<T> {
    const since = options.since ?? 0;
    return waitFor<T>(`${what} (${this.name})`, (resolve) => {
      const found = this.items.findIndex((item, i) => i >= since && !this.taken.has(i) && match(item));
      if (found >= 0) {
        this.taken.add(found);
        resolve(this.items[found]!);
        return;
      }
      const waiter = {
        match, since,
        take: (index: number) => {
          this.taken.add(index);
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          resolve(this.items[index]!);
        },
      };
      this.waiters.push(waiter);
      return () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
      };
    }, { timeoutMs: options.timeoutMs, seen: () => this.seenSince(since) });
  }

  private seenSince(since: number): string {
    const items = this.items.slice(since);
    if (items.length === 0) return since === 0 ? 'nothing received' : 'nothing received since the mark';
    const shown = items.slice(-12).map((item, i) => `${this.taken.has(since + items.length - Math.min(items.length, 12) + i) ? '(taken) ' : ''}${this.describe(item)}`);
    return `received${since === 0 ? '' : ' since the mark'} (${items.length}${items.length > 12 ? ', the last 12' : ''}):\n  ${shown.join('\n  ')}`;
  }
}

/**
 * Text that arrives in pieces (a child's stdout, a CLI run's output), read in order: a wait looks
 * only at what follows the end of the previous wait's match, so output already matched never
 * satisfies a later wait. end() (the process exited) fails the pending waits and any later one
 * that finds no match in what was printed.
 */
export class TextWatch {
  private text = '';
  private cursor = 0;
  private ended: string | null = null;
  private readonly listeners = new Set<() => void>();

  /** `name` says whose output it is, in error messages; `extra` adds to them (e.g. stderr). */
  constructor(private readonly name: string, private readonly extra: () => string = () => '') {}

  /** Everything received so far. */
  get output(): string {
    return this.text;
  }

  append(chunk: string): void {
    this.text += chunk;
    for (const listener of [...this.listeners]) listener();
  }

  /** The source is done (why: e.g. 'exited (1)'). */
  end(why: string): void {
    this.ended ??= why;
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * The first match of `pattern` after the previous wait's match (`^` and `$` also match at line
   * breaks); later waits read on after it.
   */
  next(pattern: RegExp, options: WaitOptions & { what?: string } = {}): Promise<RegExpMatchArray> {
    const flags = pattern.flags.replace(/[gy]/g, '');
    const regex = new RegExp(pattern.source, flags.includes('m') ? flags : `${flags}m`);
    const what = `${options.what ?? String(pattern)} in ${this.name}`;
    return waitFor<RegExpMatchArray>(what, (resolve, reject) => {
      const check = () => {
        const match = regex.exec(this.text.slice(this.cursor));
        if (match) {
          this.cursor += match.index + match[0].length;
          resolve(match);
        } else if (this.ended !== null) {
          reject(new Error(`${this.name} ${this.ended} before printing ${what}${this.details()}`));
        }
      };
      this.listeners.add(check);
      check();
      return () => this.listeners.delete(check);
    }, { timeoutMs: options.timeoutMs, seen: () => this.details().trimStart() });
  }

  /** The next complete line (after the previous wait's match) that starts with `marker`, without its line break. */
  async nextLine(marker: string, options: WaitOptions = {}): Promise<string> {
    const escaped = marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = await this.next(new RegExp(`^${escaped}[^\\n]*(?=\\n)`), { ...options, what: `a line starting with ${JSON.stringify(marker)}` });
    return match[0].replace(/\r$/, '');
  }

  private details(): string {
    const extra = this.extra();
    return `\noutput not yet matched:\n${show(this.text.slice(this.cursor), 4000)}${extra ? `\n${extra}` : ''}`;
  }
}
