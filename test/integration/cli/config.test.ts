// Configuration IT can rely on, as a person meets it: the `ringside` command as a process.
// Every mistake exits 2 with one line naming it; `config` checks exactly what `serve` checks.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../support/tmp';
import { cliEnv, runCli, START_BIN, startCli, type RunningCli } from './helpers';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataDir(): string {
  const temp = makeTempDir('ringside-config-');
  cleanups.push(temp.cleanup);
  return temp.dir;
}

/** The one line on stderr, exit 2, nothing on stdout. */
async function refused(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runCli(args, env);
  expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('ringside config and serve refuse every mistake alike, naming it, exit 2', () => {
  // [what, extra environment, extra arguments, the line both print]
  const CASES: Array<[string, Record<string, string>, string[], RegExp]> = [
    ['a mistyped flag', {}, ['--webhok-port', '1'], /^ringside: (config|serve): unknown option --webhok-port \(did you mean --webhook-port\?\)/],
    ['a flag without its value, last', {}, ['--api-port'], /^ringside: --api-port needs a value/],
    ['a flag without its value, before another flag', {}, ['--api-port', '--webhook-port', '0'], /^ringside: --api-port needs a value/],
    ['a mistyped variable', { RINGSIDE_WEBHOK_PORT: '1' }, [], /^ringside: unknown environment variable RINGSIDE_WEBHOK_PORT \(did you mean RINGSIDE_WEBHOOK_PORT\?\)/],
    ['RINGSIDE_CONFIG naming no file', { RINGSIDE_CONFIG: '/nonexistent/ringside-config.json' }, [], /^ringside: RINGSIDE_CONFIG names \/nonexistent\/ringside-config\.json, which does not exist$/],
    ['a phone allow-list entry that is no address', {}, ['--phone-allow', 'banana'], /^ringside: invalid configuration: phoneAllow \(--phone-allow banana\): 'banana' is not an IPv4 or IPv6 address or CIDR range/],
    ['a CIDR prefix too long', { RINGSIDE_PHONE_ALLOW: '10.1.0.0/40' }, [], /^ringside: invalid configuration: phoneAllow \(RINGSIDE_PHONE_ALLOW=10\.1\.0\.0\/40\): '10\.1\.0\.0\/40' is not/],
    ['a port that is no number', { RINGSIDE_API_PORT: 'http' }, [], /^ringside: invalid configuration: api\.port \(RINGSIDE_API_PORT=http\): /],
    ['a log level that does not exist', {}, ['--log-level', 'loud'], /^ringside: invalid configuration: logLevel \(--log-level loud\): /],
    ['a per-address cap above the total', { RINGSIDE_WEBHOOK_MAX_CONNECTIONS: '10', RINGSIDE_WEBHOOK_MAX_CONNECTIONS_PER_ADDRESS: '20' }, [], /^ringside: invalid configuration: webhook\.maxConnectionsPerAddress \(RINGSIDE_WEBHOOK_MAX_CONNECTIONS_PER_ADDRESS=20\): must not exceed/],
  ];

  it.each(CASES)('%s', async (_what, extraEnv, args, line) => {
    const env = cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0', ...extraEnv });
    const fromConfig = await refused(['config', ...args], env);
    const fromServe = await refused(['serve', ...args], env);
    expect(fromConfig).toMatch(line);
    // The same words, but for the command's name in an unknown option's line.
    expect(fromServe.replace('ringside: serve:', 'ringside: config:').replace('ringside serve --help', 'ringside config --help')).toBe(fromConfig);
  });

  it('refuses an unknown key in the user\'s file, naming the file and the closest key', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ webhookPort: 9999 }));
    const line = await refused(['config'], cliEnv({ RINGSIDE_DATA_DIR: dir }));
    expect(line).toBe(`ringside: config file ${join(dir, 'config.json')}: unknown key "webhookPort" (did you mean "webhook.port"?)`);
  });
});

