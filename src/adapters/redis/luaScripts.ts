import { readFileSync } from 'node:fs';

/**
 * Reads the Lua scripts of the Redis call-state store from the `lua/` folder next to this module.
 * From the sources that is src/adapters/redis/lua; the bundles change import.meta.url to
 * their own file, so both builds copy the folder next to their output (out/server/lua,
 * out/main/lua: scripts/build-server.js and electron.vite.config.ts).
 *
 * A script is `lua/<name>-<version>.lua` and opens with a `--[[ ... ]]` header naming every
 * KEYS[i] and ARGV[i] (BullMQ style); the number of keys is taken from that header. Shared
 * functions live in `lua/includes/<name>.lua` and are spliced in where a script says
 * `--- @include "<name>"` (each at most once per script).
 */
export const LUA_DIR = new URL('./lua/', import.meta.url);

export interface LuaScript {
  name: string;
  /** The script with its includes spliced in: what Redis runs. */
  lua: string;
  numberOfKeys: number;
}

const INCLUDE = /^--- @include "([A-Za-z0-9_-]+)"[ \t]*$/gm;
const HEADER = /^--\[\[([\s\S]*?)\]\]/;
const HEADER_KEY = /^\s*KEYS\[(\d+)\]/gm;

export function loadLuaScript(name: string, dir: URL = LUA_DIR): LuaScript {
  const source = readLua(new URL(`${name}.lua`, dir), name);
  return { name, lua: spliceIncludes(source, dir, new Set()), numberOfKeys: declaredKeyCount(name, source) };
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

/** KEYS[1..n] as the header lists them: they must be numbered 1..n without gaps. */
function declaredKeyCount(name: string, source: string): number {
  const header = HEADER.exec(source)?.[1];
  if (header === undefined) throw new Error(`Lua script ${name} has no --[[ header ]] naming its KEYS and ARGV`);
  const indexes = [...header.matchAll(HEADER_KEY)].map((m) => Number(m[1]));
  if (indexes.length === 0 || indexes.some((index, i) => index !== i + 1)) {
    throw new Error(`Lua script ${name}: its header must list KEYS[1] to KEYS[n] in order`);
  }
  return indexes.length;
}
