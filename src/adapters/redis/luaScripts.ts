import { readFileSync } from 'node:fs';

/**
 * Reads the Lua scripts of the Redis call-state store from the `lua/` folder next to this module.
 * From the sources that is src/adapters/redis/lua; the bundles change import.meta.url to
 * their own file, so both builds copy the folder next to their output (out/server/lua,
 * out/main/lua: scripts/build-server.js and electron.vite.config.ts).
 *
 * A script is `lua/<name>-<keys>.lua`, where `<keys>` is the number of KEYS it takes (BullMQ's
 * convention: `ringing-10.lua` takes 10). A script that also takes a variable tail of keys
 * (cacheInvalidate) counts its fixed ones; its caller gives the count per call. The TypeScript side
 * names a script by `<name>` and its number of keys (CALL_STATE_SCRIPTS in scripts.ts,
 * CACHE_SCRIPTS in app/cache/RedisCacheLayer.ts), from which the file name follows.
 *
 * Every script opens with a `--[[ ... ]]` header naming every KEYS[i] and ARGV[i] (BullMQ style;
 * the loader refuses a script whose header declares another number of keys than its file name)
 * and a `Version: <n>` line. Bump the version with every change of behaviour: what Redis runs, and
 * so the SHA that EVALSHA names it by, is the whole file, header included, with its includes
 * spliced in. Shared functions live in `lua/includes/<name>.lua` and are spliced in where a script
 * says `--- @include "<name>"` (each at most once per script).
 */
export const LUA_DIR = new URL('./lua/', import.meta.url);

export interface LuaScript {
  name: string;
  /** `<name>-<numberOfKeys>.lua`, in lua/. */
  file: string;
  /** The header's `Version:` line. */
  version: number;
  /** The script with its includes spliced in: what Redis runs (header included, so the SHA follows the version). */
  lua: string;
  /** The fixed keys (KEYS[1..n] of the header). */
  numberOfKeys: number;
}

/** What a script's header declares. */
export interface LuaHeader {
  /** KEYS[1] to KEYS[n], numbered without gaps: n. */
  numberOfKeys: number;
  /** The header lists a variable tail of keys after those (`KEYS[n+1..]`). */
  variableKeys: boolean;
  /** null: the header has no `Version: <n>` line. */
  version: number | null;
}

const INCLUDE = /^--- @include "([A-Za-z0-9_-]+)"[ \t]*$/gm;
const HEADER = /^--\[\[([\s\S]*?)\]\]/;
const HEADER_KEY = /^\s*KEYS\[(\d+)\]/gm;
const HEADER_KEY_TAIL = /^\s*KEYS\[\d+\.\./m;
const HEADER_VERSION = /^\s*Version: (\d+)\b/m;

/** The file of a script: its name and the number of keys it takes. */
export function luaFileName(name: string, numberOfKeys: number): string {
  return `${name}-${numberOfKeys}.lua`;
}

export function loadLuaScript(name: string, numberOfKeys: number, dir: URL = LUA_DIR): LuaScript {
  const file = luaFileName(name, numberOfKeys);
  const lua = readLuaSource(file, dir);
  const header = parseLuaHeader(file, lua);
  if (header.numberOfKeys !== numberOfKeys) {
    throw new Error(`Lua script ${file}: its header declares ${header.numberOfKeys} keys, its name ${numberOfKeys}`);
  }
  if (header.version === null) throw new Error(`Lua script ${file}: its header has no Version: line`);
  return { name, file, version: header.version, lua, numberOfKeys };
}

/** A file of lua/ with its includes spliced in (each at most once), header included, unchecked. */
export function readLuaSource(file: string, dir: URL = LUA_DIR): string {
  return spliceIncludes(readLua(new URL(file, dir), file), dir, new Set());
}

function readLua(file: URL, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`Lua script ${what} not found at ${file.href} (a bundle needs the lua folder copied next to it)`, { cause: err });
  }
}

function spliceIncludes(source: string, dir: URL, included: Set<string>): string {
  return source.replace(INCLUDE, (_line, include: string) => {
    if (included.has(include)) return `-- (${include} included above)`;
    included.add(include);
    const body = readLua(new URL(`includes/${include}.lua`, dir), `include ${include}`);
    return spliceIncludes(body, dir, included);
  });
}

/** The script's header: KEYS[1..n] as it lists them (numbered 1..n without gaps), and its version. */
export function parseLuaHeader(name: string, source: string): LuaHeader {
  const header = HEADER.exec(source)?.[1];
  if (header === undefined) throw new Error(`Lua script ${name} has no --[[ header ]] naming its KEYS and ARGV`);
  const indexes = [...header.matchAll(HEADER_KEY)].map((m) => Number(m[1]));
  if (indexes.length === 0 || indexes.some((index, i) => index !== i + 1)) {
    throw new Error(`Lua script ${name}: its header must list KEYS[1] to KEYS[n] in order`);
  }
  const version = HEADER_VERSION.exec(header)?.[1];
  return { numberOfKeys: indexes.length, variableKeys: HEADER_KEY_TAIL.test(header), version: version === undefined ? null : Number(version) };
}
