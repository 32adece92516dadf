import { DIAL_SCHEMES, findDialLink, isDialLink } from './dialLinks';
import type { PreventableEvent } from './security';

/**
 * One Ringside per seat (it owns the phone listener's port), and the way links reach it: a second
 * start (a tel: link clicked on Windows or Linux, the launcher clicked again) hands its arguments to
 * the running one and quits; macOS delivers links as open-url events, also before the app is ready.
 */

export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: (event: unknown, argv: string[], workingDirectory: string) => void): unknown;
  on(event: 'open-url', listener: (event: PreventableEvent, url: string) => void): unknown;
}

export interface InstanceHandlers {
  /** Bring the window to the front (a second start without a link). */
  focus(): void;
  /** A tel:/callto: link to dial. */
  openLink(url: string): void;
}

/**
 * Takes the single-instance lock. false: another Ringside runs (it got our arguments); quit.
 * true: this is the one; later starts and macOS links arrive through the handlers. Links that come
 * before the shell is up are queued by the caller's handlers (see LinkInbox).
 */
export function claimSingleInstance(app: SingleInstanceApp, handlers: InstanceHandlers): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', (_event, argv) => {
    const link = findDialLink(argv);
    if (link) handlers.openLink(link);
    else handlers.focus();
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (isDialLink(url)) handlers.openLink(url);
  });
  return true;
}

/** Links that arrive before the shell can dial (the core is starting): kept, then delivered in order. */
export class LinkInbox {
  private pending: string[] = [];
  private target: ((url: string) => void) | null = null;

  push(url: string): void {
    if (this.target) this.target(url);
    else if (this.pending.length < 10) this.pending.push(url);
  }

  deliverTo(target: (url: string) => void): void {
    this.target = target;
    const queued = this.pending;
    this.pending = [];
    for (const url of queued) target(url);
  }
}

export interface ProtocolClientApp {
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
  isDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
}

export interface ProtocolContext {
  platform: NodeJS.Platform;
  /** app.isPackaged: a development run (`electron .`) never claims the schemes. */
  packaged: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * Claims tel: and callto: for Ringside where the OS takes the claim at run time: Windows (the
 * per-user class; the per-machine installer also lists Ringside under Default Apps), macOS
 * (Launch Services; the app's Info.plist declares the schemes) and an installed Linux package
 * (xdg-settings with the package's .desktop file, which declares the schemes). An AppImage has
 * no installed .desktop file to point at, and a development run must not take over the machine's
 * links: both are left alone. Returns the schemes now claimed.
 */
export function registerDialSchemes(app: ProtocolClientApp, context: ProtocolContext): string[] {
  if (!context.packaged) return [];
  if (context.platform === 'linux' && context.env.APPIMAGE) return [];
  if (!['win32', 'darwin', 'linux'].includes(context.platform)) return [];
  return DIAL_SCHEMES.filter((scheme) => app.isDefaultProtocolClient(scheme) || app.setAsDefaultProtocolClient(scheme));
}
