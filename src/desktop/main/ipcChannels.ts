/**
 * The IPC channels between the shell and the agent UI, shared by the main process (ipc.ts, which
 * validates every message) and the preload (which is bundled alone: keep this file free of imports).
 */
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
  /** main → popup window (send): the ringing calls, newest first (PopupEntry[]); empty when none rings. */
  popupCalls: 'popup:calls',
} as const;

export type InvokeChannel = typeof IPC.popupState | typeof IPC.popupDismiss | typeof IPC.showMain | typeof IPC.renewSession | typeof IPC.missedSeen;
