// Where the desktop app keeps the agent's popup and notification switches (src/desktop/main/desktopSettings.ts):
// <data dir>/desktop-settings.json, mode 0600, read back by the next start; anything unreadable is the defaults.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DESKTOP_SETTINGS_FILE, DesktopSettingsStore } from '../../../../src/desktop/main/desktopSettings';
import { makeTempDir } from '../../../support/tmp';

const temps: Array<{ cleanup: () => void }> = [];
afterEach(() => {
  for (const temp of temps.splice(0)) temp.cleanup();
});

function dataDir(): string {
  const temp = makeTempDir('ringside-desktop-settings-');
  temps.push(temp);
  return join(temp.dir, 'data');
}

describe('desktop settings file', () => {
  it('starts with both on, writes only the user-readable file, and the next start reads it back', () => {
    const dir = dataDir();
    const store = new DesktopSettingsStore(fs, dir);
    expect(store.get()).toEqual({ popupWindow: true, notifications: true });
    expect(fs.existsSync(join(dir, DESKTOP_SETTINGS_FILE))).toBe(false);
    expect(store.set({ notifications: false })).toEqual({ popupWindow: true, notifications: false });
    expect(fs.statSync(join(dir, DESKTOP_SETTINGS_FILE)).mode & 0o777).toBe(0o600);
    expect(new DesktopSettingsStore(fs, dir).get()).toEqual({ popupWindow: true, notifications: false });
  });

  it('reads a damaged file as the defaults (field by field), and tightens a file others could read', () => {
    const dir = dataDir();
    fs.mkdirSync(dir, { recursive: true });
    const file = join(dir, DESKTOP_SETTINGS_FILE);
    fs.writeFileSync(file, '{not json', { mode: 0o644 });
    expect(new DesktopSettingsStore(fs, dir).get()).toEqual({ popupWindow: true, notifications: true });
    fs.writeFileSync(file, JSON.stringify({ popupWindow: 'no', notifications: false }));
    const store = new DesktopSettingsStore(fs, dir);
    expect(store.get()).toEqual({ popupWindow: true, notifications: false });
    store.set({ popupWindow: false });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ popupWindow: false, notifications: false });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps a change for this run when the file cannot be written, and says so', () => {
    const dir = dataDir();
    const errors: string[] = [];
    const readOnly = { ...fs, writeFileSync: () => { throw new Error('EROFS: read-only file system'); } };
    const store = new DesktopSettingsStore(readOnly, dir, (_error, what) => errors.push(what));
    expect(store.set({ popupWindow: false })).toEqual({ popupWindow: false, notifications: true });
    expect(store.get()).toEqual({ popupWindow: false, notifications: true });
    expect(errors).toEqual(['saving the desktop settings failed']);
  });
});
