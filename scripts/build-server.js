#!/usr/bin/env node
// Bundles the `ringside` command (headless server) into out/server/ringside.mjs:
// `node out/server/ringside.mjs serve`, or `RINGSIDE_USE_BUILD=1 ringside serve`.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Left to node_modules at run time: native addons (they load a .node file relative to their own
 * package), the optional native helpers of ws, pino (its transports start worker threads from
 * files it finds by __dirname, which a bundle does not have) with its worker-thread stream, pretty printer
 * and the rotating log file (pino-roll, loaded by path in pino's worker), and Electron, which the headless server never loads.
 */
const external = [
  'better-sqlite3',
  'bufferutil',
  'utf-8-validate',
  'pino',
  'thread-stream',
  'pino-pretty',
  'pino-roll',
  'pino-abstract-transport',
  'electron',
  'fsevents',
];

mkdirSync(`${root}/out/server`, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'out/server/ringside.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies bundled into an ES module still require() Node built-ins and the
  // externals above: give the bundle a real require.
  banner: {
    js: "import { createRequire as __ringsideCreateRequire } from 'node:module';\nconst require = __ringsideCreateRequire(import.meta.url);",
  },
  metafile: true,
});

// The Redis call-state store reads its Lua scripts from `lua/` next to its module's
// import.meta.url, which in the bundle is out/server/ringside.mjs (see
// src/adapters/redis/luaScripts.ts; electron.vite.config.ts does the same for out/main).
const luaScripts = 'src/adapters/redis/lua';
rmSync(`${root}/out/server/lua`, { recursive: true, force: true });
cpSync(`${root}/${luaScripts}`, `${root}/out/server/lua`, { recursive: true });

const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`out/server/ringside.mjs: ${Object.keys(result.metafile.inputs).length} modules, ${(bytes / 1024).toFixed(0)} KiB with source map`);