describe('ringside config --explain', () => {
  it('shows each setting, its value and where it came from', async () => {
    const dir = dataDir();
    const machine = join(dir, 'machine.json');
    writeFileSync(machine, JSON.stringify({ account: 'acme', missedDelayMs: 8000 }));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ missedDelayMs: 9000 }));
    const env = cliEnv({ RINGSIDE_DATA_DIR: dir, RINGSIDE_PROVISIONING_FILE: machine, RINGSIDE_WEBHOOK_PORT: '7100', RINGSIDE_REDIS_URL: 'redis://u:hunter2@redis.local:6379' });
    const result = await runCli(['config', '--explain', '--api-port', '7200'], env);
    expect(result.code, result.stderr).toBe(0);
    const rows = Object.fromEntries(result.stdout.trimEnd().split('\n').map((line) => {
      const [key, value, ...where] = line.split(/\s{2,}/);
      return [key, [value, where.join('  ')]];
    }));
    expect(rows).toMatchObject({
      account: ['acme', `machine file ${machine}`],
      missedDelayMs: ['9000', `user file ${join(dir, 'config.json')}`],
      'webhook.port': ['7100', 'environment RINGSIDE_WEBHOOK_PORT=7100'],
      'api.port': ['7200', 'flag --api-port 7200'],
      'redis.url': ['redis://u:***@redis.local:6379', 'environment RINGSIDE_REDIS_URL=redis://u:***@redis.local:6379'],
      agent: ['me', 'default'],
      adminToken: [expect.stringMatching(/^.{4}…\(\d+ chars\)$/), `generated, kept in ${join(dir, 'admin-token')}`],
    });
    expect(result.stdout).not.toContain('hunter2');
  });
});

describe('old spellings', () => {
  it('work, each with a one-line warning naming the new spelling', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ amqpUrl: 'amqp://mq.local:5672', phoneRatePerSecond: 5 }));
    const result = await runCli(['config', '--phone-rate-per-second', '6'], cliEnv({ RINGSIDE_DATA_DIR: dir, REDIS_URL: 'redis://redis.local:6379' }));
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ amqp: { url: 'amqp://mq.local:5672' }, phoneRateLimit: 6, redis: { url: 'redis://redis.local:6379' } });
    expect(result.stderr.trimEnd().split('\n').sort()).toEqual([
      'ringside: warning: "amqpUrl" is deprecated: use "amqp.url" (in ' + join(dir, 'config.json') + ')',
      'ringside: warning: "phoneRatePerSecond" is deprecated: use "phoneRateLimit" (in ' + join(dir, 'config.json') + ')',
      'ringside: warning: --phone-rate-per-second is deprecated: use --phone-rate-limit',
      'ringside: warning: REDIS_URL is deprecated: use RINGSIDE_REDIS_URL',
    ].sort());
  });
});

