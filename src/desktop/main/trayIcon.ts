import type { PresenceStatus } from '../../protocol/views';

/**
 * The tray icon, drawn here rather than shipped as files: a disc in the presence colour, grey while
 * the feed is down, with a red dot at the top right while missed calls are unread. Raw 32-bit
 * pixels in BGRA order (what nativeImage.createFromBitmap takes), premultiplied alpha.
 */

export type Rgb = readonly [number, number, number];

export const PRESENCE_COLOURS: Readonly<Record<PresenceStatus | 'unknown', Rgb>> = {
  available: [46, 160, 67],
  away: [219, 154, 4],
  dnd: [207, 34, 46],
  on_call: [9, 105, 218],
  offline: [110, 119, 129],
  unknown: [110, 119, 129],
};
export const UNREAD_COLOUR: Rgb = [218, 54, 51];

export interface IconBitmap {
  /** width * height * 4 bytes, BGRA. */
  buffer: Buffer;
  width: number;
  height: number;
  scaleFactor: number;
}

/** Coverage of a pixel by a disc, anti-aliased over one pixel. */
function coverage(px: number, py: number, cx: number, cy: number, r: number): number {
  const d = Math.hypot(px + 0.5 - cx, py + 0.5 - cy);
  return Math.max(0, Math.min(1, r - d + 0.5));
}

/** The icon at `scaleFactor` (16 DIP: 16 px at 1x, 32 px at 2x). */
export function trayIconBitmap(presence: PresenceStatus | null, unread: boolean, scaleFactor = 1): IconBitmap {
  const size = Math.round(16 * scaleFactor);
  const buffer = Buffer.alloc(size * size * 4);
  const base = PRESENCE_COLOURS[presence ?? 'unknown'];
  const centre = size / 2;
  const radius = size * 0.42;
  const dot = { cx: size * 0.78, cy: size * 0.22, r: size * 0.22 };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let colour: Rgb = base;
      let alpha = coverage(x, y, centre, centre, radius);
      if (unread) {
        // A white ring around the dot keeps it readable on the disc.
        const ring = coverage(x, y, dot.cx, dot.cy, dot.r + size * 0.06);
        const inner = coverage(x, y, dot.cx, dot.cy, dot.r);
        if (ring > 0) {
          colour = inner > 0.5 ? UNREAD_COLOUR : [255, 255, 255];
          alpha = Math.max(alpha, ring);
        }
      }
      const i = (y * size + x) * 4;
      buffer[i] = Math.round(colour[2] * alpha);
      buffer[i + 1] = Math.round(colour[1] * alpha);
      buffer[i + 2] = Math.round(colour[0] * alpha);
      buffer[i + 3] = Math.round(255 * alpha);
    }
  }
  return { buffer, width: size, height: size, scaleFactor };
}

/** Reads one pixel back as [r, g, b, a] (tests, and nothing else needs it). */
export function pixelAt(bitmap: IconBitmap, x: number, y: number): [number, number, number, number] {
  const i = (y * bitmap.width + x) * 4;
  const b = bitmap.buffer;
  return [b[i + 2]!, b[i + 1]!, b[i]!, b[i + 3]!];
}
