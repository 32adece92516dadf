import { VERSION_ARGUMENT } from '../main/security';

/** What the agent UI may see of the shell: nothing but where it runs, for now. */
export interface RingsideBridge {
  readonly platform: string;
  readonly version: string;
}

export interface ContextBridgeLike {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}


export function versionFromArgv(argv: readonly string[]): string {
  const arg = argv.find((a) => a.startsWith(VERSION_ARGUMENT));
  return arg ? arg.slice(VERSION_ARGUMENT.length) : 'unknown';
}

export function bridgeApi(platform: string, argv: readonly string[]): RingsideBridge {
  return Object.freeze({ platform, version: versionFromArgv(argv) });
}

export function exposeBridge(contextBridge: ContextBridgeLike, api: RingsideBridge): void {
  contextBridge.exposeInMainWorld('ringside', api);
}
