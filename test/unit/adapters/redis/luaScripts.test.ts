import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { CALL_STATE_SCRIPTS, callStateScripts } from '../../../../src/adapters/redis/scripts';
import { LUA_DIR, loadLuaScript } from '../../../../src/adapters/redis/luaScripts';
import { CACHE_SCRIPTS } from '../../../../src/app/cache/RedisCacheLayer';
import { makeTempDir } from '../../../support/tmp';

const luaDir = fileURLToPath(LUA_DIR);
const source = (name: string) => readFileSync(join(luaDir, `${name}.lua`), 'utf8');
const indexes = (text: string, table: 'KEYS' | 'ARGV') => [...text.matchAll(new RegExp(`${table}\\[(\\d+)\\]`, 'g'))].map((m) => Number(m[1]));

describe('the Lua scripts of the Redis call-state store', () => {
  it('every script the store runs is found, with its includes spliced in', () => {
    const scripts = callStateScripts();
    expect([...scripts.keys()]).toEqual([...CALL_STATE_SCRIPTS]);
    for (const script of scripts.values()) {
      expect(script.lua).not.toMatch(/^--- @include/m);
      expect(script.numberOfKeys).toBeGreaterThan(0);
    }
    expect(scripts.get('ringing-2')!.lua).toContain('local function answerLeg');
  });

  it('every script names each KEYS[i] and ARGV[i] it uses in its header, and nothing in lua/ is unused', () => {
    for (const name of [...CALL_STATE_SCRIPTS, ...CACHE_SCRIPTS]) {
      const text = source(name);
      const [, header = '', body = ''] = /^--\[\[([\s\S]*?)\]\]([\s\S]*)$/.exec(text) ?? [];
      const declaredKeys = new Set(indexes(header, 'KEYS'));
      const declaredArgs = new Set(indexes(header, 'ARGV'));
      expect({ name, undeclared: indexes(body, 'KEYS').filter((i) => !declaredKeys.has(i)) }).toEqual({ name, undeclared: [] });
      expect({ name, undeclared: indexes(body, 'ARGV').filter((i) => !declaredArgs.has(i)) }).toEqual({ name, undeclared: [] });
      // The cache's invalidation takes as many keys as the written scopes have: counted per call.
      if (!(CACHE_SCRIPTS as readonly string[]).includes(name)) expect(declaredKeys.size).toBe(callStateScripts().get(name as (typeof CALL_STATE_SCRIPTS)[number])!.numberOfKeys);
      else expect(loadLuaScript(name).lua.length).toBeGreaterThan(0);
    }
    const files = readdirSync(luaDir).filter((file) => file.endsWith('.lua')).map((file) => file.slice(0, -'.lua'.length));
    expect(files.sort()).toEqual([...CALL_STATE_SCRIPTS, ...CACHE_SCRIPTS].sort());
    const included = new Set(CALL_STATE_SCRIPTS.flatMap((name) => [...source(name).matchAll(/--- @include "([^"]+)"/g)].map((m) => m[1])));
    const includes = readdirSync(join(luaDir, 'includes')).map((file) => file.slice(0, -'.lua'.length));
    expect(includes.filter((include) => !included.has(include))).toEqual([]);
  });

  describe('from a bundle (out/server/ringside.mjs, out/main/index.js)', () => {
    let tmp: ReturnType<typeof makeTempDir> | null = null;
    afterEach(() => tmp?.cleanup());

    it('reads the lua folder next to the bundle, which the builds copy there', async () => {
      tmp = makeTempDir('ringside-lua-');
      const bundle = join(tmp.dir, 'bundle.mjs');
      await build({
        entryPoints: [fileURLToPath(new URL('../../../../src/adapters/redis/scripts.ts', import.meta.url))],
        outfile: bundle, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent',
      });
      const bundled = (await import(pathToFileURL(bundle).href)) as typeof import('../../../../src/adapters/redis/scripts');
      expect(() => bundled.callStateScripts()).toThrow(/lua folder copied next to it/);
      cpSync(luaDir, join(tmp.dir, 'lua'), { recursive: true });
      const fromBundle = bundled.callStateScripts();
      expect([...fromBundle.keys()]).toEqual([...CALL_STATE_SCRIPTS]);
      for (const name of CALL_STATE_SCRIPTS) expect(fromBundle.get(name)!.lua).toBe(callStateScripts().get(name)!.lua);
    });
  });
});
