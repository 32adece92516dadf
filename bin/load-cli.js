// Loads the `ringside` command-line module: the TypeScript source through tsx (works right after
// `npm install`, no build step), or the prebuilt bundle when RINGSIDE_USE_BUILD=1.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);

/** @returns {Promise<{ main(argv: string[]): Promise<number>, runCli(argv?: string[]): Promise<never> }>} */
export async function loadCli(env = process.env) {
  if (env.RINGSIDE_USE_BUILD === '1') {
    const bundle = new URL('out/server/ringside.mjs', root);
    if (!existsSync(bundle)) {
      throw new Error(`RINGSIDE_USE_BUILD=1 but ${fileURLToPath(bundle)} does not exist: run npm run build`);
    }
    return import(bundle.href);
  }
  const { register } = await import('tsx/esm/api');
  // The project's tsconfig, wherever the command is run from.
  register({ tsconfig: fileURLToPath(new URL('tsconfig.json', root)) });
  return import(new URL('src/cli/main.ts', root).href);
}
