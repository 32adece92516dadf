// Hand-written fakes of the Electron objects the shell's functions act on. The Electron runtime
// cannot start on the build machines (its binary is not downloadable there), so the shell's
// decisions are tested through these instead of a real BrowserWindow.
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions, NotificationConstructorOptions } from 'electron';
import type { IpcInvokeEvent, IpcMainLike } from '../../../../src/desktop/main/ipc';
import type { ShellElectron } from '../../../../src/desktop/main/shell';
import type { CspSession, GuardedContents, HeaderDetails, NavigationEvent, PermissionSession } from '../../../../src/desktop/main/security';
import { waitFor } from '../../../support/wait';

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

export class FakeSession implements PermissionSession, CspSession {
  requestHandler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  checkHandler: ((webContents: unknown, permission: string) => boolean) | null = null;
  headersListener: ((details: HeaderDetails, callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void) => void) | null = null;

  readonly webRequest = {
    onHeadersReceived: (listener: NonNullable<FakeSession['headersListener']>): void => {
      this.headersListener = listener;
    },
  };

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

  /** A response's headers as the page will see them (no listener: unchanged). */
  respond(responseHeaders: Record<string, string[]>): Record<string, string | string[]> {
    if (!this.headersListener) return responseHeaders;
    let result: Record<string, string | string[]> | undefined;
    this.headersListener({ responseHeaders }, (response) => (result = response.responseHeaders));
    if (!result) throw new Error('the listener did not answer with headers');
    return result;
  }
}

/**
 * A minimal event emitter for the fakes, with `until`: a promise that settles once a condition
 * holds, checked now and after every change the fake reports (no polling, no sleeps), and fails
 * after WAIT_MS naming the condition.
 */
export class FakeEmitter {
  private readonly handlers = new Map<string, Array<(...args: never[]) => unknown>>();
  private readonly waiters: Array<{ test: () => boolean; resolve: () => void }> = [];

  on(event: string, listener: (...args: never[]) => unknown): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: (...args: never[]) => unknown): this {
    const wrapped = (...args: never[]) => {
      this.handlers.set(event, (this.handlers.get(event) ?? []).filter((l) => l !== wrapped));
      return listener(...args);
    };
    return this.on(event, wrapped);
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.handlers.get(event) ?? [])]) (listener as (...a: unknown[]) => unknown)(...args);
    this.changed();
  }

  listenerCount(event: string): number {
    return this.handlers.get(event)?.length ?? 0;
  }

  /**
   * Resolves when `test()` holds: checked at once and after each change. Fails after WAIT_MS
   * naming `what` (by default the condition's own source, e.g. `() => popup.visible`).
   */
  until(test: () => boolean, what = `${String(test)} to hold`): Promise<void> {
    return waitFor<void>(what, (resolve) => {
      if (test()) return resolve();
      const waiter = { test, resolve: () => resolve() };
      this.waiters.push(waiter);
      return () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
      };
    });
  }

  protected changed(): void {
    for (const waiter of [...this.waiters]) {
      if (!waiter.test()) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

/** Electron's app: events, quit (held by a prevented before-quit), login items, protocol clients, the lock. */
export class FakeApp extends FakeEmitter {
  quitCalls = 0;
  exited = false;
  private markExited: () => void = () => {};
  /** Resolves when a quit went through. */
  readonly whenExited = new Promise<void>((resolve) => (this.markExited = resolve));
  isPackaged = false;
  /** What requestSingleInstanceLock answers: false when another instance holds the lock. */
  lockAvailable = true;
  exePath = '/opt/Ringside/ringside';
  badgeCount = 0;
  loginItem: { openAtLogin: boolean; wasOpenedAtLogin: boolean } = { openAtLogin: false, wasOpenedAtLogin: false };
  readonly loginItemCalls: Array<{ openAtLogin: boolean; openAsHidden?: boolean; path?: string; args?: string[] }> = [];
  readonly protocolClients = new Set<string>();
  /** Schemes the OS refuses to hand over. */
  readonly refusedProtocols = new Set<string>();

  /** Like app.quit(): before-quit, and the app exits unless a listener prevents it. */
  quit(): void {
    this.quitCalls++;
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (!event.prevented) {
      this.exited = true;
      this.markExited();
    }
  }

  getVersion(): string {
    return '1.2.3';
  }

  getPath(_name: 'exe'): string {
    return this.exePath;
  }

  setBadgeCount(count: number): boolean {
    this.badgeCount = count;
    this.changed();
    return true;
  }

  requestSingleInstanceLock(): boolean {
    return this.lockAvailable;
  }

  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; path?: string; args?: string[] }): void {
    this.loginItemCalls.push(settings);
    this.loginItem = { ...this.loginItem, openAtLogin: settings.openAtLogin };
  }

  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAtLogin: boolean } {
    return { ...this.loginItem };
  }

  setAsDefaultProtocolClient(protocol: string): boolean {
    if (this.refusedProtocols.has(protocol)) return false;
    this.protocolClients.add(protocol);
    return true;
  }

  isDefaultProtocolClient(protocol: string): boolean {
    return this.protocolClients.has(protocol);
  }
}

