import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { VERSION_ARGUMENT } from '../../protocol/ipc';

/**
 * The shell's security decisions, as small functions that take the Electron objects they act on
 * as parameters: the tests drive them with hand-written fakes (the Electron runtime cannot start
 * on the build machines). The types below are the slices of Electron's API these functions use;
 * the real objects satisfy them.
 */

export interface MainWindowInput {
  /** Absolute path of the built preload script (CommonJS: sandboxed preloads cannot be ES modules). */
  preload: string;
  /** The app version the preload exposes as window.ringside.version. */
  version: string;
}

/**
 * The web preferences of every window the shell opens (the main window and the popup): context
 * isolation, the sandbox, no Node anywhere in the page, web security on, no <webview>.
 */
export function secureWebPreferences(input: MainWindowInput): WebPreferences {
  return {
    preload: input.preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    additionalArguments: [`${VERSION_ARGUMENT}${input.version}`],
  };
}

export function mainWindowOptions(input: MainWindowInput): BrowserWindowConstructorOptions {
  return {
    title: 'Ringside',
    width: 1000,
    height: 720,
    minWidth: 360,
    minHeight: 480,
    show: false,
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(input),
  };
}

/**
 * The content security policy the shell adds to every response its windows load, on top of the one
 * the core serves (a browser enforces both): scripts, styles, images and fonts from the agent API
 * only, no plugins, no <base>, no forms posting anywhere, no framing, and connections to the API
 * and its WebSocket alone.
 */
export function contentSecurityPolicy(appOrigin: string): string {
  const ws = appOrigin.replace(/^http/, 'ws');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${ws}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export interface HeaderDetails {
  responseHeaders?: Record<string, string[]>;
}

export interface CspSession {
  webRequest: {
    onHeadersReceived(listener: (details: HeaderDetails, callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void) => void): void;
  };
}

/** Adds the shell's content security policy to every response of the session (kept beside the server's own). */
export function installContentSecurityPolicy(session: CspSession, appOrigin: string): void {
  const policy = contentSecurityPolicy(appOrigin);
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = { ...(details.responseHeaders ?? {}) };
    const existing = Object.keys(headers).find((name) => name.toLowerCase() === 'content-security-policy');
    const key = existing ?? 'Content-Security-Policy';
    headers[key] = [...(headers[key] ?? []), policy];
    callback({ responseHeaders: headers });
  });
}

/** The origin the window may show: the agent API that serves the UI. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

export function isAppUrl(url: string, appOrigin: string): boolean {
  try {
    return new URL(url).origin === appOrigin;
  } catch {
    return false;
  }
}

/**
 * A URL that may be handed to the OS browser: http(s) only (no file:, no custom protocol
 * handlers, no javascript:), no embedded credentials, a host, and a sane length.
 * Returns the normalised URL, or null.
 */
export function safeExternalUrl(raw: string): string | null {
  if (raw.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '' || url.hostname === '') return null;
  return url.href;
}

export interface PreventableEvent {
  preventDefault(): void;
}

export interface NavigationEvent extends PreventableEvent {
  url: string;
}

export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface NavigationPolicy {
  /** Only this origin may be shown in the app's windows. */
  appOrigin: string;
  /** shell.openExternal. */
  openExternal(url: string): Promise<void>;
  onBlocked?(what: 'navigation' | 'redirect' | 'window' | 'webview', url: string): void;
}

/**
 * Keeps a web contents on the app origin: navigations and redirects elsewhere are prevented,
 * new windows are always denied, <webview> is refused; an http(s) link off the app origin is
 * opened in the OS browser instead (after validation).
 */
export function guardNavigation(contents: GuardedContents, policy: NavigationPolicy): void {
  const openOutside = (url: string) => {
    const safe = safeExternalUrl(url);
    if (safe && !isAppUrl(safe, policy.appOrigin)) void policy.openExternal(safe).catch(() => {});
  };
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url, policy.appOrigin)) return;
    event.preventDefault();
    policy.onBlocked?.('navigation', event.url);
    openOutside(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (isAppUrl(event.url, policy.appOrigin)) return;
    event.preventDefault();
    policy.onBlocked?.('redirect', event.url);
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    policy.onBlocked?.('webview', '');
  });
  contents.setWindowOpenHandler(({ url }) => {
    policy.onBlocked?.('window', url);
    openOutside(url);
    return { action: 'deny' };
  });
}

export interface PermissionSession {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

/** Which web permissions the UI gets. None for now: a later feature that needs one adds it here. */
export function isPermissionAllowed(permission: string, allowed: ReadonlySet<string> = new Set()): boolean {
  return allowed.has(permission);
}

/** Denies every permission request and check (camera, notifications, geolocation, ...) by default. */
export function installPermissionPolicy(session: PermissionSession, allowed: ReadonlySet<string> = new Set()): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionAllowed(permission, allowed)));
  session.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission, allowed));
}
