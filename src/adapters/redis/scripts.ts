import type { Cluster, Redis } from 'ioredis';
import { loadLuaScript, type LuaScript } from './luaScripts';

/** A standalone (or Sentinel) connection, or a Cluster: the store's keys of one account share a slot. */
export type RedisClient = Redis | Cluster;

/**
 * Every Lua script Ringside runs on Redis (files in ./lua/, see luaScripts.ts): the call-state
 * store's, those of the agent sessions and queues that live beside it (sessionCreate, queueTake)
 * and the push hub's (pushPublish),
 * each with the number of keys it takes: the script is lua/<name>-<keys>.lua, and ScriptRunner
 * registers it with that many keys.
 */
export const CALL_STATE_SCRIPTS = {
  ringing: 10,
  answered: 5,
  legEnded: 3,
  claimCall: 1,
  setRingTime: 2,
  createTransfer: 1,
  findTransfer: 1,
  queueMissed: 2,
  readyMissed: 2,
  pruneMissedAccounts: 1,
  heartbeat: 3,
  removeSession: 3,
  liveSessions: 2,
  presenceInputs: 3,
  presence: 2,
  sessionCreate: 2,
  queueTake: 2,
  pushPublish: 1,
} as const satisfies Record<string, number>;

export type CallStateScript = keyof typeof CALL_STATE_SCRIPTS;
export const CALL_STATE_SCRIPT_NAMES = Object.keys(CALL_STATE_SCRIPTS) as CallStateScript[];
type ScriptArg = string | number;
type ScriptCommand = (...args: ScriptArg[]) => Promise<unknown>;

let loaded: ReadonlyMap<CallStateScript, LuaScript> | null = null;

/** The scripts, read from disk once per process (at the first store's start-up). */
export function callStateScripts(): ReadonlyMap<CallStateScript, LuaScript> {
  loaded ??= new Map(CALL_STATE_SCRIPT_NAMES.map((name) => [name, loadLuaScript(name, CALL_STATE_SCRIPTS[name])]));
  return loaded;
}

/** `ringing` -> `callstate_ringing`: the ioredis method defineCommand adds for the script. */
function commandName(script: CallStateScript): string {
  return `callstate_${script}`;
}

/**
 * Runs the scripts through ioredis defineCommand: EVALSHA, and EVAL with the body when the server
 * answers NOSCRIPT (after a restart or SCRIPT FLUSH); one round trip in the normal case.
 */
export class ScriptRunner {
  constructor(private readonly client: RedisClient) {
    for (const [name, script] of callStateScripts()) {
      client.defineCommand(commandName(name), { lua: script.lua, numberOfKeys: script.numberOfKeys });
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
