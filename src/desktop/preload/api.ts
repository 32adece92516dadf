import { IPC, VERSION_ARGUMENT, type DesktopSettings, type PopupEntry, type RenewedSession, type RingsideBridge } from '../../protocol/ipc';

/**
 * window.ringside (RingsideBridge, src/protocol/ipc.ts): where the shell runs, and a few narrow
 * requests to the main process (each validated there: sender and input, src/desktop/main/ipc.ts). No
 * ipcRenderer, no Node, no Electron objects cross the bridge: only these functions and plain data.
 */

export interface ContextBridgeLike {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

/** The slice of ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function versionFromArgv(argv: readonly string[]): string {
  const arg = argv.find((a) => a.startsWith(VERSION_ARGUMENT));
  return arg ? arg.slice(VERSION_ARGUMENT.length) : 'unknown';
}

export function bridgeApi(platform: string, argv: readonly string[], ipc: IpcRendererLike): RingsideBridge {
  const popup = Object.freeze({
    calls: () => ipc.invoke(IPC.popupState) as Promise<PopupEntry[]>,
    dismiss: async (callId: string) => {
      await ipc.invoke(IPC.popupDismiss, { callId: String(callId) });
    },
    onCalls: (listener: (calls: PopupEntry[]) => void) => {
      // The event object (with its sender) never reaches the page: only the calls.
      const wrapped = (_event: unknown, calls: unknown) => listener(Array.isArray(calls) ? (calls as PopupEntry[]) : []);
      ipc.on(IPC.popupCalls, wrapped);
      return () => {
        ipc.removeListener(IPC.popupCalls, wrapped);
      };
    },
  });
  const desktopSettings = Object.freeze({
    get: () => ipc.invoke(IPC.desktopSettings) as Promise<DesktopSettings>,
    set: (change: Partial<DesktopSettings>) => {
      // Only the two switches cross (the main process refuses anything but booleans); anything else the page passes stays behind.
      const input: Partial<DesktopSettings> = {};
      if (change.popupWindow !== undefined) input.popupWindow = change.popupWindow;
      if (change.notifications !== undefined) input.notifications = change.notifications;
      return ipc.invoke(IPC.setDesktopSettings, input) as Promise<DesktopSettings>;
    },
  });
  return Object.freeze({
    platform,
    version: versionFromArgv(argv),
    showMain: async () => {
      await ipc.invoke(IPC.showMain);
    },
    renewSession: () => ipc.invoke(IPC.renewSession) as Promise<RenewedSession>,
    markMissedSeen: async (callIds: readonly string[]) => {
      await ipc.invoke(IPC.missedSeen, { callIds: [...callIds].map(String) });
    },
    desktopSettings,
    popup,
  });
}

export function exposeBridge(contextBridge: ContextBridgeLike, api: RingsideBridge): void {
  contextBridge.exposeInMainWorld('ringside', api);
}
