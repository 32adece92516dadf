// The sandboxed preload's bridge (src/desktop/preload/api.ts), with a fake ipcRenderer: what the page gets
// as window.ringside, and exactly what it sends to the main process.
import { describe, expect, it } from 'vitest';
import { IPC } from '../../../../src/protocol/ipc';
import { VERSION_ARGUMENT } from '../../../../src/protocol/ipc';
import { bridgeApi, exposeBridge, versionFromArgv, type IpcRendererLike } from '../../../../src/desktop/preload/api';

class FakeIpcRenderer implements IpcRendererLike {
  readonly invoked: Array<[string, unknown[]]> = [];
  readonly listeners = new Map<string, Array<(event: unknown, ...args: unknown[]) => void>>();
  answer: unknown = undefined;

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, args]);
    return Promise.resolve(this.answer);
  }

  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }

  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.set(channel, (this.listeners.get(channel) ?? []).filter((l) => l !== listener));
    return this;
  }

  /** What webContents.send does on the main side. */
  deliver(channel: string, ...args: unknown[]): void {
    const event = { sender: 'the ipcRenderer itself', senderFrame: 'main frame' };
    for (const listener of this.listeners.get(channel) ?? []) listener(event, ...args);
  }
}

const ARGV = ['/x/electron', '--type=renderer', `${VERSION_ARGUMENT}0.1.0`];

describe('preload bridge', () => {
  it('exposes one frozen window.ringside with plain data and functions, never ipcRenderer', () => {
    const ipc = new FakeIpcRenderer();
    const exposed: Array<[string, unknown]> = [];
    const api = bridgeApi('linux', ARGV, ipc);
    exposeBridge({ exposeInMainWorld: (key, value) => exposed.push([key, value]) }, api);

    expect(exposed.map(([key]) => key)).toEqual(['ringside']);
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.isFrozen(api.popup)).toBe(true);
    expect(Object.keys(api).sort()).toEqual(['desktopSettings', 'markMissedSeen', 'platform', 'popup', 'renewSession', 'showMain', 'version']);
    expect(Object.keys(api.popup).sort()).toEqual(['calls', 'dismiss', 'onCalls']);
    expect(Object.isFrozen(api.desktopSettings)).toBe(true);
    expect(Object.keys(api.desktopSettings).sort()).toEqual(['get', 'set']);
    expect({ platform: api.platform, version: api.version }).toEqual({ platform: 'linux', version: '0.1.0' });
    for (const value of [...Object.values(api), ...Object.values(api.popup), ...Object.values(api.desktopSettings)]) expect(value).not.toBe(ipc);
  });

  it('sends each request on its channel with only the input the main process validates', async () => {
    const ipc = new FakeIpcRenderer();
    const api = bridgeApi('win32', ARGV, ipc);
    await api.showMain();
    await api.popup.calls();
    await api.popup.dismiss('call-1');
    await api.markMissedSeen(['m1', 'm2']);
    ipc.answer = { token: 't', expiresAt: 5 };
    expect(await api.renewSession()).toEqual({ token: 't', expiresAt: 5 });
    expect(ipc.invoked).toEqual([
      [IPC.showMain, []],
      [IPC.popupState, []],
      [IPC.popupDismiss, [{ callId: 'call-1' }]],
      [IPC.missedSeen, [{ callIds: ['m1', 'm2'] }]],
      [IPC.renewSession, []],
    ]);
  });

  it('sends only the desktop alert switches, and answers what the main process keeps', async () => {
    const ipc = new FakeIpcRenderer();
    const api = bridgeApi('linux', ARGV, ipc);
    ipc.answer = { popupWindow: false, notifications: true };
    expect(await api.desktopSettings.get()).toEqual({ popupWindow: false, notifications: true });
    expect(await api.desktopSettings.set({ popupWindow: false })).toEqual({ popupWindow: false, notifications: true });
    await api.desktopSettings.set({ notifications: false, sound: true } as never);
    await api.desktopSettings.set({ popupWindow: true, notifications: false });
    expect(ipc.invoked).toEqual([
      [IPC.desktopSettings, []],
      [IPC.setDesktopSettings, [{ popupWindow: false }]],
      [IPC.setDesktopSettings, [{ notifications: false }]],
      [IPC.setDesktopSettings, [{ popupWindow: true, notifications: false }]],
    ]);
  });

  it('hands the popup listener the calls only (not the IPC event), and unsubscribes', () => {
    const ipc = new FakeIpcRenderer();
    const api = bridgeApi('darwin', ARGV, ipc);
    const received: unknown[][] = [];
    const unsubscribe = api.popup.onCalls((...args) => received.push(args));
    const call = { callId: 'c1', remote: '+923001234567' };
    ipc.deliver(IPC.popupCalls, [call]);
    ipc.deliver(IPC.popupCalls, 'not a list');
    expect(received).toEqual([[[call]], [[]]]);
    unsubscribe();
    ipc.deliver(IPC.popupCalls, [call]);
    expect(received).toHaveLength(2);
    expect(ipc.listeners.get(IPC.popupCalls)).toEqual([]);
  });

  it('says unknown when the version argument is missing', () => {
    expect(versionFromArgv(['/x/electron'])).toBe('unknown');
  });
});
