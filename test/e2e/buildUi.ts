// Vitest globalSetup: the browser tests drive the built agent UI (out/renderer, which the agent API
// serves at `/`), so it must be built from the sources being tested. `npm install` builds it; this
// rebuilds only the renderer, with the project's own electron-vite configuration, when any source
// of it is newer than the build (or there is no build), and otherwise costs one directory walk.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BUILT = join(ROOT, 'out/renderer/index.html');
const SOURCES = [join(ROOT, 'src/desktop/renderer'), join(ROOT, 'electron.vite.config.ts')];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

export function rendererIsStale(): boolean {
  if (!existsSync(BUILT)) return true;
  const built = statSync(BUILT).mtimeMs;
  return SOURCES.some((source) => newestMtime(source) > built);
}

export default async function buildUi(): Promise<void> {
  if (!rendererIsStale()) return;
  // electron-vite resolves its renderer preset (root, outDir, target) the same way `electron-vite
  // build` does; only the renderer is built, not the Electron main and preload bundles.
  const { resolveConfig } = await import('electron-vite');
  const { build } = await import('vite');
  process.env.NODE_ENV_ELECTRON_VITE = 'production';
  const resolved = await resolveConfig({ root: ROOT, logLevel: 'warn' }, 'build', 'production');
  const renderer = resolved.config?.renderer;
  if (!renderer) throw new Error('electron.vite.config.ts has no renderer section: the browser tests have no UI to load');
  await build(renderer);
  if (rendererIsStale()) throw new Error(`building the agent UI left ${BUILT} older than its sources`);
}
