// Hand-written fakes of the Electron objects the shell's functions act on. The Electron runtime
// cannot start on the build machines (its binary is not downloadable there), so the shell's
// decisions are tested through these instead of a real BrowserWindow.
import type { GuardedContents, NavigationEvent, PermissionSession, PreventableEvent } from '../../src/main/security';

export class FakeEvent implements NavigationEvent {
  prevented = false;
  constructor(public url = '') {}
  preventDefault(): void {
    this.prevented = true;
  }
}

type Listener = (event: never) => void;

export class FakeWebContents implements GuardedContents {
  private readonly listeners = new Map<string, Listener[]>();
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }

  /** Emits like Electron: returns the event so the test can see whether it was prevented. */
  emit(name: 'will-navigate' | 'will-redirect' | 'will-attach-webview', url = ''): FakeEvent {
    const event = new FakeEvent(url);
    for (const listener of this.listeners.get(name) ?? []) (listener as (e: FakeEvent) => void)(event);
    return event;
  }

  /** What Electron does on window.open / target=_blank. */
  open(url: string): { action: string } {
    if (!this.windowOpenHandler) return { action: 'allow' };
    return this.windowOpenHandler({ url });
  }

  listenerCount(name: string): number {
    return this.listeners.get(name)?.length ?? 0;
  }
}

export class FakeShell {
  opened: string[] = [];
  openExternal = (url: string): Promise<void> => {
    this.opened.push(url);
    return Promise.resolve();
  };
}

export class FakeSession implements PermissionSession {
  requestHandler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  checkHandler: ((webContents: unknown, permission: string) => boolean) | null = null;

  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void {
    this.requestHandler = handler;
  }

  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void {
    this.checkHandler = handler;
  }

  /** A permission request like Electron makes it (no handler means Electron grants it). */
  request(permission: string): boolean {
    let granted: boolean | null = null;
    if (!this.requestHandler) return true;
    this.requestHandler({}, permission, (g) => (granted = g));
    if (granted === null) throw new Error('the handler did not answer');
    return granted;
  }

  check(permission: string): boolean {
    return this.checkHandler ? this.checkHandler({}, permission) : true;
  }
}

export class FakeApp {
  private readonly beforeQuit: Array<(event: PreventableEvent) => void> = [];
  quitCalls = 0;
  exited = false;
  private markExited: () => void = () => {};
  /** Resolves when a quit went through. */
  readonly whenExited = new Promise<void>((resolve) => (this.markExited = resolve));

  on(_event: 'before-quit', listener: (event: PreventableEvent) => void): this {
    this.beforeQuit.push(listener);
    return this;
  }

  /** Like app.quit(): before-quit, and the app exits unless a listener prevents it. */
  quit(): void {
    this.quitCalls++;
    const event = new FakeEvent();
    for (const listener of this.beforeQuit) listener(event);
    if (!event.prevented) {
      this.exited = true;
      this.markExited();
    }
  }
}
