export declare const HEADLESS_SUFFIX: string;

export interface ElectronFiles {
  electronDir: string;
  env: Record<string, string | undefined>;
  exists: (path: string) => boolean;
  readFile: (path: string) => string;
}

export type DownloadResult = { ok: true } | { ok: false; reason: string };

export interface LaunchInput {
  env: Record<string, string | undefined>;
  platform: string;
  electronDir: string | null;
  exists: (path: string) => boolean;
  readFile: (path: string) => string;
  download: () => DownloadResult;
}

export type LaunchDecision = { mode: 'electron'; executable: string } | { mode: 'headless'; reason: string };

export declare function findElectronBinary(files: ElectronFiles): string | null;
export declare function hasDisplay(env: Record<string, string | undefined>, platform: string): boolean;
export declare function decideLaunch(input: LaunchInput): LaunchDecision;
export declare function fallbackLine(reason: string): string;
export declare function serveArguments(argv: string[], where: { env: Record<string, string | undefined>; platform: string; interactive: boolean }): string[];
