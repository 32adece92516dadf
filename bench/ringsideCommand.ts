import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** The product as the README runs it: `ringside serve`, from the built bundle when there is one, on free ports. */
export function ringsideCommand(): { args: string[]; built: boolean; env: Record<string, string> } {
  const built = existsSync(here('../out/server/ringside.mjs'));
  return {
    args: [here('../bin/ringside.js'), 'serve'],
    built,
    env: {
      RINGSIDE_USE_BUILD: built ? '1' : '0', RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0',
      RINGSIDE_LOG_LEVEL: 'warn',
    },
  };
}
