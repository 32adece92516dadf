import type { MenuItemConstructorOptions } from 'electron';
import { trayIconBitmap, type IconBitmap } from './trayIcon';
import { trayMenuTemplate, trayTitle, trayTooltip, type TrayActions, type TrayState } from './trayMenu';

/** The tray icon: redrawn, retitled and given a new menu whenever its state changes. */

export interface TrayLike {
  setImage(image: unknown): void;
  setToolTip(toolTip: string): void;
  setTitle(title: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayDeps {
  create(image: unknown): TrayLike;
  /** nativeImage.createFromBitmap. */
  image(bitmap: IconBitmap): unknown;
  /** Menu.buildFromTemplate. */
  menu(template: MenuItemConstructorOptions[]): unknown;
  /** app.setBadgeCount (the dock on macOS, the launcher on Unity-like Linux desktops). */
  setBadgeCount?(count: number): void;
  platform: NodeJS.Platform;
  actions: TrayActions;
}

export const INITIAL_TRAY_STATE: TrayState = { presence: null, unread: 0, connected: false, openAtLogin: null, dialShortcut: null };

export class TrayController {
  private tray: TrayLike | null;
  private state: TrayState;
  private lastIconKey = '';

  constructor(private readonly deps: TrayDeps, initial: Partial<TrayState> = {}) {
    this.state = { ...INITIAL_TRAY_STATE, ...initial };
    this.tray = deps.create(this.icon());
    // Windows and most Linux trays: a left click opens the window; the menu is on the right button.
    if (deps.platform !== 'darwin') this.tray.on('click', () => deps.actions.showWindow());
    this.render();
  }

  get current(): TrayState {
    return this.state;
  }

  update(change: Partial<TrayState>): void {
    const next = { ...this.state, ...change };
    if (JSON.stringify(next) === JSON.stringify(this.state)) return;
    this.state = next;
    this.render();
  }

  destroy(): void {
    this.tray?.destroy();
    this.tray = null;
  }

  private icon(): unknown {
    const presence = this.state.connected ? this.state.presence : null;
    this.lastIconKey = `${presence}|${this.state.unread > 0}`;
    return this.deps.image(trayIconBitmap(presence, this.state.unread > 0, 2));
  }

  private render(): void {
    const tray = this.tray;
    if (!tray) return;
    const presence = this.state.connected ? this.state.presence : null;
    if (`${presence}|${this.state.unread > 0}` !== this.lastIconKey) tray.setImage(this.icon());
    tray.setToolTip(trayTooltip(this.state));
    if (this.deps.platform === 'darwin') tray.setTitle(trayTitle(this.state));
    tray.setContextMenu(this.deps.menu(trayMenuTemplate(this.state, this.deps.actions)));
    this.deps.setBadgeCount?.(this.state.unread);
  }
}
