import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../test/support/tmp';
import { startChild, type ChildServer } from './children';
import { TOKEN } from './measure';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** The product as the README runs it: `ringside serve`, from the built bundle when there is one, on free ports. */
export function ringsideCommand(): { args: string[]; built: boolean; env: Record<string, string> } {
  const built = existsSync(here('../../out/server/ringside.mjs'));
  return {
    args: [here('../../bin/ringside.js'), 'serve'],
    built,
    env: {
      RINGSIDE_USE_BUILD: built ? '1' : '0', RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0',
      RINGSIDE_LOG_LEVEL: 'warn',
    },
  };
}

export interface EmbeddedRingside {
  server: ChildServer;
  built: boolean;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** `ringside serve` in the embedded single-seat topology (SQLite in a fresh directory), with the bench's admin token and no phone rate limit. */
export async function startEmbeddedRingside(): Promise<EmbeddedRingside> {
  const temp = makeTempDir('ringside-bench-');
  const { args, built, env } = ringsideCommand();
  try {
    const server = await startChild(args, { ...env, RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_TOKEN: TOKEN, RINGSIDE_PHONE_RATE_LIMIT: '0' }, ['webhookUrl', 'apiUrl']);
    return {
      server,
      built,
      stop: async () => {
        try {
          await server.stop();
        } finally {
          temp.cleanup();
        }
      },
    };
  } catch (error) {
    temp.cleanup();
    throw error;
  }
}
