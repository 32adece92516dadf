/**
 * A periodic pass that runs often only while it matters (docs/architecture.md, Idle): every
 * `busyMs` while `busy()` says so (a UI is connected, a service is down), else every `idleMs`, so
 * a desktop seat nobody looks at does not wake every few seconds for pushes nobody receives.
 * `nudge()` says `busy()` may have changed: a slow wait is cut short at once when it has.
 */
export interface PacedTimer {
  nudge(): void;
  stop(): void;
}

export interface PacedTimerOptions {
  run: () => void;
  busy: () => boolean;
  busyMs: number;
  idleMs: number;
}

export function startPacedTimer(options: PacedTimerOptions): PacedTimer {
  let timer: NodeJS.Timeout | null = null;
  let waitingMs = 0;
  let stopped = false;
  const arm = () => {
    waitingMs = options.busy() ? options.busyMs : options.idleMs;
    timer = setTimeout(() => {
      timer = null;
      options.run();
      if (!stopped) arm();
    }, waitingMs);
    timer.unref();
  };
  arm();
  return {
    nudge: () => {
      if (stopped || timer === null || waitingMs === options.busyMs || !options.busy()) return;
      clearTimeout(timer);
      arm();
    },
    stop: () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
