import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { CALL_STATE_SCRIPTS, CALL_STATE_SCRIPT_NAMES, callStateScripts } from '../../../../src/adapters/redis/scripts';
import { LUA_DIR, loadLuaScript, luaFileName, parseLuaHeader, readLuaSource } from '../../../../src/adapters/redis/luaScripts';
import { CACHE_SCRIPTS } from '../../../../src/app/cache/RedisCacheLayer';
import { makeTempDir } from '../../../support/tmp';

const luaDir = fileURLToPath(LUA_DIR);
const indexes = (text: string, table: 'KEYS' | 'ARGV') => [...text.matchAll(new RegExp(`${table}\\[(\\d+)\\]`, 'g'))].map((m) => Number(m[1]));
const splitHeader = (text: string) => {
  const [, header = '', body = ''] = /^--\[\[([\s\S]*?)\]\]([\s\S]*)$/.exec(text) ?? [];
  return { header, body };
};
/** Lua without its comments (a KEYS[i] mentioned in a comment is not one the script uses). */
const code = (lua: string) => lua.replace(/--\[\[[\s\S]*?\]\]/g, '').replace(/--.*$/gm, '');

/** Every script the TypeScript side registers, with the number of keys it registers it with. */
const REGISTERED: Readonly<Record<string, number>> = { ...CALL_STATE_SCRIPTS, ...CACHE_SCRIPTS };
const scriptFiles = () => readdirSync(luaDir).filter((file) => file.endsWith('.lua')).sort();

/**
 * What is wrong with one script file (BullMQ's convention: `<name>-<n>.lua` takes n keys):
 * `lua` is the file with its includes spliced in, what Redis runs.
 */
