// The Electron shell's bridge (src/desktop/preload/api.ts, exposed as window.ringside by the preload; its
// shape is src/protocol/ipc.ts). In a plain browser (headless mode) there is none: every use goes
// through bridge(), which is null then.
import type { PopupEntry, RingsideBridge } from '../../protocol/ipc';

/** A ringing call as the popup view shows it: the shell's PopupEntry, sent over IPC. */
export type PopupCall = PopupEntry;
export type { RingsideBridge };

declare global {
  interface Window {
    ringside?: RingsideBridge;
  }
}

/** The shell's bridge, or null in a browser. */
export function bridge(): RingsideBridge | null {
  return typeof window !== 'undefined' && window.ringside ? window.ringside : null;
}
