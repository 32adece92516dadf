// `npm start` (bin/start.js): the launch decision with fakes, and the headless fallback for real.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decideLaunch, fallbackLine, findElectronBinary, serveArguments, type LaunchInput } from '../../../bin/launch';
import { makeTempDir } from '../../support/tmp';
import { cliEnv, START_BIN, startCli } from './helpers';

const ELECTRON_DIR = '/app/node_modules/electron';
const BINARY = join(ELECTRON_DIR, 'dist', 'electron');

function input(overrides: Partial<LaunchInput> & { files?: Record<string, string> } = {}): LaunchInput & { downloads: number } {
  const files = overrides.files ?? {};
  const state = {
    downloads: 0,
    env: { DISPLAY: ':0' },
    platform: 'linux',
    electronDir: ELECTRON_DIR,
    exists: (path: string) => path in files,
    readFile: (path: string) => {
      const content = files[path];
      if (content === undefined) throw new Error(`ENOENT: ${path}`);
      return content;
    },
    download: () => {
      state.downloads++;
      return { ok: false as const, reason: 'download failed: fetch failed' };
    },
    ...overrides,
  };
  return state;
}

const INSTALLED = { [join(ELECTRON_DIR, 'path.txt')]: 'electron', [BINARY]: '' };

describe('npm start: the launch decision', () => {
  it('runs Electron when the binary exists and a display is available', () => {
    expect(decideLaunch(input({ files: INSTALLED }))).toEqual({ mode: 'electron', executable: BINARY });
  });

  it('falls back to headless when the binary was never downloaded and the download fails', () => {
    const launch = input();
    const decision = decideLaunch(launch);
    expect(decision).toEqual({ mode: 'headless', reason: 'Electron runtime not available (binary not downloaded: download failed: fetch failed)' });
    expect(launch.downloads).toBe(1);
  });

  it('runs Electron when the bounded download succeeds', () => {
    const files: Record<string, string> = {};
    const launch = input({
      files,
      download: () => {
        Object.assign(files, INSTALLED);
        return { ok: true };
      },
    });
    expect(decideLaunch(launch)).toEqual({ mode: 'electron', executable: BINARY });
  });

  it('does not try to download with RINGSIDE_TRY_ELECTRON_DOWNLOAD=0', () => {
    const launch = input({ env: { DISPLAY: ':0', RINGSIDE_TRY_ELECTRON_DOWNLOAD: '0' } });
    expect(decideLaunch(launch)).toEqual({ mode: 'headless', reason: 'Electron runtime not available (binary not downloaded)' });
    expect(launch.downloads).toBe(0);
  });

  it('falls back without a display on Linux, before any download', () => {
    const launch = input({ env: {} });
    expect(decideLaunch(launch)).toMatchObject({ mode: 'headless', reason: expect.stringMatching(/^No display/) });
    expect(launch.downloads).toBe(0);
    expect(decideLaunch(input({ env: { WAYLAND_DISPLAY: 'wayland-0' }, files: INSTALLED })).mode).toBe('electron');
    expect(decideLaunch(input({ env: {}, platform: 'darwin', files: INSTALLED })).mode).toBe('electron');
  });

  it('uses an Electron of its own (RINGSIDE_ELECTRON_BINARY) as it is, never downloading', () => {
    const own = input({ env: { DISPLAY: ':0', RINGSIDE_ELECTRON_BINARY: '/usr/bin/electron' }, files: { '/usr/bin/electron': '' } });
    expect(decideLaunch(own)).toEqual({ mode: 'electron', executable: '/usr/bin/electron' });
    const missing = input({ env: { DISPLAY: ':0', RINGSIDE_ELECTRON_BINARY: '/nope/electron' } });
    expect(decideLaunch(missing)).toEqual({ mode: 'headless', reason: 'Electron runtime not available (RINGSIDE_ELECTRON_BINARY=/nope/electron does not exist)' });
    expect(missing.downloads).toBe(0);
  });

  it('is forced headless by RINGSIDE_HEADLESS=1', () => {
    expect(decideLaunch(input({ env: { DISPLAY: ':0', RINGSIDE_HEADLESS: '1' }, files: INSTALLED }))).toEqual({ mode: 'headless', reason: 'RINGSIDE_HEADLESS=1' });
  });

  it('treats path.txt without its binary as not downloaded, and honours ELECTRON_OVERRIDE_DIST_PATH', () => {
    const pathOnly: Record<string, string> = { [join(ELECTRON_DIR, 'path.txt')]: 'electron' };
    expect(findElectronBinary({ electronDir: ELECTRON_DIR, env: {}, exists: (p) => p in pathOnly, readFile: (p) => pathOnly[p]! })).toBeNull();
    const override: Record<string, string> = { ...pathOnly, '/opt/electron/electron': '' };
    expect(findElectronBinary({ electronDir: ELECTRON_DIR, env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, exists: (p) => p in override, readFile: (p) => override[p]! })).toBe('/opt/electron/electron');
  });

  it('asks serve for a one-time sign-in link only at a desktop terminal, never on a server', () => {
    const argv = ['--webhook-port', '0'];
    expect(serveArguments(argv, { env: { DISPLAY: ':0' }, platform: 'linux', interactive: true })).toEqual(['serve', '--signin-link', ...argv]);
    expect(serveArguments(argv, { env: {}, platform: 'darwin', interactive: true })).toEqual(['serve', '--signin-link', ...argv]);
    expect(serveArguments(argv, { env: {}, platform: 'linux', interactive: true })).toEqual(['serve', ...argv]);
    expect(serveArguments(argv, { env: { DISPLAY: ':0' }, platform: 'linux', interactive: false })).toEqual(['serve', ...argv]);
  });

  it('prints one line saying why it falls back', () => {
    expect(fallbackLine('Electron runtime not available (binary not downloaded)')).toBe(
      'Electron runtime not available (binary not downloaded); running headless — the agent UI is served to your browser',
    );
  });
});

