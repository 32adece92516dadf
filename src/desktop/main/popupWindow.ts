import type { BrowserWindowConstructorOptions } from 'electron';
import { IPC } from '../../protocol/ipc';
import type { PopupEntry, PopupSurface } from './popupController';
import { popupBounds, popupCorner, popupSize, type Rectangle } from './popupPlacement';
import { secureWebPreferences, type MainWindowInput } from './security';

/**
 * The incoming-call popup window: small, frameless, always on top, in a corner, and never taking
 * the focus from what the agent is typing in (created unfocusable, shown with showInactive). It
 * loads the agent UI's popup view (`/#popup&token=…`) once, hidden, so a ringing call shows at once;
 * the calls reach the view over IPC (`popup:calls`), not through a WebSocket of its own.
 */

export function popupWindowOptions(input: MainWindowInput): BrowserWindowConstructorOptions {
  const size = popupSize(1);
  return {
    title: 'Ringside: incoming call',
    width: size.width,
    height: size.height,
    show: false,
    frame: false,
    alwaysOnTop: true,
    focusable: false,
    skipTaskbar: true,
    resizable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    movable: true,
    hasShadow: true,
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(input),
  };
}

/** The agent UI's popup view with the session token in the fragment (never sent to a server). */
export function popupUrl(appOrigin: string, token: string): string {
  return `${appOrigin}/#popup&token=${encodeURIComponent(token)}`;
}

/** The slice of BrowserWindow the popup uses. */
export interface PopupBrowserWindow {
  readonly webContents: { readonly id: number; send(channel: string, ...args: unknown[]): void };
  loadURL(url: string): Promise<void>;
  showInactive(): void;
  hide(): void;
  isVisible(): boolean;
  isDestroyed(): boolean;
  setBounds(bounds: Partial<Rectangle>): void;
  setAlwaysOnTop(flag: boolean, level?: 'normal' | 'floating' | 'torn-off-menu' | 'modal-panel' | 'main-menu' | 'status' | 'pop-up-menu' | 'screen-saver'): void;
  setVisibleOnAllWorkspaces(visible: boolean, options?: { visibleOnFullScreen?: boolean }): void;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  destroy(): void;
}

export interface PopupScreen {
  getCursorScreenPoint(): { x: number; y: number };
  getDisplayNearestPoint(point: { x: number; y: number }): { workArea: Rectangle };
}

export interface PopupWindowDeps {
  create(options: BrowserWindowConstructorOptions): PopupBrowserWindow;
  options: BrowserWindowConstructorOptions;
  /** The popup view's URL; asked for again when the window is recreated (a fresh token). */
  url(): Promise<string>;
  screen: PopupScreen;
  platform: NodeJS.Platform;
  /** true once the app quits: then the popup may really close. */
  quitting(): boolean;
  onLoadFailed?(error: unknown): void;
}

export class PopupWindow implements PopupSurface {
  private window: PopupBrowserWindow | null = null;

  constructor(private readonly deps: PopupWindowDeps) {}

  /** The web contents id of the popup, for the IPC sender check. */
  get webContentsId(): number | null {
    return this.window && !this.window.isDestroyed() ? this.window.webContents.id : null;
  }

  /** Creates the hidden window and loads the view (at start, so the first call shows without delay). */
  prepare(): PopupBrowserWindow {
    if (this.window && !this.window.isDestroyed()) return this.window;
    const window = this.deps.create(this.deps.options);
    this.window = window;
    // Above full-screen apps too, where the platform allows it.
    window.setAlwaysOnTop(true, 'screen-saver');
    window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    window.on('close', (event) => {
      // Alt+F4 and the like only hide it: the next call needs it again.
      if (this.deps.quitting()) return;
      event.preventDefault();
      window.hide();
    });
    window.on('closed', () => {
      if (this.window === window) this.window = null;
    });
    void this.deps.url()
      .then((url) => window.loadURL(url))
      .catch((error: unknown) => this.deps.onLoadFailed?.(error));
    return window;
  }

  show(entries: readonly PopupEntry[]): void {
    const window = this.prepare();
    const { screen } = this.deps;
    const display = screen.getDisplayNearestPoint(screen.getCursorScreenPoint());
    window.setBounds(popupBounds(display.workArea, popupSize(entries.length), popupCorner(this.deps.platform)));
    window.webContents.send(IPC.popupCalls, entries);
    if (!window.isVisible()) window.showInactive();
  }

  hide(): void {
    const window = this.window;
    if (!window || window.isDestroyed()) return;
    window.webContents.send(IPC.popupCalls, []);
    window.hide();
  }

  destroy(): void {
    const window = this.window;
    this.window = null;
    if (window && !window.isDestroyed()) window.destroy();
  }
}
