// The Electron shell's bridge (src/desktop/preload/api.ts, exposed as window.ringside by the preload). In a
// plain browser (headless mode) there is none: every use goes through bridge(), which is null then.
// Type-only import: nothing of the preload ends up in the bundle.
import type { PopupCall, RingsideBridge } from '../preload/api';

export type { PopupCall, RingsideBridge };

declare global {
  interface Window {
    ringside?: RingsideBridge;
  }
}

/** The shell's bridge, or null in a browser. */
export function bridge(): RingsideBridge | null {
  return typeof window !== 'undefined' && window.ringside ? window.ringside : null;
}
