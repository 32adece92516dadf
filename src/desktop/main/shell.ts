import { join } from 'node:path';
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions, NotificationConstructorOptions } from 'electron';
import { IPC } from '../../protocol/ipc';
import type { ServerMessage } from '../../protocol/messages';
import { agentUiUrl, browsableOrigin } from '../../protocol/urls';
import type { ManualPresence } from '../../protocol/views';
import type { Logger } from '../../shared/logger';
import { AgentFeed, type FeedState, type Timers } from './agentFeed';
import { AgentSessions, CoreApi, dialThroughPhone, type AgentSession, type DialOutcome, type FetchLike } from './coreApi';
import { numberFromText, parseDialLink, findDialLink, type DialParse } from './dialLinks';
import { DesktopSettingsStore } from './desktopSettings';
import { registerIpc, type IpcMainLike, type WindowRole } from './ipc';
import { LoginItem, startsHidden, type AutostartFiles, type LoginItemSettingsApp } from './loginItem';
import { MissedTracker } from './missedCount';
import { Notifications, type NotificationLike } from './notifications';
import { PopupController } from './popupController';
import { PopupWindow, popupUrl, popupWindowOptions, type PopupBrowserWindow, type PopupScreen } from './popupWindow';
import {
  guardNavigation, installContentSecurityPolicy, installPermissionPolicy, mainWindowOptions,
  type CspSession, type GuardedContents, type PermissionSession, type PreventableEvent,
} from './security';
import { registerDialSchemes, type ProtocolClientApp } from './singleInstance';
import { TrayController, type TrayLike } from './tray';
import type { IconBitmap } from './trayIcon';

/**
 * The Electron shell around a running core (docs/architecture.md, The desktop shell: windows, popup, tray, notifications,
 * auto-launch, protocol handler; no call logic). Every Electron object comes in through
 * ShellElectron, so the whole shell runs in tests against a hand-written fake of the electron
 * module (the Electron runtime cannot start on the build machines) and a real core.
 */

export interface ShellBrowserWindow extends PopupBrowserWindow {
  readonly webContents: PopupBrowserWindow['webContents'];
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

export interface ShellApp extends LoginItemSettingsApp, ProtocolClientApp {
  readonly isPackaged: boolean;
  on(event: 'before-quit', listener: () => void): unknown;
  on(event: 'web-contents-created', listener: (event: unknown, contents: GuardedContents) => void): unknown;
  quit(): void;
  getVersion(): string;
  /** The running executable (for the login item and the autostart entry). */
  getPath(name: 'exe'): string;
  setBadgeCount(count: number): boolean;
}

/** The slice of the electron module the shell uses, as plain functions (index.ts binds the real one). */
export interface ShellElectron {
  app: ShellApp;
  createWindow(options: BrowserWindowConstructorOptions): ShellBrowserWindow;
  createTray(image: unknown): TrayLike;
  buildMenu(template: MenuItemConstructorOptions[]): unknown;
  imageFromBitmap(bitmap: IconBitmap): unknown;
  notifications: { isSupported(): boolean; create(options: NotificationConstructorOptions): NotificationLike };
  screen: PopupScreen;
  globalShortcut: { register(accelerator: string, callback: () => void): boolean; unregister(accelerator: string): void };
  /** The clipboard's text, and (Linux) the primary selection's: what is selected now. */
  clipboard: { readText(): Promise<string>; readSelection(): Promise<string> };
  ipcMain: IpcMainLike;
  openExternal(url: string): Promise<void>;
  session: PermissionSession & CspSession;
}

/** What the shell needs of the core: where its API is, who the seat's agent is, and sessions. */
export interface ShellCore {
  apiUrl: string;
  config: { agent: string; dataDir: string };
  createAgentSession(): Promise<AgentSession>;
}

export interface ShellOptions {
  electron: ShellElectron;
  core: ShellCore;
  /** Absolute path of the built preload script. */
  preload: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
  /** The app's own arguments (appArguments): `--hidden`, a tel: link. */
  argv: readonly string[];
  logger: Logger;
  files: AutostartFiles;
  /** The global dial shortcut; default CommandOrControl+Alt+D. */
  dialShortcut?: string;
  fetch?: FetchLike;
  timers?: Timers;
}

export const DEFAULT_DIAL_SHORTCUT = 'CommandOrControl+Alt+D';
/** Written once the shell has turned start-at-login on by itself (first run of an installed app). */
const LOGIN_ITEM_MARKER = 'start-at-login.json';

export class Shell {
  readonly popup: PopupController;
  readonly popupWindow: PopupWindow;
  readonly tray: TrayController;
  readonly missed: MissedTracker;
  /** The agent's desktop alerts: popup window and notifications on or off (<data dir>/desktop-settings.json). */
  readonly settings: DesktopSettingsStore;
  readonly feed: AgentFeed;
  readonly api: CoreApi;
  readonly appOrigin: string;
  private mainWindow: ShellBrowserWindow | null = null;
  private quitting = false;
  private presenceVersion = 0;
  private readonly notifications: Notifications;
  private readonly loginItem: LoginItem;
  private readonly sessions: AgentSessions;
  private readonly unregisterIpc: () => void;
  private readonly shortcut: string | null;
  private stopping: Promise<void> | null = null;

