import type { Cluster, Redis } from 'ioredis';
import { loadLuaScript, type LuaScript } from './luaScripts';

/** A standalone (or Sentinel) connection, or a Cluster: the store's keys of one account share a slot. */
export type RedisClient = Redis | Cluster;

/**
 * Every Lua script Ringside runs on Redis (files in ./lua/, see luaScripts.ts): the call-state
 * store's, and those of the agent sessions and queues that live beside it (sessionCreate, queueTake).
 */
export const CALL_STATE_SCRIPTS = [
  'ringing-2',
  'answered-2',
  'legEnded-2',
  'claimCall-1',
  'setRingTime-1',
  'createTransfer-1',
  'findTransfer-1',
  'queueMissed-1',
  'readyMissed-1',
  'pruneMissedAccounts-1',
  'heartbeat-2',
  'removeSession-2',
  'liveSessions-2',
  'presence-2',
  'sessionCreate-1',
  'queueTake-1',
] as const;

export type CallStateScript = (typeof CALL_STATE_SCRIPTS)[number];
type ScriptArg = string | number;
type ScriptCommand = (...args: ScriptArg[]) => Promise<unknown>;

let loaded: ReadonlyMap<CallStateScript, LuaScript> | null = null;

/** The scripts, read from disk once per process (at the first store's start-up). */
export function callStateScripts(): ReadonlyMap<CallStateScript, LuaScript> {
  loaded ??= new Map(CALL_STATE_SCRIPTS.map((name) => [name, loadLuaScript(name)]));
  return loaded;
}

/** `ringing-1` -> `callstate_ringing_v1`: the ioredis method defineCommand adds for the script. */
function commandName(script: CallStateScript): string {
  return `callstate_${script.replace(/-(\d+)$/, '_v$1')}`;
}

/**
 * Runs the scripts through ioredis defineCommand: EVALSHA, and EVAL with the body when the server
 * answers NOSCRIPT (after a restart or SCRIPT FLUSH); one round trip in the normal case.
 */
export class ScriptRunner {
  constructor(private readonly client: RedisClient) {
    for (const script of callStateScripts().values()) {
      client.defineCommand(commandName(script.name as CallStateScript), { lua: script.lua, numberOfKeys: script.numberOfKeys });
    }
  }

  run(name: CallStateScript, keys: string[], args: ScriptArg[]): Promise<unknown> {
    const script = callStateScripts().get(name)!;
    if (keys.length !== script.numberOfKeys) {
      throw new Error(`Lua script ${name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
    }
    const command = (this.client as unknown as Record<string, ScriptCommand>)[commandName(name)]!;
    return command.call(this.client, ...keys, ...args);
  }
}
