import { join } from 'node:path';
import type { DesktopSettings } from '../../protocol/ipc';

/**
 * The desktop app's own call alerts (the popup window, a native notification per ringing call),
 * switched by the agent in Settings (over IPC, main window only) and kept by the main process in
 * <data dir>/desktop-settings.json, mode 0600, beside the shell's other state (the start-at-login
 * marker). A missing or unreadable file means the defaults: both on.
 */

export type { DesktopSettings };

export const DESKTOP_SETTINGS_FILE = 'desktop-settings.json';
export const DEFAULT_DESKTOP_SETTINGS: DesktopSettings = Object.freeze({ popupWindow: true, notifications: true });

export interface SettingsFiles {
  existsSync(path: string): boolean;
  readFileSync(path: string, encoding: 'utf8'): string;
  writeFileSync(path: string, data: string, options: { mode: number }): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  /** The mode of a file written earlier (writeFileSync's mode applies to a new file only). */
  chmodSync?(path: string, mode: number): void;
}

/** What is stored, field by field: anything unreadable falls back to its default. */
export function parseDesktopSettings(raw: string): DesktopSettings {
  let value: unknown = null;
  try {
    value = JSON.parse(raw);
  } catch {
    value = null;
  }
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  return {
    popupWindow: typeof record.popupWindow === 'boolean' ? record.popupWindow : DEFAULT_DESKTOP_SETTINGS.popupWindow,
    notifications: typeof record.notifications === 'boolean' ? record.notifications : DEFAULT_DESKTOP_SETTINGS.notifications,
  };
}

export class DesktopSettingsStore {
  private current: DesktopSettings;
  private readonly file: string;

  constructor(private readonly files: SettingsFiles, private readonly dataDir: string, private readonly onError: (error: unknown, what: string) => void = () => {}) {
    this.file = join(dataDir, DESKTOP_SETTINGS_FILE);
    this.current = this.load();
  }

  get(): DesktopSettings {
    return { ...this.current };
  }

  /**
   * Changes the given switches and writes the file. When it cannot be written the change still
   * holds until the app quits (and the failure is reported).
   */
  set(change: Partial<DesktopSettings>): DesktopSettings {
    this.current = {
      popupWindow: change.popupWindow ?? this.current.popupWindow,
      notifications: change.notifications ?? this.current.notifications,
    };
    try {
      this.files.mkdirSync(this.dataDir, { recursive: true });
      this.files.writeFileSync(this.file, `${JSON.stringify(this.current)}\n`, { mode: 0o600 });
      this.files.chmodSync?.(this.file, 0o600);
    } catch (error) {
      this.onError(error, 'saving the desktop settings failed');
    }
    return this.get();
  }

  private load(): DesktopSettings {
    try {
      if (!this.files.existsSync(this.file)) return { ...DEFAULT_DESKTOP_SETTINGS };
      return parseDesktopSettings(this.files.readFileSync(this.file, 'utf8'));
    } catch (error) {
      this.onError(error, 'reading the desktop settings failed');
      return { ...DEFAULT_DESKTOP_SETTINGS };
    }
  }
}
