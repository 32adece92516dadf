import type { PreventableEvent } from './security';

export interface QuittableApp {
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  quit(): void;
}

export interface Closable {
  close(): Promise<void>;
}

/**
 * Quitting closes the core first: the first before-quit is held (preventDefault) until the core's
 * close() settles, then the app quits for real. Further quit requests while closing are held too.
 */
export function closeCoreOnQuit(app: QuittableApp, getCore: () => Closable | null, onError: (error: unknown) => void = () => {}): void {
  let state: 'running' | 'closing' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'closed') return;
    const core = getCore();
    if (core === null) return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    core
      .close()
      .catch(onError)
      .finally(() => {
        state = 'closed';
        app.quit();
      });
  });
}

/**
 * The app's own arguments: `electron . --webhook-port 7000` (process.defaultApp) carries the
 * executable and the app path; a packaged app only the executable.
 */
export function appArguments(argv: readonly string[], defaultApp: boolean | undefined): string[] {
  return argv.slice(defaultApp ? 2 : 1);
}