  private constructor(private readonly options: ShellOptions) {
    const { electron, core, platform, logger } = options;
    const { app } = electron;
    this.appOrigin = browsableOrigin(core.apiUrl);
    this.sessions = new AgentSessions({ createAgentSession: () => core.createAgentSession() });
    this.api = new CoreApi(this.appOrigin, this.sessions, options.fetch);
    app.on('before-quit', () => {
      this.quitting = true;
    });

    // Security: permissions denied, the shell's CSP on every response, every web contents kept on the app origin.
    installPermissionPolicy(electron.session);
    installContentSecurityPolicy(electron.session, this.appOrigin);
    app.on('web-contents-created', (_event, contents) => {
      guardNavigation(contents, {
        appOrigin: this.appOrigin,
        openExternal: (url) => electron.openExternal(url),
        onBlocked: (what, url) => logger.warn({ what, url }, 'blocked by the navigation guard'),
      });
    });

    const webInput = { preload: options.preload, version: app.getVersion() };
    this.notifications = new Notifications(electron.notifications, () => this.showMain());
    this.popupWindow = new PopupWindow({
      create: (windowOptions) => electron.createWindow(windowOptions),
      options: popupWindowOptions(webInput),
      url: async () => popupUrl(this.appOrigin, (await core.createAgentSession()).token),
      screen: electron.screen,
      platform,
      quitting: () => this.quitting,
      onLoadFailed: (error) => logger.error({ err: error }, 'the popup view did not load'),
    });
    this.settings = new DesktopSettingsStore(options.files, core.config.dataDir, (error, what) => logger.warn({ err: error }, what));
    this.popup = new PopupController(this.popupWindow, this.notifications, () => this.settings.get());
    this.missed = new MissedTracker(core.config.agent);

    this.loginItem = new LoginItem({
      platform, app, fs: options.files, env: options.env, home: options.home,
      executable: platform === 'linux' && options.env.APPIMAGE ? options.env.APPIMAGE : app.getPath('exe'),
    });
    this.tray = new TrayController({
      create: (image) => electron.createTray(image),
      image: (bitmap) => electron.imageFromBitmap(bitmap),
      menu: (template) => electron.buildMenu(template),
      setBadgeCount: (count) => void app.setBadgeCount(count),
      platform,
      actions: {
        showWindow: () => this.showMain(),
        setPresence: (status) => this.setPresence(status),
        dialClipboard: () => void this.dialSelection(),
        setOpenAtLogin: (enabled) => this.setOpenAtLogin(enabled),
        quit: () => app.quit(),
      },
    }, { openAtLogin: this.loginItemState() });

    this.unregisterIpc = registerIpc(electron.ipcMain, { appOrigin: this.appOrigin, roleOf: (id) => this.roleOf(id) }, {
      [IPC.popupState]: () => this.popup.entries(),
      [IPC.popupDismiss]: ({ callId }) => {
        this.popup.dismiss(callId);
      },
      [IPC.showMain]: () => {
        this.showMain();
      },
      [IPC.renewSession]: () => core.createAgentSession(),
      [IPC.missedSeen]: ({ callIds }) => {
        this.missed.setSeen(callIds);
        this.tray.update({ unread: this.missed.unread() });
      },
      [IPC.desktopSettings]: () => this.settings.get(),
      [IPC.setDesktopSettings]: (change) => {
        const next = this.settings.set(change);
        this.popup.alertsChanged();
        logger.info({ popupWindow: next.popupWindow, notifications: next.notifications }, 'desktop call alerts changed');
        return next;
      },
    }, (error) => logger.warn({ channel: error.channel, why: error.why, reason: error.message }, 'IPC request refused'));

    const accelerator = options.dialShortcut ?? DEFAULT_DIAL_SHORTCUT;
    let registered = false;
    try {
      registered = electron.globalShortcut.register(accelerator, () => void this.dialSelection());
    } catch (error) {
      logger.warn({ err: error, accelerator }, 'the dial shortcut could not be registered');
    }
    if (!registered) logger.warn({ accelerator }, 'the dial shortcut is taken by another application');
    this.shortcut = registered ? accelerator : null;
    this.tray.update({ dialShortcut: this.shortcut });

    this.feed = new AgentFeed({
      origin: this.appOrigin,
      token: async () => (await this.sessions.current()).token,
      onMessage: (message) => this.onMessage(message),
      onState: (state) => this.onFeedState(state),
      onError: (error) => logger.debug({ err: error }, 'agent feed error'),
      timers: options.timers,
    });
  }

