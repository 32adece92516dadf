#!/usr/bin/env node
// `npm start`: the Electron desktop app where its runtime can start, otherwise `ringside serve`
// in this process (headless, the agent UI served to a browser). RINGSIDE_HEADLESS=1 forces
// headless; RINGSIDE_TRY_ELECTRON_DOWNLOAD=0 skips the bounded attempt to fetch the binary.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideLaunch, fallbackLine, serveArguments } from './launch.js';
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

/**
 * The core as `ringside serve` in a Node child: better-sqlite3 is built for this Node, not for
 * Electron's ABI (the packaged app gets its own build from electron-builder). Resolves with the
 * agent API's URL once the core says where it listens.
 */
function startCore() {
  const core = spawn(process.execPath, [join(root, 'bin', 'ringside.js'), 'serve', ...argv], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const listening = new Promise((resolve, reject) => {
    let seen = '';
    core.stdout.setEncoding('utf8').on('data', (chunk) => {
      process.stdout.write(chunk);
      seen += chunk;
      const api = /^agent API on (http:\/\/\S+)$/m.exec(seen);
      if (api) resolve(api[1]);
    });
    core.on('error', reject);
    core.on('exit', (code) => reject(Object.assign(new Error(`the core stopped before it listened (exit code ${code})`), { exitCode: code })));
  });
  return { core, listening };
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
  const { core, listening } = startCore();
  let apiUrl;
  try {
    apiUrl = await listening;
  } catch (error) {
    // Exit 1 or 2: the core has said why in one line (already running, a port taken, a mistake
    // in the configuration); anything else is said here.
    if (error.exitCode !== 1 && error.exitCode !== 2) process.stderr.write(`ringside: ${error.message}\n`);
    process.exit(error.exitCode === 2 ? 2 : 1);
  }
  const coreExited = new Promise((resolve) => core.once('exit', resolve));
  const env = { ...process.env, RINGSIDE_CORE_API: apiUrl };
  delete env.ELECTRON_RUN_AS_NODE; // would turn the app into a plain Node process
  const app = spawn(executable, ['.', ...argv], { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
  // The desktop app is the seat: when it ends, so does its core (a clean shutdown), then npm start.
  const finish = async (code) => {
    core.kill('SIGTERM');
    await coreExited;
    process.exit(code);
  };
  app.on('error', (error) => {
    process.stderr.write(`ringside: could not start Electron: ${error.message}\n`);
    void finish(1);
  });
  app.on('exit', (code, signal) => void finish(code ?? (signal ? 1 : 0)));
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
  // The seat's owner at a desktop's terminal gets a one-time sign-in link; a server prints none.
  await cli.runCli(serveArguments(argv, { env: process.env, platform: process.platform, interactive: Boolean(process.stdout.isTTY) }));
}
