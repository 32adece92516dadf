import { dirname, join } from 'node:path';

/**
 * Start at login: a login item on Windows and macOS (Electron's setLoginItemSettings), an XDG
 * autostart entry (~/.config/autostart/ringside.desktop) on Linux. Started at login, the app
 * comes up in the tray without showing its window (`--hidden`; macOS tells it with wasOpenedAtLogin).
 */

export const HIDDEN_ARGUMENT = '--hidden';
export const AUTOSTART_FILE_NAME = 'ringside.desktop';

export interface LoginItemSettingsApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; path?: string; args?: string[] }): void;
  getLoginItemSettings(options?: { path?: string; args?: string[] }): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
}

export interface AutostartFiles {
  existsSync(path: string): boolean;
  readFileSync(path: string, encoding: 'utf8'): string;
  writeFileSync(path: string, data: string, options: { mode: number }): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  rmSync(path: string, options: { force: true }): void;
}

export interface LoginItemDeps {
  platform: NodeJS.Platform;
  app: LoginItemSettingsApp;
  fs: AutostartFiles;
  env: NodeJS.ProcessEnv;
  home: string;
  /**
   * What the OS starts: the installed executable; for an AppImage the AppImage file itself
   * ($APPIMAGE), never the temporary mount the running binary lives in.
   */
  executable: string;
}

/** $XDG_CONFIG_HOME/autostart/ringside.desktop, ~/.config when XDG_CONFIG_HOME is unset or relative. */
export function autostartPath(env: NodeJS.ProcessEnv, home: string): string {
  const configHome = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(configHome, 'autostart', AUTOSTART_FILE_NAME);
}

/**
 * One argument of a desktop entry's Exec key (Desktop Entry Specification, "The Exec key"): quoted
 * when it holds a reserved character, with ", `, $ and \ escaped inside the quotes, and % doubled
 * (field codes). The .desktop file's own escaping doubles the backslashes once more.
 */
export function desktopExecArgument(arg: string): string {
  const escapedPercent = arg.replaceAll('%', '%%');
  if (!/[\s"'\\><~|&;$*?#()`=]/.test(escapedPercent)) return escapedPercent;
  const inner = escapedPercent.replace(/(["`$\\])/g, '\\$1');
  return `"${inner}"`.replaceAll('\\', '\\\\');
}

export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Ringside',
    'Comment=Call popups, history and missed calls for your desk phone',
    `Exec=${desktopExecArgument(executable)} ${HIDDEN_ARGUMENT}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export class LoginItem {
  constructor(private readonly deps: LoginItemDeps) {}

  /** Whether the platform lets the shell manage it at all. */
  get supported(): boolean {
    return ['win32', 'darwin', 'linux'].includes(this.deps.platform);
  }

  isEnabled(): boolean {
    const { platform, app, fs, env, home } = this.deps;
    if (platform === 'linux') {
      const file = autostartPath(env, home);
      return fs.existsSync(file) && !/^Hidden\s*=\s*true\s*$/m.test(fs.readFileSync(file, 'utf8'));
    }
    if (platform === 'win32') return app.getLoginItemSettings({ args: [HIDDEN_ARGUMENT] }).openAtLogin;
    if (platform === 'darwin') return app.getLoginItemSettings().openAtLogin;
    return false;
  }

  setEnabled(enabled: boolean): void {
    const { platform, app, fs, env, home, executable } = this.deps;
    if (platform === 'linux') {
      const file = autostartPath(env, home);
      if (!enabled) {
        fs.rmSync(file, { force: true });
        return;
      }
      fs.mkdirSync(dirname(file), { recursive: true });
      fs.writeFileSync(file, autostartEntry(executable), { mode: 0o644 });
      return;
    }
    if (platform === 'win32') app.setLoginItemSettings({ openAtLogin: enabled, path: executable, args: [HIDDEN_ARGUMENT] });
    else if (platform === 'darwin') app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true });
  }
}

/**
 * Whether this start should stay in the tray: started at login (the `--hidden` argument on
 * Windows and Linux; macOS says so itself), or asked to with `--hidden`.
 */
export function startsHidden(argv: readonly string[], wasOpenedAtLogin: boolean | undefined): boolean {
  return argv.includes(HIDDEN_ARGUMENT) || wasOpenedAtLogin === true;
}
