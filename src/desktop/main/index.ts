// The Electron shell's entry: single instance, then the core (in-process, or beside it under npm
// start), then the shell (windows, popup, tray, notifications, dial links and shortcut;
// src/desktop/main/shell.ts). It contains no call logic (docs/architecture.md, The desktop shell) and binds the real electron
// module to the shell's ShellElectron slice.
import {
  app, BrowserWindow, clipboard, dialog, globalShortcut, ipcMain, Menu, nativeImage, Notification, screen, session, shell, Tray,
} from 'electron';
import * as fs from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../app/config/loadConfig';
import { currentToken } from '../../app/config/tokenFiles';
import type { RingsideConfig } from '../../app/config/schema';
import { startRingside, type RingsideInstance } from '../../app/server';
import { createLogger, type Logger } from '../../shared/logger';
import { openRingsideLog } from '../../app/logging';
import { APP_ID } from './appId';
import { appArguments, closeCoreOnQuit } from './lifecycle';
import { externalCoreApi, remoteSessionIssuer } from './remoteCore';
import { Shell, type ShellCore, type ShellElectron } from './shell';
import { claimSingleInstance, LinkInbox } from './singleInstance';

/** Built beside this file by electron-vite: out/preload/index.cjs next to out/main/index.js. */
const PRELOAD = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));

let core: Pick<RingsideInstance, 'close'> | null = null;
let ringside: Shell | null = null;
let quitRequested = false;
const links = new LinkInbox();

function fail(title: string, error: unknown, code: number): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`ringside: ${message}\n`);
  dialog.showErrorBox(title, message);
  app.exit(code);
}

function electronSlice(): ShellElectron {
  return {
    app,
    createWindow: (options) => new BrowserWindow(options),
    createTray: (image) => new Tray(image as Electron.NativeImage),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    imageFromBitmap: (bitmap) => nativeImage.createFromBitmap(bitmap.buffer, { width: bitmap.width, height: bitmap.height, scaleFactor: bitmap.scaleFactor }),
    notifications: { isSupported: () => Notification.isSupported(), create: (options) => new Notification(options) },
    screen,
    globalShortcut,
    clipboard: {
      readText: () => clipboard.readText(),
      // Linux only: the primary selection (what is highlighted), undefined elsewhere.
      readSelection: () => (clipboard.selection as Electron.Clipboard | undefined)?.readText() ?? Promise.resolve(''),
    },
    ipcMain,
    openExternal: (url) => shell.openExternal(url),
    session: session.defaultSession,
  };
}

/**
 * The core in this process, or the one `npm start` runs in Node beside this app (RINGSIDE_CORE_API:
 * see remoteCore.ts); that one is not closed here, its starter stops it when this app exits.
 */
async function openCore(config: RingsideConfig, logger: Logger): Promise<ShellCore> {
  const external = externalCoreApi(process.env);
  if (external) {
    core = { close: async () => {} };
    logger.info({ api: external }, 'Ringside core runs beside the desktop app');
    // The seat's own admin token, read from the data directory it shares with the core (never printed).
    return { apiUrl: external, config, ...remoteSessionIssuer(external, () => currentToken(config, 'admin'), config.agent) };
  }
  const instance = await startRingside(config, { logger });
  core = instance;
  logger.info({ webhook: instance.webhookUrl, api: instance.apiUrl }, 'Ringside started');
  return { apiUrl: instance.apiUrl, config: instance.config, createAgentSession: () => instance.createAgentSession() };
}

async function start(): Promise<void> {
  const argv = appArguments(process.argv, process.defaultApp);
  let config: RingsideConfig;
  try {
    config = loadConfig({ argv });
  } catch (error) {
    fail('Ringside: configuration', error, error instanceof ConfigError ? 2 : 1);
    return;
  }
  // The log file is the core's: this process's own when the core runs in it, else the core's process writes it.
  const logger = externalCoreApi(process.env) ? createLogger({ level: config.logLevel }) : openRingsideLog(config).logger;

  await app.whenReady();
  let shellCore: ShellCore;
  try {
    shellCore = await openCore(config, logger);
  } catch (error) {
    fail('Ringside could not start', error, 1);
    return;
  }
  if (quitRequested) {
    app.quit();
    return;
  }

  ringside = await Shell.start({
    electron: electronSlice(),
    core: shellCore,
    preload: PRELOAD,
    platform: process.platform,
    env: process.env,
    home: homedir(),
    argv,
    logger,
    files: fs,
  });
  const started = ringside;
  links.deliverTo((url) => void started.openLink(url));
  app.on('activate', () => started.showMain());
}

// Every renderer sandboxed, whatever a window's options say (the shell's windows ask for it too).
app.enableSandbox();
// Windows shows notifications under the app's AppUserModelID (the installer's shortcut carries the same id).
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

const claimed = claimSingleInstance(app, {
  focus: () => ringside?.showMain(),
  // Links from a second start or macOS's open-url, queued while the core starts.
  openLink: (url) => links.push(url),
});
if (!claimed) {
  // Another Ringside runs on this seat: it owns the listeners and got our arguments (second-instance).
  app.quit();
} else {
  app.on('before-quit', () => {
    quitRequested = true;
  });
  // The shell closes first (its WebSocket to the core, the popup, the tray), then the core.
  closeCoreOnQuit(app, () => (core === null ? null : {
    close: async () => {
      await ringside?.stop();
      await core?.close();
    },
  }), (error) => process.stderr.write(`ringside: closing the core failed: ${String(error)}\n`));
  app.on('window-all-closed', () => {
    // Windows hide rather than close while Ringside runs in the tray; this is only reached when
    // they were destroyed (quitting).
    if (process.platform !== 'darwin') app.quit();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  void start().catch((error: unknown) => fail('Ringside could not start', error, 1));
}