  /** Opens the windows, the tray and the feed, and dials a link the app was started with. */
  static async start(options: ShellOptions): Promise<Shell> {
    const shell = new Shell(options);
    const { app } = options.electron;
    shell.enableLoginItemOnFirstRun();
    const claimed = registerDialSchemes(app, { platform: options.platform, packaged: app.isPackaged, env: options.env });
    if (claimed.length > 0) options.logger.info({ schemes: claimed }, 'handling dial links');
    const session = await shell.sessions.current();
    const hidden = startsHidden(options.argv, options.platform === 'darwin' ? app.getLoginItemSettings().wasOpenedAtLogin : false);
    shell.createMainWindow(agentUiUrl(options.core.apiUrl, session.token), !hidden);
    shell.popupWindow.prepare();
    shell.feed.start();
    const link = findDialLink(options.argv);
    if (link) void shell.openLink(link);
    return shell;
  }

  /** Brings the main window to the front (recreating it if it was destroyed). */
  showMain(): void {
    const window = this.mainWindow;
    if (!window || window.isDestroyed()) {
      void this.sessions.current().then((session) => this.createMainWindow(agentUiUrl(this.options.core.apiUrl, session.token), true));
      return;
    }
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  /** A tel:/callto: link: dialled through the agent's phone, or refused with the reason. */
  async openLink(url: string): Promise<DialOutcome | null> {
    return this.dial(parseDialLink(url), 'link');
  }

  /** The dial shortcut: the selected text (Linux's primary selection), else the clipboard. */
  async dialSelection(): Promise<DialOutcome | null> {
    const { clipboard } = this.options.electron;
    const selected = this.options.platform === 'linux' ? (await clipboard.readSelection().catch(() => '')).trim() : '';
    const text = selected || (await clipboard.readText().catch(() => ''));
    return this.dial(numberFromText(text), 'selection');
  }

  setPresence(status: ManualPresence): void {
    if (!this.feed.send({ type: 'presence.set', status })) {
      this.notifications.inform('Ringside is not connected', 'Your status could not be changed; try again in a moment.');
    }
  }

  setOpenAtLogin(enabled: boolean): void {
    try {
      this.loginItem.setEnabled(enabled);
    } catch (error) {
      this.options.logger.error({ err: error }, 'changing start at login failed');
    }
    this.tray.update({ openAtLogin: this.loginItemState() });
  }

  /** Closes the feed, the popup, the notifications, the tray and the IPC handlers (before the core closes). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.quitting = true;
      this.unregisterIpc();
      if (this.shortcut) this.options.electron.globalShortcut.unregister(this.shortcut);
      this.popup.clear();
      this.popupWindow.destroy();
      this.tray.destroy();
      await this.feed.stop();
    })();
    return this.stopping;
  }

  private async dial(parsed: DialParse, source: 'link' | 'selection'): Promise<DialOutcome | null> {
    if (!parsed.ok) {
      this.notifications.inform(source === 'link' ? 'Ringside cannot dial this link' : 'Nothing to dial', parsed.reason);
      return null;
    }
    const outcome = await dialThroughPhone(this.api, parsed.number);
    this.notifications.inform(outcome.ok ? 'Dialling' : 'Dialling failed', outcome.message);
    this.options.logger.info({ ok: outcome.ok, source }, 'dial from the shell');
    return outcome;
  }

  private createMainWindow(url: string, show: boolean): void {
    const { electron, logger } = this.options;
    const window = electron.createWindow(mainWindowOptions({ preload: this.options.preload, version: electron.app.getVersion() }));
    this.mainWindow = window;
    if (show) window.once('ready-to-show', () => window.show());
    window.on('close', (event) => {
      // Closing the window keeps Ringside running in the tray: popups must still come.
      if (this.quitting) return;
      event.preventDefault();
      window.hide();
    });
    window.on('closed', () => {
      if (this.mainWindow === window) this.mainWindow = null;
    });
    window.loadURL(url).catch((error: unknown) => logger.error({ err: error }, 'the agent UI did not load'));
  }

  private roleOf(webContentsId: number): WindowRole | null {
    const main = this.mainWindow;
    if (main && !main.isDestroyed() && main.webContents.id === webContentsId) return 'main';
    if (this.popupWindow.webContentsId === webContentsId) return 'popup';
    return null;
  }

  private onMessage(message: ServerMessage): void {
    this.popup.handle(message);
    if (this.missed.handle(message)) this.tray.update({ unread: this.missed.unread() });
    if (message.type === 'presence.changed' && message.agent === this.options.core.config.agent) {
      this.presenceVersion++;
      this.tray.update({ presence: message.status });
    }
  }

  private onFeedState(state: FeedState): void {
    this.tray.update({ connected: state === 'open' });
    if (state === 'open') void this.catchUp();
  }

  /** After (re)connecting: what the feed may have missed, read from the REST API. */
  private async catchUp(): Promise<void> {
    const { logger, core } = this.options;
    const version = this.presenceVersion;
    await Promise.all([
      this.missed.snapshot(() => this.api.openMissed()).then(() => this.tray.update({ unread: this.missed.unread() })),
      this.api.presenceOf(core.config.agent).then((presence) => {
        if (this.presenceVersion === version) this.tray.update({ presence });
      }),
      this.popup.reconcile((callId) => this.api.isRinging(callId)),
    ]).catch((error: unknown) => logger.warn({ err: error }, 'catching up after connecting failed'));
  }

  private loginItemState(): boolean | null {
    if (!this.options.electron.app.isPackaged || !this.loginItem.supported) return null;
    try {
      return this.loginItem.isEnabled();
    } catch {
      return null;
    }
  }

  /** An installed app starts at login unless the agent turned it off: set once, on the first run. */
  private enableLoginItemOnFirstRun(): void {
    const { files, core, electron, logger } = this.options;
    if (!electron.app.isPackaged || !this.loginItem.supported) return;
    const marker = join(core.config.dataDir, LOGIN_ITEM_MARKER);
    if (files.existsSync(marker)) return;
    try {
      this.loginItem.setEnabled(true);
      files.mkdirSync(core.config.dataDir, { recursive: true });
      files.writeFileSync(marker, `${JSON.stringify({ enabledAt: new Date().toISOString() })}\n`, { mode: 0o600 });
    } catch (error) {
      logger.warn({ err: error }, 'turning start at login on failed');
    }
    this.tray.update({ openAtLogin: this.loginItemState() });
  }
}