describe('npm start: headless fallback', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('prints the reason, then runs ringside serve in-process with the same arguments', async () => {
    const temp = makeTempDir('ringside-start-');
    cleanups.push(temp.cleanup);
    const env = cliEnv({ RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_HEADLESS: '1', RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_API_PORT: '0' });
    const running = startCli(['--webhook-port', '0'], env, START_BIN);
    await running.waitForLine(/^sign in to the agent UI: /);
    running.child.kill('SIGTERM');
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('RINGSIDE_HEADLESS=1; running headless — the agent UI is served to your browser');
    expect(lines[1]).toMatch(/^webhook listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).not.toMatch(/:7789$/);
    expect(lines[2]).toMatch(/^agent API on http:\/\/127\.0\.0\.1:\d+$/);
  });

  // The Electron runtime cannot start here: a stand-in executable plays the desktop app. It is
  // what npm start launches, with the environment it gets, and it asks the core it is pointed at.
  it('in desktop mode runs the core in Node beside the app, points the app at it, and stops it when the app ends', async () => {
    const temp = makeTempDir('ringside-start-electron-');
    cleanups.push(temp.cleanup);
    const standIn = join(temp.dir, 'electron');
    const report = join(temp.dir, 'app-saw.json');
    writeFileSync(standIn, `#!${process.execPath}
const { writeFileSync } = require('node:fs');
const api = process.env.RINGSIDE_CORE_API;
fetch(api + '/healthz').then((res) => res.json()).then((health) => {
  writeFileSync(${JSON.stringify(report)}, JSON.stringify({ api, args: process.argv.slice(2), health, runAsNode: process.env.ELECTRON_RUN_AS_NODE ?? null }));
  process.exit(0);
});
`);
    chmodSync(standIn, 0o755);
    const env = cliEnv({
      RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_ELECTRON_BINARY: standIn, DISPLAY: ':99', ELECTRON_RUN_AS_NODE: '1',
      RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_API_PORT: '0',
    });
    const running = startCli(['--webhook-port', '0'], env, START_BIN);
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(0);
    const saw = JSON.parse(readFileSync(report, 'utf8')) as { api: string; args: string[]; health: { status: string }; runAsNode: string | null };
    expect(saw.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(result.stdout).toContain(`agent API on ${saw.api}`);
    expect(saw.args).toEqual(['.', '--webhook-port', '0']);
    expect(saw.health.status).toBe('ok');
    expect(saw.runAsNode).toBeNull();
    // The core went down with the app: nothing listens on its port any more.
    await expect(fetch(`${saw.api}/healthz`)).rejects.toThrow();
  });
});
