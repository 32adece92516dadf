import { cpSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/**
 * The Redis call-state store reads its Lua scripts from `lua/` next to its module's
 * import.meta.url, which in the main bundle is out/main/index.js: copy them there (see
 * src/adapters/redis/luaScripts.ts; scripts/build-server.js does the same for out/server).
 */
function copyLuaScripts(outDir: string): Plugin {
  return {
    name: 'ringside-copy-lua-scripts',
    apply: 'build',
    writeBundle() {
      const target = resolve(import.meta.dirname, outDir, 'lua');
      rmSync(target, { recursive: true, force: true });
      cpSync(resolve(import.meta.dirname, 'src/adapters/redis/lua'), target, { recursive: true });
    },
  };
}

// electron-vite 6 with Electron 45:
// - main: an ES module (package.json has "type": "module"; Electron >= 28 loads ESM main code), out/main/index.js.
//   Everything in one file: the core finds the built UI relative to its own file (out/renderer).
// - preload: CommonJS, out/preload/index.cjs: a sandboxed preload cannot be an ES module.
// - renderer: React through esbuild's automatic JSX runtime (no @vitejs/plugin-react), out/renderer,
//   served by the agent API at `/` in Electron and in a browser alike.
export default defineConfig({
  main: {
    plugins: [copyLuaScripts('out/main')],
    build: {
      outDir: 'out/main',
      lib: { entry: resolve(import.meta.dirname, 'src/desktop/main/index.ts'), formats: ['es'], fileName: () => 'index.js' },
      rollupOptions: { output: { inlineDynamicImports: true } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      lib: { entry: resolve(import.meta.dirname, 'src/desktop/preload/index.ts'), formats: ['cjs'], fileName: () => 'index.cjs' },
      // Sandboxed preloads can only require electron and a few Node polyfills: bundle everything else.
      externalizeDeps: false,
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/desktop/renderer'),
    esbuild: { jsx: 'automatic' },
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      // Served to browsers over the network in headless mode.
      minify: true,
      rollupOptions: { input: resolve(import.meta.dirname, 'src/desktop/renderer/index.html') },
    },
  },
});
