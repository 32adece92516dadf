// The desktop app's own call alerts (the popup window, a desktop notification per ringing call), as
// the Settings screen shows them: kept by the shell's main process (asked and changed through the
// bridge, window.ringside.desktopSettings), so they exist only in the desktop app. In a browser
// there is no bridge and these switches are not shown.
import type { DesktopSettings, RingsideBridge } from '../../../protocol/ipc';

export type { DesktopSettings };

export type DesktopSettingsState =
  | { kind: 'browser' }
  | { kind: 'loading' }
  | { kind: 'ready'; settings: DesktopSettings; saving: boolean; problem: string | null }
  | { kind: 'failed'; problem: string };

/** What the Settings screen shows before asking the shell: nothing in a browser. */
export function initialDesktopSettings(shell: RingsideBridge | null): DesktopSettingsState {
  return shell ? { kind: 'loading' } : { kind: 'browser' };
}

/** Whether the desktop-only switches are shown at all. */
export function showsDesktopSwitches(state: DesktopSettingsState): boolean {
  return state.kind !== 'browser';
}

const READ_PROBLEM = 'The desktop app’s alert settings could not be read. Restart Ringside and try again.';
const SAVE_PROBLEM = 'Your change could not be saved. Try again; if it keeps failing, restart Ringside.';

/** Asks the shell for the current switches. */
export async function loadDesktopSettings(shell: RingsideBridge): Promise<DesktopSettingsState> {
  try {
    return { kind: 'ready', settings: await shell.desktopSettings.get(), saving: false, problem: null };
  } catch {
    return { kind: 'failed', problem: READ_PROBLEM };
  }
}

/**
 * Changes one switch: the shell answers with what it now keeps, which is what is shown; when it
 * refuses, the switches stay as they were and the agent is told.
 */
export async function changeDesktopSettings(shell: RingsideBridge, current: DesktopSettings, change: Partial<DesktopSettings>): Promise<DesktopSettingsState> {
  try {
    return { kind: 'ready', settings: await shell.desktopSettings.set(change), saving: false, problem: null };
  } catch {
    return { kind: 'ready', settings: current, saving: false, problem: SAVE_PROBLEM };
  }
}
