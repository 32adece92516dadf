// The packaging configuration (build/electron-builder.json) and the provisioning example, checked
// without packaging (that needs downloads): electron-builder's own schema validation, the targets
// the issue asks for, the native module kept out of the asar archive, the dial schemes, and the
// provisioning example through the real configuration loader.
import { existsSync, readFileSync } from 'node:fs';
import { matchesGlob } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/app/config/loadConfig';
import { APP_ID, PRODUCT_NAME } from '../../../../src/desktop/main/appId';
import { DIAL_SCHEMES } from '../../../../src/desktop/main/dialLinks';
import { makeTempDir } from '../../../support/tmp';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(`${root}${path}`, 'utf8')) as Record<string, unknown>;

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: Record<string, boolean>;
  protocols: Array<{ name: string; schemes: string[] }>;
  linux: { target: string[]; executableName: string; maintainer: string };
  win: { target: Array<{ target: string; arch: string[] }> };
  nsis: { oneClick: boolean; perMachine: boolean; include: string };
  mac: { target: string[] };
}

const config = readJson('build/electron-builder.json') as unknown as BuilderConfig;
const pkg = readJson('package.json') as { main: string; scripts: Record<string, string>; devDependencies: Record<string, string>; build?: unknown };

/** Whether a packaged path is included by the `files` patterns (last matching pattern wins, `!` excludes). */
function included(path: string): boolean {
  let result = false;
  for (const pattern of config.files) {
    const negated = pattern.startsWith('!');
    if (matchesGlob(path, negated ? pattern.slice(1) : pattern)) result = !negated;
  }
  return result;
}

describe('electron-builder configuration', () => {
  it('passes electron-builder\'s own schema validation', async () => {
    const { validateConfiguration } = await import('app-builder-lib/out/util/config/config.js');
    const logger = { isEnabled: false, add: () => {} } as never;
    await expect(validateConfiguration(config as never, logger)).resolves.toBeUndefined();
    // The validation is real: a misspelt option fails it.
    await expect(validateConfiguration({ ...config, nsis: { ...config.nsis, perMachin: true } } as never, logger)).rejects.toThrow(/Invalid configuration object/);
  });

  it('is the only configuration, used by the dist scripts', () => {
    expect(pkg.build).toBeUndefined();
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
    expect(pkg.scripts['dist:linux']).toContain('electron-builder --config build/electron-builder.json --linux AppImage deb');
    expect(pkg.scripts['dist:win']).toContain('--win nsis');
    expect(pkg.scripts['dist:mac']).toContain('--mac dmg');
    for (const name of ['dist:linux', 'dist:win', 'dist:mac']) {
      expect(pkg.scripts[name]).toMatch(/^npm run build && /);
      // Packaging rebuilds better-sqlite3 for Electron in node_modules; the tests need it built for Node again.
      expect(pkg.scripts[name]).toMatch(/&& npm rebuild better-sqlite3$/);
    }
  });

  it('names the app as the shell does (Windows notifications need the same AppUserModelID)', () => {
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe(PRODUCT_NAME);
  });

  it('builds an AppImage and a deb, a per-machine NSIS installer, and a dmg', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
    expect(config.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true });
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('packages the built bundles and package.json (whose main is the built entry), not sources or the dev tools', () => {
    expect(pkg.main).toBe('out/main/index.js');
    for (const path of ['out/main/index.js', 'out/main/lua/ringing-10.lua', 'out/preload/index.cjs', 'out/renderer/index.html', 'package.json']) {
      expect(included(path), path).toBe(true);
    }
    for (const path of ['src/desktop/main/index.ts', 'out/server/ringside.mjs', 'out/main/index.js.map', 'test/unit/desktop/main/shell.test.ts', 'node_modules/tsx/dist/cli.mjs', 'node_modules/@esbuild/linux-x64/bin/esbuild']) {
      expect(included(path), path).toBe(false);
    }
  });

  it('rebuilds native modules for Electron and keeps better-sqlite3\'s .node file outside the asar archive', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.asar).toBe(true);
    const nativeFile = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    expect(existsSync(`${root}${nativeFile}`)).toBe(true);
    expect(config.asarUnpack.some((pattern) => matchesGlob(nativeFile, pattern))).toBe(true);
  });

  it('flips the Electron fuses that would let the packaged app run as plain Node or load code from outside its archive', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true, grantFileProtocolExtraPrivileges: false,
    });
  });

  it('declares tel: and callto:, and the Windows installer registers both machine-wide', () => {
    expect(config.protocols.flatMap((p) => p.schemes)).toEqual([...DIAL_SCHEMES]);
    const nsh = readFileSync(`${root}${config.nsis.include}`, 'utf8');
    expect(nsh).toMatch(/!macro customInstall[\s\S]*URLAssociations" "tel" "Ringside\.tel"[\s\S]*URLAssociations" "callto" "Ringside\.tel"[\s\S]*!macroend/);
    expect(nsh).toMatch(/!macro customUnInstall[\s\S]*DeleteRegKey SHCTX "Software\\Classes\\Ringside\.tel"[\s\S]*!macroend/);
  });
});

describe('provisioning example', () => {
  it('is valid configuration, loaded as the per-machine layer', () => {
    const data = makeTempDir('ringside-provisioning-');
    try {
      const loaded = loadConfig({
        env: { RINGSIDE_PROVISIONING_FILE: `${root}build/provisioning/ringside.json`, RINGSIDE_CONFIG: '/dev/null' },
        overrides: { dataDir: data.dir, webhookToken: 'provisioning-test-token-0123', adminToken: 'provisioning-admin-token-0123' },
      });
      expect(loaded).toMatchObject({ account: 'acme', webhook: { port: 7789 }, phoneAllow: ['192.168.10.0/24'], defaultCountry: 'PK', missedDelayMs: 8000 });
      expect(loaded.redis.url).toBe('redis://ringside-redis.example.com:6379');
    } finally {
      data.cleanup();
    }
  });

  it('says where IT puts it on each system', () => {
    const readme = readFileSync(`${root}build/provisioning/README.md`, 'utf8');
    expect(readme).toContain('/etc/ringside/ringside.json');
    expect(readme).toContain('%ProgramData%\\Ringside\\ringside.json');
    for (const key of Object.keys(readJson('build/provisioning/ringside.json'))) expect(readme).toContain(`\`${key}`);
  });
});