function keyCountProblems(file: string, lua: string, registered: Readonly<Record<string, number>>): string[] {
  const named = /^([A-Za-z][A-Za-z0-9]*)-(\d+)\.lua$/.exec(file);
  if (!named) return [`${file}: not named <name>-<number of keys>.lua`];
  const [, name = '', suffix = ''] = named;
  const keys = Number(suffix);
  let header;
  try {
    header = parseLuaHeader(file, lua);
  } catch (err) {
    return [(err as Error).message];
  }
  const problems: string[] = [];
  if (header.version === null) problems.push(`${file}: the header has no Version: line`);
  if (header.numberOfKeys !== keys) problems.push(`${file}: the header declares ${header.numberOfKeys} keys`);
  const body = code(splitHeader(lua).body);
  const highest = Math.max(0, ...indexes(body, 'KEYS'));
  if (highest !== keys) problems.push(`${file}: the highest KEYS[i] used is KEYS[${highest}]`);
  if (header.variableKeys !== /#KEYS\b/.test(body)) problems.push(`${file}: a variable tail of keys (#KEYS) must be declared in the header as KEYS[n+1..], and only then`);
  if (!(name in registered)) problems.push(`${file}: the TypeScript side registers no script ${name}`);
  else if (registered[name] !== keys) problems.push(`${file}: the TypeScript side registers ${name} with ${registered[name]} keys`);
  return problems;
}

describe('the Lua scripts of the Redis call-state store', () => {
  it('every script the store runs is found, with its includes spliced in', () => {
    const scripts = callStateScripts();
    expect([...scripts.keys()]).toEqual(CALL_STATE_SCRIPT_NAMES);
    for (const [name, script] of scripts) {
      expect(script.lua).not.toMatch(/^--- @include/m);
      expect(script.numberOfKeys).toBe(CALL_STATE_SCRIPTS[name]);
      expect(script.file).toBe(luaFileName(name, CALL_STATE_SCRIPTS[name]));
    }
    expect(scripts.get('ringing')!.lua).toContain('local function answerLeg');
  });

  it('every file is <name>-<n>.lua with n the keys its header declares, the highest KEYS[i] it uses, and the keys TypeScript registers', () => {
    const problems = scriptFiles().flatMap((file) => keyCountProblems(file, readLuaSource(file), REGISTERED));
    expect(problems).toEqual([]);
    expect(scriptFiles()).toEqual(Object.entries(REGISTERED).map(([name, keys]) => luaFileName(name, keys)).sort());
  });

  it('the check above catches a wrong suffix, a KEYS[i] past it, another registered count and a missing version', () => {
    const script = (keys: string[], body: string, version = '  Version: 1\n') =>
      `--[[\n  test script\n\n${version}\n  Input:\n${keys.map((key, i) => `    KEYS[${i + 1}]  ${key}\n`).join('')}\n    ARGV[1]  x\n]]\n${body}\n`;
    const good = script(['a', 'b'], "redis.call('SET', KEYS[1], ARGV[1])\nredis.call('DEL', KEYS[2])");
    expect(keyCountProblems('probe-2.lua', good, { probe: 2 })).toEqual([]);
    expect(keyCountProblems('probe-3.lua', good, { probe: 3 })).toEqual([
      'probe-3.lua: the header declares 2 keys', 'probe-3.lua: the highest KEYS[i] used is KEYS[2]']);
    expect(keyCountProblems('probe-2.lua', script(['a', 'b'], 'return KEYS[3] -- KEYS[9] in a comment does not count'), { probe: 2 })).toEqual([
      'probe-2.lua: the highest KEYS[i] used is KEYS[3]']);
    expect(keyCountProblems('probe-2.lua', good, { probe: 1 })).toEqual(['probe-2.lua: the TypeScript side registers probe with 1 keys']);
    expect(keyCountProblems('probe-2.lua', good, {})).toEqual(['probe-2.lua: the TypeScript side registers no script probe']);
    expect(keyCountProblems('probe-2.lua', script(['a', 'b'], 'return { KEYS[1], KEYS[2] }', ''), { probe: 2 })).toEqual([
      'probe-2.lua: the header has no Version: line']);
    expect(keyCountProblems('probe-2.lua', script(['a', 'b'], 'return #KEYS + #{ KEYS[2] }'), { probe: 2 })).toEqual([
      'probe-2.lua: a variable tail of keys (#KEYS) must be declared in the header as KEYS[n+1..], and only then']);
    expect(keyCountProblems('probe.lua', good, { probe: 2 })).toEqual(['probe.lua: not named <name>-<number of keys>.lua']);
  });

  it('every script names each KEYS[i] and ARGV[i] it uses in its header, and nothing in lua/ is unused', () => {
    for (const file of scriptFiles()) {
      const { header, body } = splitHeader(readLuaSource(file));
      const declaredKeys = new Set(indexes(header, 'KEYS'));
      const declaredArgs = new Set(indexes(header, 'ARGV'));
      expect({ file, undeclared: indexes(code(body), 'KEYS').filter((i) => !declaredKeys.has(i)) }).toEqual({ file, undeclared: [] });
      expect({ file, undeclared: indexes(code(body), 'ARGV').filter((i) => !declaredArgs.has(i)) }).toEqual({ file, undeclared: [] });
    }
    const included = new Set(scriptFiles().flatMap((file) => [...readFileSync(join(luaDir, file), 'utf8').matchAll(/--- @include "([^"]+)"/g)].map((m) => m[1])));
    const includes = readdirSync(join(luaDir, 'includes')).map((file) => file.slice(0, -'.lua'.length));
    expect(includes.filter((include) => !included.has(include))).toEqual([]);
  });

  describe('the loader', () => {
    let tmp: ReturnType<typeof makeTempDir> | null = null;
    afterEach(() => {
      tmp?.cleanup();
      tmp = null;
    });
    const copy = () => {
      tmp = makeTempDir('ringside-lua-');
      cpSync(luaDir, tmp.dir, { recursive: true });
      return { dir: pathToFileURL(`${tmp.dir}/`), path: (file: string) => join(tmp!.dir, file) };
    };
    const sha = (lua: string) => createHash('sha1').update(lua).digest('hex');

    it('runs the whole file, header and includes: bumping the version changes the SHA Redis knows the script by', () => {
      const ringing = callStateScripts().get('ringing')!;
      expect(ringing.lua.startsWith(`--[[${splitHeader(ringing.lua).header}]]`)).toBe(true);
      expect(ringing.lua).toMatch(new RegExp(`^\\s*Version: ${ringing.version}$`, 'm'));
      const { dir, path } = copy();
      const file = path('ringing-10.lua');
      writeFileSync(file, readFileSync(file, 'utf8').replace(`Version: ${ringing.version}`, `Version: ${ringing.version + 1}`));
      const bumped = loadLuaScript('ringing', 10, dir);
      expect(bumped.version).toBe(ringing.version + 1);
      expect(sha(bumped.lua)).not.toBe(sha(ringing.lua));
      // An include is part of the SHA too.
      writeFileSync(path('includes/legs.lua'), `${readFileSync(path('includes/legs.lua'), 'utf8')}\n-- changed\n`);
      expect(sha(loadLuaScript('ringing', 10, dir).lua)).not.toBe(sha(bumped.lua));
    });

    it('refuses a script whose header declares other keys than its name, or has no version', () => {
      const { dir, path } = copy();
      expect(() => loadLuaScript('ringing', 9, dir)).toThrow(/not found/);
      cpSync(path('answered-5.lua'), path('answered-4.lua'));
      expect(() => loadLuaScript('answered', 4, dir)).toThrow('Lua script answered-4.lua: its header declares 5 keys, its name 4');
      writeFileSync(path('answered-5.lua'), readFileSync(path('answered-5.lua'), 'utf8').replace(/^\s*Version: \d+.*$/m, ''));
      expect(() => loadLuaScript('answered', 5, dir)).toThrow('Lua script answered-5.lua: its header has no Version: line');
    });
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
      expect([...fromBundle.keys()]).toEqual(CALL_STATE_SCRIPT_NAMES);
      for (const name of CALL_STATE_SCRIPT_NAMES) expect(fromBundle.get(name)!.lua).toBe(callStateScripts().get(name)!.lua);
    });
  });
});