describe('ringside --version and --help', () => {
  it('prints the version of package.json with --version, -v and version', async () => {
    const { version } = (await import('../../../package.json', { with: { type: 'json' } })).default as { version: string };
    for (const flag of ['--version', '-v', 'version']) {
      const result = await runCli([flag], cliEnv({}));
      expect(result).toMatchObject({ code: 0, stdout: `ringside ${version}\n`, stderr: '' });
    }
  });

  it('prints the usage with exit 0 when asked, and one command\'s help with <command> --help', async () => {
    const all = await runCli(['--help'], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^Usage: ringside <command>/);
    const config = await runCli(['config', '-h'], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(config.code).toBe(0);
    expect(config.stdout).toMatch(/^Usage: ringside config \[options\]\n\n {2}config {9}print the effective configuration/);
    expect(config.stdout).toContain('--explain');
    expect(config.stdout).toContain('Configuration options');
    expect(config.stdout).not.toContain('  serve ');
  });
});

describe('a second Ringside', () => {
  const serveEnv = (dir: string) => cliEnv({ RINGSIDE_DATA_DIR: dir, RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0' });

  async function running(env: NodeJS.ProcessEnv): Promise<{ cli: RunningCli; webhookPort: string; apiPort: string }> {
    const cli = startCli(['serve'], env);
    cleanups.push(async () => {
      if (cli.child.exitCode === null) cli.child.kill('SIGTERM');
      await cli.exited;
    });
    const out = await cli.waitForLine(/^sign in to the agent UI: /);
    return { cli, webhookPort: /^webhook listening on http:\/\/127\.0\.0\.1:(\d+)$/m.exec(out)![1]!, apiPort: /^agent API on http:\/\/127\.0\.0\.1:(\d+)$/m.exec(out)![1]! };
  }

  it('on the same data directory says Ringside is already running (pid, ports, how to sign in) and exits 1; after a stop, one starts again', async () => {
    const dir = dataDir();
    const first = await running(serveEnv(dir));
    // `ringside serve`, and `npm start` (bin/start.js, headless here) while a headless Ringside runs.
    for (const [args, bin] of [[['serve'], undefined], [[], START_BIN]] as const) {
      const second = await runCli([...args], { ...serveEnv(dir), RINGSIDE_HEADLESS: '1' }, bin);
      expect(second.code, second.stderr).toBe(1);
      const lines = second.stderr.trimEnd().split('\n');
      expect(lines).toEqual([
        `ringside: Ringside is already running (pid ${first.cli.child.pid}, ports ${first.webhookPort} for phones and ${first.apiPort} for the agent API, data directory ${dir}); `
        + `its agent UI: http://127.0.0.1:${first.apiPort}/; sign in with: npx ringside signin; stop it first to start another one here`,
      ]);
    }
    first.cli.child.kill('SIGTERM');
    expect((await first.cli.exited).code).toBe(0);
    const again = await running(serveEnv(dir));
    again.cli.child.kill('SIGTERM');
    expect((await again.cli.exited).code).toBe(0);
  });

  it('npm start in desktop mode while a headless Ringside runs: the core\'s one line, exit 1, and no desktop app', async () => {
    const dir = dataDir();
    const first = await running(serveEnv(dir));
    const standIn = join(dir, 'electron');
    const launched = join(dir, 'app-launched');
    writeFileSync(standIn, `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(launched)}, 'yes');\n`);
    chmodSync(standIn, 0o755);
    const result = await runCli([], { ...serveEnv(dir), RINGSIDE_ELECTRON_BINARY: standIn, DISPLAY: ':99' }, START_BIN);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^ringside: Ringside is already running \\(pid ${first.cli.child.pid}, .*sign in with: npx ringside signin`))]);
    expect(existsSync(launched)).toBe(false);
  });

  it('keeps its pid and ports in <data dir>/ringside.pid while it runs, over one its dead owner left behind, and removes it at stop', async () => {
    const dir = dataDir();
    const pidFile = join(dir, 'ringside.pid');
    // A pid no process has (above the kernel's pid_max).
    writeFileSync(pidFile, JSON.stringify({ pid: 2 ** 30, webhookPort: 1, apiPort: 2, apiUrl: null, startedAt: '2026-01-01T00:00:00Z' }));
    const { cli, webhookPort, apiPort } = await running(serveEnv(dir));
    expect(JSON.parse(readFileSync(pidFile, 'utf8'))).toMatchObject({ pid: cli.child.pid, webhookPort: Number(webhookPort), apiPort: Number(apiPort), apiUrl: `http://127.0.0.1:${apiPort}` });
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('on a port something else holds names the port and the setting that chooses it, in one line, and exits 1', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as { port: number }).port;
    for (const [variable, setting] of [['RINGSIDE_API_PORT', 'the agent API: api.port, RINGSIDE_API_PORT, --api-port'], ['RINGSIDE_WEBHOOK_PORT', 'the phone listener: webhook.port, RINGSIDE_WEBHOOK_PORT, --webhook-port']]) {
      const result = await runCli(['serve'], { ...serveEnv(dataDir()), RINGSIDE_LOG_LEVEL: 'warn', [variable!]: String(port) });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr.trimEnd().split('\n')).toEqual([
        `ringside: 127.0.0.1:${port} is already in use (${setting}): another Ringside (with another data directory) or another program listens there; stop it, or choose another port`,
      ]);
    }
  });
});
