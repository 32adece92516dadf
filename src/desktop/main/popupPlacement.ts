/**
 * Where the incoming-call popup goes: a corner of the display the agent is looking at (the one
 * with the mouse pointer), inside its work area (never under the taskbar, dock or menu bar).
 * macOS shows notifications top right, so the popup goes there too; Windows and Linux desktops
 * keep theirs near the tray, bottom right.
 */

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

export type Corner = 'top-right' | 'bottom-right';

/** Gap between the popup and the work area's edges, in DIPs. */
export const POPUP_MARGIN = 12;

export function popupCorner(platform: NodeJS.Platform): Corner {
  return platform === 'darwin' ? 'top-right' : 'bottom-right';
}

/**
 * The popup's bounds in the given work area. A work area smaller than the popup (a tiny or
 * rotated display) gets the popup shrunk to fit, pinned to the work area's top-left edge.
 */
export function popupBounds(workArea: Rectangle, size: Size, corner: Corner, margin = POPUP_MARGIN): Rectangle {
  const width = Math.max(1, Math.min(size.width, workArea.width - 2 * margin));
  const height = Math.max(1, Math.min(size.height, workArea.height - 2 * margin));
  const x = workArea.x + Math.max(0, workArea.width - width - margin);
  const y = corner === 'top-right'
    ? workArea.y + Math.min(margin, Math.max(0, workArea.height - height))
    : workArea.y + Math.max(0, workArea.height - height - margin);
  return { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) };
}

/** Popup height for a number of calls ringing at once: one row each, up to MAX_ROWS (the view scrolls beyond). */
export const POPUP_WIDTH = 380;
const BASE_HEIGHT = 44;
const ROW_HEIGHT = 96;
const MAX_ROWS = 3;

export function popupSize(calls: number): Size {
  const rows = Math.min(Math.max(calls, 1), MAX_ROWS);
  return { width: POPUP_WIDTH, height: BASE_HEIGHT + rows * ROW_HEIGHT };
}
