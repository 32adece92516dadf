// Every IPC request's sender and input are checked before a handler runs (src/desktop/main/ipc.ts), driven
// through a fake ipcMain that invokes handlers the way Electron does.
import { describe, expect, it } from 'vitest';
import { IPC_SPEC, IpcRejected, registerIpc, type IpcHandlers, type WindowRole } from '../../../../src/desktop/main/ipc';
import { IPC } from '../../../../src/protocol/ipc';
import { FakeIpcMain } from './fakes';

const APP = 'http://127.0.0.1:7790';
const MAIN_ID = 11;
const POPUP_ID = 12;
const main = { contentsId: MAIN_ID, url: `${APP}/` };
const popup = { contentsId: POPUP_ID, url: `${APP}/#popup` };

function setUp() {
  const ipcMain = new FakeIpcMain();
  const calls: Array<[string, unknown[]]> = [];
  const rejected: IpcRejected[] = [];
  const record = (channel: string) => (...args: unknown[]) => {
    calls.push([channel, args]);
    return channel === IPC.renewSession ? { token: 'fresh', expiresAt: 1 } : channel === IPC.popupState ? [] : undefined;
  };
  const handlers = Object.fromEntries(Object.keys(IPC_SPEC).map((c) => [c, record(c)])) as unknown as IpcHandlers;
  const roles = new Map<number, WindowRole>([[MAIN_ID, 'main'], [POPUP_ID, 'popup']]);
  const unregister = registerIpc(ipcMain, { appOrigin: APP, roleOf: (id) => roles.get(id) ?? null }, handlers, (e) => rejected.push(e));
  return { ipcMain, calls, rejected, unregister };
}

