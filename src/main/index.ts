// The Electron shell: one window on the agent UI that the in-process core serves. It starts the
// core and contains no call logic (SPEC section 2).
import { app, BrowserWindow, dialog, session, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import { agentUiUrl } from '../core/cli/urls';
import { ConfigError, loadConfig } from '../core/config/loadConfig';
import type { RingsideConfig } from '../core/config/schema';
import { startRingside, type RingsideInstance } from '../core/server';
import { createLogger, type Logger } from '../core/shared/logger';
import { appArguments, closeCoreOnQuit } from './lifecycle';
import { guardNavigation, installPermissionPolicy, mainWindowOptions, originOf } from './security';

/** Built beside this file by electron-vite: out/preload/index.cjs next to out/main/index.js. */
const PRELOAD = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));

let core: RingsideInstance | null = null;
let mainWindow: BrowserWindow | null = null;
let quitRequested = false;

function fail(title: string, error: unknown, code: number): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`ringside: ${message}\n`);
  dialog.showErrorBox(title, message);
  app.exit(code);
}

function showWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function createWindow(uiUrl: string, logger: Logger): void {
  const window = new BrowserWindow(mainWindowOptions({ preload: PRELOAD, version: app.getVersion() }));
  mainWindow = window;
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  window.loadURL(uiUrl).catch((error: unknown) => logger.error({ err: error }, 'the agent UI did not load'));
}

async function start(): Promise<void> {
  let config: RingsideConfig;
  try {
    config = loadConfig({ argv: appArguments(process.argv, process.defaultApp) });
  } catch (error) {
    fail('Ringside: configuration', error, error instanceof ConfigError ? 2 : 1);
    return;
  }
  const logger = createLogger({ level: config.logLevel });

  await app.whenReady();
  installPermissionPolicy(session.defaultSession);

  try {
    core = await startRingside(config, { logger });
  } catch (error) {
    fail('Ringside could not start', error, 1);
    return;
  }
  if (quitRequested) {
    app.quit();
    return;
  }
  logger.info({ webhook: core.webhookUrl, api: core.apiUrl }, 'Ringside started');

  const { token } = await core.createAgentSession();
  const uiUrl = agentUiUrl(core.apiUrl, token);
  const appOrigin = originOf(uiUrl);
  // Every web contents (the window, and any a later feature creates) stays on the agent API origin.
  app.on('web-contents-created', (_event, contents) => {
    guardNavigation(contents, {
      appOrigin,
      openExternal: (url) => shell.openExternal(url),
      onBlocked: (what, url) => logger.warn({ what, url }, 'blocked by the navigation guard'),
    });
  });
  createWindow(uiUrl, logger);
  app.on('activate', () => {
    if (mainWindow) showWindow();
    else createWindow(uiUrl, logger);
  });
}

if (!app.requestSingleInstanceLock()) {
  // Another Ringside runs on this seat: it owns the listeners; it shows its window (second-instance).
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.on('before-quit', () => {
    quitRequested = true;
  });
  closeCoreOnQuit(app, () => core, (error) => process.stderr.write(`ringside: closing the core failed: ${String(error)}\n`));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  void start().catch((error: unknown) => fail('Ringside could not start', error, 1));
}
