// The desktop app's alert switches on the Settings screen (src/desktop/renderer/state/desktopSettings.ts):
// hidden in a browser (no bridge), asked of and changed through the shell's bridge in the desktop app.
import { describe, expect, it } from 'vitest';
import type { DesktopSettings, RingsideBridge } from '../../../../src/protocol/ipc';
import {
  changeDesktopSettings, initialDesktopSettings, loadDesktopSettings, showsDesktopSwitches,
} from '../../../../src/desktop/renderer/state/desktopSettings';

function fakeBridge(behaviour: { get?: () => Promise<DesktopSettings>; set?: (change: Partial<DesktopSettings>) => Promise<DesktopSettings> } = {}) {
  const sent: Array<Partial<DesktopSettings>> = [];
  let kept: DesktopSettings = { popupWindow: true, notifications: true };
  const shell = {
    platform: 'linux',
    version: '1.2.3',
    showMain: () => Promise.resolve(),
    renewSession: () => Promise.resolve({ token: 't', expiresAt: 1 }),
    markMissedSeen: () => Promise.resolve(),
    popup: { calls: () => Promise.resolve([]), dismiss: () => Promise.resolve(), onCalls: () => () => {} },
    desktopSettings: {
      get: behaviour.get ?? (() => Promise.resolve(kept)),
      set: behaviour.set ?? ((change: Partial<DesktopSettings>) => {
        sent.push(change);
        kept = { ...kept, ...change };
        return Promise.resolve(kept);
      }),
    },
  } satisfies RingsideBridge;
  return { shell, sent };
}

describe('the desktop app\'s alert switches', () => {
  it('are not shown in a browser, and are in the desktop app', () => {
    expect(showsDesktopSwitches(initialDesktopSettings(null))).toBe(false);
    expect(showsDesktopSwitches(initialDesktopSettings(fakeBridge().shell))).toBe(true);
  });

  it('show what the app keeps, and what it keeps after a change', async () => {
    const { shell, sent } = fakeBridge();
    const loaded = await loadDesktopSettings(shell);
    expect(loaded).toEqual({ kind: 'ready', settings: { popupWindow: true, notifications: true }, saving: false, problem: null });
    const changed = await changeDesktopSettings(shell, { popupWindow: true, notifications: true }, { popupWindow: false });
    expect(changed).toEqual({ kind: 'ready', settings: { popupWindow: false, notifications: true }, saving: false, problem: null });
    expect(sent).toEqual([{ popupWindow: false }]);
  });

  it('say so in plain words when the app cannot read or keep them, and keep the switches as they were', async () => {
    const failing = fakeBridge({ get: () => Promise.reject(new Error('settings:desktop: refused')), set: () => Promise.reject(new Error('invalid input')) }).shell;
    const loaded = await loadDesktopSettings(failing);
    expect(loaded.kind).toBe('failed');
    const changed = await changeDesktopSettings(failing, { popupWindow: true, notifications: false }, { popupWindow: false });
    expect(changed).toMatchObject({ kind: 'ready', settings: { popupWindow: true, notifications: false } });
    for (const state of [loaded, changed]) {
      const problem = 'problem' in state ? state.problem : null;
      expect(problem).toMatch(/could not be/);
      expect(problem).not.toMatch(/settings:|IPC|invalid input|bridge/);
    }
  });
});