describe('IPC validation', () => {
  it('registers one handler per channel, each with a schema and the windows it is for', () => {
    const { ipcMain } = setUp();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(IPC).filter((c) => c !== IPC.popupCalls).sort());
  });

  it('runs handlers for the shell\'s own windows with valid input', async () => {
    const { ipcMain, calls, rejected } = setUp();
    expect(await ipcMain.invoke(IPC.popupState, popup)).toEqual([]);
    await ipcMain.invoke(IPC.popupDismiss, popup, { callId: 'c1' });
    await ipcMain.invoke(IPC.showMain, main);
    await ipcMain.invoke(IPC.showMain, popup);
    expect(await ipcMain.invoke(IPC.renewSession, main)).toEqual({ token: 'fresh', expiresAt: 1 });
    await ipcMain.invoke(IPC.missedSeen, main, { callIds: ['a', 'b'] });
    expect(calls).toEqual([
      [IPC.popupState, []],
      [IPC.popupDismiss, [{ callId: 'c1' }]],
      [IPC.showMain, []],
      [IPC.showMain, []],
      [IPC.renewSession, []],
      [IPC.missedSeen, [{ callIds: ['a', 'b'] }]],
    ]);
    expect(rejected).toEqual([]);
  });

  it('refuses a frame showing another origin, a sub-frame, a gone frame and a window that is not the shell\'s', async () => {
    const { ipcMain, calls, rejected } = setUp();
    const refused = [
      { contentsId: MAIN_ID, url: 'https://evil.example/' },
      { contentsId: MAIN_ID, url: 'http://127.0.0.1:7789/' },
      { contentsId: MAIN_ID, url: 'file:///etc/passwd' },
      { contentsId: MAIN_ID, url: `${APP}/`, subFrame: true },
      { contentsId: MAIN_ID, url: null },
      { contentsId: 99, url: `${APP}/` },
    ];
    for (const sender of refused) {
      await expect(ipcMain.invoke(IPC.showMain, sender)).rejects.toThrow(/app:show-main: refused/);
    }
    expect(calls).toEqual([]);
    expect(rejected.map((r) => r.why)).toEqual(Array(refused.length).fill('sender'));
    expect(rejected.map((r) => r.message.replace(/^app:show-main: refused: /, ''))).toEqual([
      'the frame does not show the agent UI', 'the frame does not show the agent UI', 'the frame does not show the agent UI',
      'not a top-level frame', 'the sending frame is gone', "not one of the shell's windows",
    ]);
  });

  it('keeps each channel to the window it is for', async () => {
    const { ipcMain, calls } = setUp();
    await expect(ipcMain.invoke(IPC.popupDismiss, main, { callId: 'c1' })).rejects.toThrow('not for the main window');
    await expect(ipcMain.invoke(IPC.popupState, main)).rejects.toThrow('not for the main window');
    await expect(ipcMain.invoke(IPC.missedSeen, popup, { callIds: [] })).rejects.toThrow('not for the popup window');
    expect(calls).toEqual([]);
  });

  it('refuses malformed input before the handler sees it', async () => {
    const { ipcMain, calls, rejected } = setUp();
    const bad: Array<[string, typeof main, unknown[]]> = [
      [IPC.popupDismiss, popup, []],
      [IPC.popupDismiss, popup, [{ callId: '' }]],
      [IPC.popupDismiss, popup, [{ callId: 'c1', extra: true }]],
      [IPC.popupDismiss, popup, [{ callId: 42 }]],
      [IPC.popupDismiss, popup, [{ callId: 'x'.repeat(201) }]],
      [IPC.popupDismiss, popup, ['c1']],
      [IPC.showMain, main, ['unexpected']],
      [IPC.missedSeen, main, [{ callIds: Array(1001).fill('a') }]],
      [IPC.missedSeen, main, [{ callIds: 'a' }]],
      [IPC.renewSession, main, [{ agent: 'someone-else' }]],
    ];
    for (const [channel, sender, args] of bad) {
      await expect(ipcMain.invoke(channel, sender, ...args)).rejects.toThrow(`${channel}: invalid input`);
    }
    expect(calls).toEqual([]);
    expect(rejected.every((r) => r.why === 'input')).toBe(true);
  });

  it('takes the desktop alert switches from the main window only, as booleans, at least one, nothing else', async () => {
    const { ipcMain, calls, rejected } = setUp();
    await ipcMain.invoke(IPC.desktopSettings, main);
    await ipcMain.invoke(IPC.setDesktopSettings, main, { popupWindow: false });
    await ipcMain.invoke(IPC.setDesktopSettings, main, { popupWindow: true, notifications: false });
    expect(calls).toEqual([
      [IPC.desktopSettings, []],
      [IPC.setDesktopSettings, [{ popupWindow: false }]],
      [IPC.setDesktopSettings, [{ popupWindow: true, notifications: false }]],
    ]);
    await expect(ipcMain.invoke(IPC.setDesktopSettings, popup, { popupWindow: false })).rejects.toThrow('not for the popup window');
    await expect(ipcMain.invoke(IPC.desktopSettings, popup)).rejects.toThrow('not for the popup window');
    const bad: unknown[][] = [
      [],
      [{}],
      [{ popupWindow: 'false' }],
      [{ notifications: 0 }],
      [{ popupWindow: null }],
      [{ popupWindow: false, sound: true }],
      [{ popupWindow: false }, { notifications: false }],
      [false],
    ];
    for (const args of bad) {
      await expect(ipcMain.invoke(IPC.setDesktopSettings, main, ...args)).rejects.toThrow(`${IPC.setDesktopSettings}: invalid input`);
    }
    await expect(ipcMain.invoke(IPC.desktopSettings, main, { popupWindow: true })).rejects.toThrow(`${IPC.desktopSettings}: invalid input`);
    expect(calls).toHaveLength(3);
    expect(rejected.map((r) => r.why)).toEqual([...Array(2).fill('sender'), ...Array(bad.length + 1).fill('input')]);
  });

  it('removes every handler when the shell stops', async () => {
    const { ipcMain, unregister } = setUp();
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
    await expect(ipcMain.invoke(IPC.showMain, main)).rejects.toThrow("No handler registered for 'app:show-main'");
  });
});
