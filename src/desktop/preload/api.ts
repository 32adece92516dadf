import { IPC } from '../main/ipcChannels';
import type { PopupEntry } from '../main/popupController';
import { VERSION_ARGUMENT } from '../main/security';

/**
 * What the agent UI may see of the shell, as window.ringside: where it runs, and a few narrow
 * requests to the main process (each validated there: sender and input, src/desktop/main/ipc.ts). No
 * ipcRenderer, no Node, no Electron objects cross the bridge: only these functions and plain data.
 */

/** A ringing call as the popup view shows it: the main process's PopupEntry, sent over IPC. */
export type PopupCall = PopupEntry;

export interface RingsideBridge {
  readonly platform: string;
  readonly version: string;
  /** Brings the main window to the front (the popup's "open" action). */
  showMain(): Promise<void>;
  /** A fresh agent session for this window, when the one from the URL has expired. */
  renewSession(): Promise<{ token: string; expiresAt: number }>;
  /** The main window's whole list of seen missed calls: the tray's unread count follows it. */
  markMissedSeen(callIds: readonly string[]): Promise<void>;
  readonly popup: {
    /** The calls ringing now (for a popup view that just loaded). */
    calls(): Promise<PopupCall[]>;
    /** Closes one call's entry (and its notification). */
    dismiss(callId: string): Promise<void>;
    /** Called with the ringing calls, newest first, whenever they change (empty: the popup hides). Returns an unsubscribe. */
    onCalls(listener: (calls: PopupCall[]) => void): () => void;
  };
}

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
    calls: () => ipc.invoke(IPC.popupState) as Promise<PopupCall[]>,
    dismiss: async (callId: string) => {
      await ipc.invoke(IPC.popupDismiss, { callId: String(callId) });
    },
    onCalls: (listener: (calls: PopupCall[]) => void) => {
      // The event object (with its sender) never reaches the page: only the calls.
      const wrapped = (_event: unknown, calls: unknown) => listener(Array.isArray(calls) ? (calls as PopupCall[]) : []);
      ipc.on(IPC.popupCalls, wrapped);
      return () => {
        ipc.removeListener(IPC.popupCalls, wrapped);
      };
    },
  });
  return Object.freeze({
    platform,
    version: versionFromArgv(argv),
    showMain: async () => {
      await ipc.invoke(IPC.showMain);
    },
    renewSession: () => ipc.invoke(IPC.renewSession) as Promise<{ token: string; expiresAt: number }>,
    markMissedSeen: async (callIds: readonly string[]) => {
      await ipc.invoke(IPC.missedSeen, { callIds: [...callIds].map(String) });
    },
    popup,
  });
}

export function exposeBridge(contextBridge: ContextBridgeLike, api: RingsideBridge): void {
  contextBridge.exposeInMainWorld('ringside', api);
}
