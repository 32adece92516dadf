// The Electron shell's IPC between its main process (src/desktop/main/ipc.ts validates every request
// with the schemas in ipcInputs.ts), the sandboxed preload (src/desktop/preload, which exposes
// window.ringside) and the agent UI (which calls window.ringside): the channels, what crosses them,
// and the bridge's shape. No imports at all: the preload is bundled alone, and small.

export const IPC = {
  /** renderer → main (invoke, no input): the ringing calls the popup shows now. */
  popupState: 'popup:state',
  /** renderer → main (invoke, `{ callId }`): the agent closed a popup entry. Popup window only. */
  popupDismiss: 'popup:dismiss',
  /** renderer → main (invoke, no input): bring the main window to the front. */
  showMain: 'app:show-main',
  /** renderer → main (invoke, no input): a fresh agent session `{ token, expiresAt }` (the one in the URL expires). */
  renewSession: 'session:renew',
  /** renderer → main (invoke, `{ callIds }`): the missed calls the agent has seen (the whole list). Main window only. */
  missedSeen: 'missed:seen',
  /** renderer → main (invoke, no input): the desktop app's own call alerts (DesktopSettings). Main window only. */
  desktopSettings: 'settings:desktop',
  /** renderer → main (invoke, `Partial<DesktopSettings>`): change them; answers the whole new DesktopSettings. Main window only. */
  setDesktopSettings: 'settings:set-desktop',
  /** main → popup window (send): the ringing calls, newest first (PopupEntry[]); empty when none rings. */
  popupCalls: 'popup:calls',
} as const;

export type InvokeChannel =
  | typeof IPC.popupState | typeof IPC.popupDismiss | typeof IPC.showMain | typeof IPC.renewSession | typeof IPC.missedSeen
  | typeof IPC.desktopSettings | typeof IPC.setDesktopSettings;

/**
 * How the desktop app tells the agent about a ringing call, beside what the agent UI does itself
 * (sound, card): kept by the main process in <data dir>/desktop-settings.json (mode 0600).
 */
export interface DesktopSettings {
  /** The small always-on-top window with the ringing calls. */
  popupWindow: boolean;
  /** A native desktop notification per ringing call. */
  notifications: boolean;
}

/** Passed to the preload script, which reads it from its (sandboxed) process.argv: the app version. */
export const VERSION_ARGUMENT = '--ringside-version=';

/** One ringing call as the popup view shows it (`popup:calls`, `popup:state`). */
export interface PopupEntry {
  callId: string;
  /** The caller's number as the phone reported it. */
  remote: string;
  /** Best name known: the caller card's, the contact's, or the phone's display name; null when none. */
  name: string | null;
  company: string | null;
  notes: string | null;
  crmUrl: string | null;
  line: 'direct' | 'helpline';
  /** The helpline number the call came in on, for helpline calls. */
  helpline: string | null;
  transferredFromName: string | null;
  /** When the call started ringing (epoch ms). */
  startedAt: number;
}

/** What `session:renew` answers: a fresh agent session for the window. */
export interface RenewedSession {
  token: string;
  expiresAt: number;
}

/**
 * What the agent UI may see of the shell, as window.ringside: where it runs, and a few narrow
 * requests to the main process (each validated there: sender and input). No ipcRenderer, no
 * Node, no Electron objects cross the bridge: only these functions and plain data.
 */
export interface RingsideBridge {
  readonly platform: string;
  readonly version: string;
  /** Brings the main window to the front (the popup's "open" action). */
  showMain(): Promise<void>;
  /** A fresh agent session for this window, when the one from the URL has expired. */
  renewSession(): Promise<RenewedSession>;
  /** The main window's whole list of seen missed calls: the tray's unread count follows it. */
  markMissedSeen(callIds: readonly string[]): Promise<void>;
  /** The desktop app's own call alerts (popup window, native notification). Main window only. */
  readonly desktopSettings: {
    get(): Promise<DesktopSettings>;
    /** Changes the given switches; answers the whole new settings. */
    set(change: Partial<DesktopSettings>): Promise<DesktopSettings>;
  };
  readonly popup: {
    /** The calls ringing now (for a popup view that just loaded). */
    calls(): Promise<PopupEntry[]>;
    /** Closes one call's entry (and its notification). */
    dismiss(callId: string): Promise<void>;
    /** Called with the ringing calls, newest first, whenever they change (empty: the popup hides). Returns an unsubscribe. */
    onCalls(listener: (calls: PopupEntry[]) => void): () => void;
  };
}