let nextContentsId = 1;

/** A window's web contents: what the main process sent it over IPC. */
export class FakeWindowContents {
  readonly id = nextContentsId++;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  constructor(private readonly owner: FakeBrowserWindow) {}

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
    this.owner.touch();
  }

  /** The last message sent on a channel. */
  last(channel: string): unknown[] | undefined {
    return this.sent.filter((m) => m.channel === channel).at(-1)?.args;
  }
}

export class FakeBrowserWindow extends FakeEmitter {
  readonly webContents = new FakeWindowContents(this);
  readonly loadedUrls: string[] = [];
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  showInactiveCalls = 0;
  showCalls = 0;
  bounds: { x?: number; y?: number; width?: number; height?: number } = {};
  alwaysOnTop: [boolean, string | undefined] | null = null;
  onAllWorkspaces = false;

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
  }

  touch(): void {
    this.changed();
  }

  loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    this.changed();
    return Promise.resolve();
  }

  show(): void {
    this.showCalls++;
    this.visible = true;
    this.focused = true;
    this.minimized = false;
    this.changed();
  }

  showInactive(): void {
    this.showInactiveCalls++;
    this.visible = true;
    this.changed();
  }

  hide(): void {
    this.visible = false;
    this.focused = false;
    this.changed();
  }

  focus(): void {
    this.focused = true;
    this.changed();
  }

  restore(): void {
    this.minimized = false;
    this.changed();
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  isVisible(): boolean {
    return this.visible;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  setBounds(bounds: { x?: number; y?: number; width?: number; height?: number }): void {
    this.bounds = { ...this.bounds, ...bounds };
  }

  setAlwaysOnTop(flag: boolean, level?: string): void {
    this.alwaysOnTop = [flag, level];
  }

  setVisibleOnAllWorkspaces(visible: boolean): void {
    this.onAllWorkspaces = visible;
  }

  /** What the window manager does when the user closes it: 'close' (preventable), then destroyed. */
  close(): boolean {
    const event = new FakeEvent();
    this.emit('close', event);
    if (event.prevented) return false;
    this.destroy();
    return true;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
}

export class FakeTray extends FakeEmitter {
  images: unknown[] = [];
  toolTip = '';
  title = '';
  menu: FakeMenu | null = null;
  destroyed = false;

  constructor(image: unknown) {
    super();
    this.images.push(image);
  }

  setImage(image: unknown): void {
    this.images.push(image);
    this.changed();
  }

  setToolTip(text: string): void {
    this.toolTip = text;
    this.changed();
  }

  setTitle(title: string): void {
    this.title = title;
    this.changed();
  }

  setContextMenu(menu: unknown): void {
    this.menu = menu as FakeMenu;
    this.changed();
  }

  destroy(): void {
    this.destroyed = true;
    this.changed();
  }

  /** A left click on the icon. */
  click(): void {
    this.emit('click');
  }
}

export class FakeMenu {
  constructor(readonly template: MenuItemConstructorOptions[]) {}

  item(id: string): MenuItemConstructorOptions {
    const found = this.template.find((i) => i.id === id);
    if (!found) throw new Error(`no menu item ${id}: ${this.template.map((i) => i.id).join(', ')}`);
    return found;
  }

  /** Clicks an item like Electron does (disabled items do nothing). */
  click(id: string): void {
    const item = this.item(id);
    if (item.enabled === false) throw new Error(`menu item ${id} is disabled`);
    (item.click as (() => void) | undefined)?.();
  }
}

export class FakeNotification extends FakeEmitter {
  shown = false;
  closed = false;
  constructor(readonly options: NotificationConstructorOptions) {
    super();
  }

  show(): void {
    this.shown = true;
    this.changed();
  }

  close(): void {
    this.closed = true;
    this.emit('close');
  }

  click(): void {
    this.emit('click');
  }
}

export class FakeScreen {
  cursor = { x: 100, y: 100 };
  displays: Array<{ bounds: { x: number; y: number; width: number; height: number }; workArea: { x: number; y: number; width: number; height: number } }> = [
    { bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } },
  ];

  getCursorScreenPoint(): { x: number; y: number } {
    return { ...this.cursor };
  }

  getDisplayNearestPoint(point: { x: number; y: number }): { workArea: { x: number; y: number; width: number; height: number } } {
    const inside = this.displays.find((d) => point.x >= d.bounds.x && point.x < d.bounds.x + d.bounds.width && point.y >= d.bounds.y && point.y < d.bounds.y + d.bounds.height);
    return inside ?? this.displays[0]!;
  }
}

export class FakeGlobalShortcut {
  readonly registered = new Map<string, () => void>();
  /** Accelerators another application holds. */
  readonly taken = new Set<string>();

  register(accelerator: string, callback: () => void): boolean {
    if (this.taken.has(accelerator) || this.registered.has(accelerator)) return false;
    this.registered.set(accelerator, callback);
    return true;
  }

  unregister(accelerator: string): void {
    this.registered.delete(accelerator);
  }

  /** The user presses the keys. */
  press(accelerator: string): void {
    const callback = this.registered.get(accelerator);
    if (!callback) throw new Error(`${accelerator} is not registered`);
    callback();
  }
}

export class FakeClipboard {
  text = '';
  /** Linux's primary selection. */
  selection = '';
  readText = (): Promise<string> => Promise.resolve(this.text);
  readSelection = (): Promise<string> => Promise.resolve(this.selection);
}

export interface FakeSender {
  /** The sending web contents' id (a window's webContents.id, or any other number). */
  contentsId: number;
  /** The sending frame's URL; null: the frame is gone. */
  url: string | null;
  /** A sub-frame instead of the top-level frame. */
  subFrame?: boolean;
}

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcInvokeEvent, ...args: unknown[]) => unknown>();

  handle(channel: string, listener: (event: IpcInvokeEvent, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** ipcRenderer.invoke as Electron runs it: a handler's throw becomes a rejection; no handler rejects too. */
  async invoke(channel: string, sender: FakeSender, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const frame = sender.url === null ? null : { url: sender.url, parent: sender.subFrame ? {} : null };
    return handler({ senderFrame: frame, sender: { id: sender.contentsId } }, ...args);
  }
}

/** The whole electron module as the shell sees it (ShellElectron), with every object it made kept for the test. */
export class FakeElectron {
  readonly app = new FakeApp();
  readonly windows: FakeBrowserWindow[] = [];
  readonly trays: FakeTray[] = [];
  readonly notifications: FakeNotification[] = [];
  readonly screen = new FakeScreen();
  readonly globalShortcut = new FakeGlobalShortcut();
  readonly clipboard = new FakeClipboard();
  readonly ipcMain = new FakeIpcMain();
  readonly session = new FakeSession();
  readonly shell = new FakeShell();
  notificationsSupported = true;
  /** Notified whenever the shell creates a window or a notification. */
  readonly events = new FakeEmitter();

  slice(): ShellElectron {
    return {
      app: this.app,
      createWindow: (options) => {
        const window = new FakeBrowserWindow(options);
        this.windows.push(window);
        this.events.emit('window', window);
        return window;
      },
      createTray: (image) => {
        const tray = new FakeTray(image);
        this.trays.push(tray);
        return tray;
      },
      buildMenu: (template) => new FakeMenu(template),
      imageFromBitmap: (bitmap) => ({ bitmap }),
      notifications: {
        isSupported: () => this.notificationsSupported,
        create: (options) => {
          const notification = new FakeNotification(options);
          this.notifications.push(notification);
          this.events.emit('notification', notification);
          return notification;
        },
      },
      screen: this.screen,
      globalShortcut: this.globalShortcut,
      clipboard: this.clipboard,
      ipcMain: this.ipcMain,
      openExternal: this.shell.openExternal,
      session: this.session,
    };
  }
}
