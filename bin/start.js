#!/usr/bin/env node
// `npm start`: the Electron desktop app where its runtime can start, otherwise `ringside serve`
// in this process (headless, the agent UI served to a browser). RINGSIDE_HEADLESS=1 forces
// headless; RINGSIDE_TRY_ELECTRON_DOWNLOAD=0 skips the bounded attempt to fetch the binary.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideLaunch, fallbackLine } from './launch.js';
import { loadCli } from './load-cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const DOWNLOAD_TIMEOUT_MS = 20_000;
const argv = process.argv.slice(2);

function packageDir(name) {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

const electronDir = packageDir('electron');

/** electron's install.js (the download), bounded; its output is kept unless it fails. */
function downloadElectron() {
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    cwd: electronDir,
    timeout: DOWNLOAD_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error?.code === 'ETIMEDOUT') return { ok: false, reason: `download timed out after ${DOWNLOAD_TIMEOUT_MS / 1000} s` };
  if (result.error) return { ok: false, reason: `download failed: ${result.error.message}` };
  if (result.status !== 0) {
    const lastLine = `${result.stderr}`.trim().split('\n').find((l) => l.trim() !== '') ?? `exit code ${result.status}`;
    return { ok: false, reason: `download failed: ${lastLine.trim().slice(0, 160)}` };
  }
  return { ok: true };
}

async function runElectron(executable) {
  if (!existsSync(join(root, 'out', 'main', 'index.js'))) {
    const electronVite = join(packageDir('electron-vite'), 'bin', 'electron-vite.js');
    const built = spawnSync(process.execPath, [electronVite, 'build'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) {
      process.stderr.write('ringside: building the desktop app failed (electron-vite build)\n');
      process.exit(built.status ?? 1);
    }
  }
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would turn the app into a plain Node process
  const child = spawn(executable, ['.', ...argv], { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`ringside: could not start Electron: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const decision = decideLaunch({
  env: process.env,
  platform: process.platform,
  electronDir,
  exists: existsSync,
  readFile: (path) => readFileSync(path, 'utf8'),
  download: downloadElectron,
});

if (decision.mode === 'electron') {
  await runElectron(decision.executable);
} else {
  process.stdout.write(`${fallbackLine(decision.reason)}\n`);
  const cli = await loadCli();
  await cli.runCli(['serve', ...argv]);
}
