// Decides how `npm start` runs Ringside: the Electron desktop app when its runtime can start here,
// otherwise headless (`ringside serve`) with the agent UI served to a browser. Pure: every
// outside fact comes in as a parameter, so the decision is testable without Electron.
import { join } from 'node:path';

export const HEADLESS_SUFFIX = 'running headless — the agent UI is served to your browser';

/**
 * The Electron executable if it is on disk, else null. Reads what electron's own index.js reads
 * (path.txt and dist/), without requiring it: requiring it downloads the binary, unbounded.
 */
export function findElectronBinary({ electronDir, env, exists, readFile }) {
  let relative;
  try {
    relative = readFile(join(electronDir, 'path.txt')).trim();
  } catch {
    return null;
  }
  if (!relative) return null;
  const executable = env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(env.ELECTRON_OVERRIDE_DIST_PATH, relative)
    : join(electronDir, 'dist', relative);
  return exists(executable) ? executable : null;
}

export function hasDisplay(env, platform) {
  if (platform !== 'linux') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * @param {{
 *   env: Record<string, string | undefined>,
 *   platform: string,
 *   electronDir: string | null,
 *   exists: (path: string) => boolean,
 *   readFile: (path: string) => string,
 *   download: () => { ok: true } | { ok: false, reason: string },
 * }} input
 * @returns {{ mode: 'electron', executable: string } | { mode: 'headless', reason: string }}
 */
export function decideLaunch(input) {
  const { env, platform, electronDir } = input;
  if (env.RINGSIDE_HEADLESS === '1') return { mode: 'headless', reason: 'RINGSIDE_HEADLESS=1' };
  // Checked before any download: a server without a display never needs the binary.
  if (!hasDisplay(env, platform)) return { mode: 'headless', reason: 'No display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  // An Electron of one's own (a system package, or a stand-in): used as it is, never downloaded.
  if (env.RINGSIDE_ELECTRON_BINARY) {
    return input.exists(env.RINGSIDE_ELECTRON_BINARY)
      ? { mode: 'electron', executable: env.RINGSIDE_ELECTRON_BINARY }
      : { mode: 'headless', reason: `Electron runtime not available (RINGSIDE_ELECTRON_BINARY=${env.RINGSIDE_ELECTRON_BINARY} does not exist)` };
  }
  if (!electronDir) return { mode: 'headless', reason: 'Electron runtime not available (the electron package is not installed)' };
  const find = () => findElectronBinary({ electronDir, env, exists: input.exists, readFile: input.readFile });
  const executable = find();
  if (executable) return { mode: 'electron', executable };
  if (env.RINGSIDE_TRY_ELECTRON_DOWNLOAD === '0') {
    return { mode: 'headless', reason: 'Electron runtime not available (binary not downloaded)' };
  }
  const download = input.download();
  if (!download.ok) {
    return { mode: 'headless', reason: `Electron runtime not available (binary not downloaded: ${download.reason})` };
  }
  const downloaded = find();
  if (downloaded) return { mode: 'electron', executable: downloaded };
  return { mode: 'headless', reason: 'Electron runtime not available (the download left no binary)' };
}

/**
 * `ringside serve`'s arguments for the headless fallback: with `--signin-link` (a one-time link
 * for the seat's own agent) only when someone reads the terminal on a desktop, the seat's owner;
 * never without a display (a server, whose output ends up in journals).
 * @param {string[]} argv
 * @param {{ env: Record<string, string | undefined>, platform: string, interactive: boolean }} where
 * @returns {string[]}
 */
export function serveArguments(argv, where) {
  const desktop = where.interactive && hasDisplay(where.env, where.platform);
  return desktop ? ['serve', '--signin-link', ...argv] : ['serve', ...argv];
}

/** The one line `npm start` prints when it falls back. */
export function fallbackLine(reason) {
  return `${reason}; ${HEADLESS_SUFFIX}`;
}
