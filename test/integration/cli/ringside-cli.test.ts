// The real `ringside` command, run as a child process exactly as a user runs it (bin/ringside.js
// through tsx, no build step).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_URL_EVENTS } from '../../../src/domain/provisioning/actionUrls';
import { makeTempDir } from '../../support/tmp';
import { cliEnv, ROOT, runCli, startCli } from './helpers';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function dataDir(): string {
  const temp = makeTempDir('ringside-cli-');
  cleanups.push(temp.cleanup);
  return temp.dir;
}

const EXPECTED_EVENTS: Array<[string, string, string]> = [
  ['P8304', 'boot', 'Setup/Booting Completed'],
  ['P8305', 'registered', 'Registered'],
  ['P8306', 'unregistered', 'Unregistered'],
  ['P8310', 'incoming', 'Incoming Call'],
  ['P8311', 'outgoing', 'Outgoing Call'],
  ['P8312', 'missed', 'Missed Call'],
  ['P8313', 'answered', 'Established Call'],
  ['P8314', 'hangup', 'Terminated Call'],
  ['P8316', 'dnd_on', 'DND On'],
  ['P8317', 'dnd_off', 'DND Off'],
  ['P8320', 'transfer?kind=blind', 'Blind Transfer'],
  ['P8321', 'transfer?kind=attended', 'Attended Transfer'],
  ['P8324', 'hold', 'Hold'],
  ['P8325', 'unhold', 'UnHold'],
];

describe('ringside config', () => {
  it('prints the effective configuration with the token masked, generating the token once and reusing it', async () => {
    const dir = dataDir();
    const env = cliEnv({ RINGSIDE_DATA_DIR: dir });

    const first = await runCli(['config'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const tokenFile = join(dir, 'token');
    expect(existsSync(tokenFile)).toBe(true);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(16);

    const printed = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(printed.dataDir).toBe(dir);
    expect(printed.token).toBe(`${token.slice(0, 4)}…(${token.length} chars)`);
    expect(first.stdout).not.toContain(token);
    expect(printed).toMatchObject({ account: 'default', agent: 'me', webhook: { host: '0.0.0.0', port: 7789 }, api: { host: '127.0.0.1', port: 7790 } });

    const second = await runCli(['config'], env);
    expect(second.code).toBe(0);
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    expect(JSON.parse(second.stdout)).toEqual(printed);
  });

  it('applies environment variables and then command-line flags on top', async () => {
    const env = cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_WEBHOOK_PORT: '8000', RINGSIDE_ACCOUNT: 'acme' });
    const result = await runCli(['config', '--webhook-port', '8001', '--api-port=8002'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ account: 'acme', webhook: { port: 8001 }, api: { port: 8002 } });
  });

  it('masks a configured token and the password of a Redis URL', async () => {
    const token = 'configured-secret-token-0123456789';
    const env = cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_TOKEN: token, REDIS_URL: 'redis://user:hunter2@redis.local:6379' });
    const result = await runCli(['config'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(token);
    expect(result.stdout).not.toContain('hunter2');
    expect(JSON.parse(result.stdout)).toMatchObject({ token: 'conf…(34 chars)', redis: { url: 'redis://user:***@redis.local:6379' } });
  });

  it('rejects a bad setting with exit code 2 and one clear line on stderr', async () => {
    const result = await runCli(['config'], cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_WEBHOOK_PORT: 'abc' }));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ringside: invalid configuration: webhook\.port: /);
  });

  it('rejects an unexpected argument with exit code 2', async () => {
    const result = await runCli(['config', 'extra'], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd()).toBe("ringside: config: unexpected argument 'extra'");
  });
});

describe('ringside action-urls', () => {
  it('prints one line per phone event with the P-value, host, port and token, each under 256 characters', async () => {
    const dir = dataDir();
    const env = cliEnv({ RINGSIDE_DATA_DIR: dir, RINGSIDE_PUBLIC_HOST: '192.168.1.20' });
    const result = await runCli(['action-urls'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const token = readFileSync(join(dir, 'token'), 'utf8').trim();

    const lines = result.stdout.trimEnd().split('\n');
    const comments = lines.filter((l) => l.startsWith('#'));
    const urlLines = lines.filter((l) => !l.startsWith('#'));
    expect(comments.join('\n')).toContain('host 192.168.1.20: from the configuration');
    expect(urlLines).toHaveLength(EXPECTED_EVENTS.length);
    EXPECTED_EVENTS.forEach(([pValue, path, label], i) => {
      const line = urlLines[i]!;
      const prefix = `${label} (${pValue}): http://192.168.1.20:7789/gs/${token}/cti/${path}`;
      expect(line.startsWith(prefix), `${line}\nshould start with\n${prefix}`).toBe(true);
      const url = line.slice(`${label} (${pValue}): `.length);
      expect(url.length).toBeLessThan(256);
      expect(url).toContain('mac=$mac');
    });
    expect(urlLines[3]).toBe(
      `Incoming Call (P8310): http://192.168.1.20:7789/gs/${token}/cti/incoming?mac=$mac&remote=$remote&local=$local&display_remote=$display_remote&active_user=$active_user&phone_ip=$phone_ip`,
    );
  });

  it('says where the host came from when it is detected', async () => {
    const result = await runCli(['action-urls'], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(result.code).toBe(0);
    // This machine may or may not have a non-internal IPv4 address: either way a comment says which host is used and why.
    expect(result.stdout).toMatch(/^# host \S+: (the first non-internal IPv4 address of this machine \(.+\)|no non-internal IPv4 address found)/m);
  });

  it('prints JSON with --json', async () => {
    const env = cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_PUBLIC_HOST: 'pbx-helper.example', RINGSIDE_WEBHOOK_PORT: '8089' });
    const result = await runCli(['action-urls', '--json'], env);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { host: string; hostSource: string; port: number; urls: Array<{ label: string; pValue: string; event: string; url: string }> };
    expect(out).toMatchObject({ host: 'pbx-helper.example', hostSource: 'config', port: 8089 });
    expect(out.urls.map((u) => u.pValue)).toEqual(EXPECTED_EVENTS.map(([p]) => p));
    expect(out.urls.map((u) => u.event)).toEqual(ACTION_URL_EVENTS.map((e) => e.event));
    for (const entry of out.urls) {
      expect(entry.url).toMatch(/^http:\/\/pbx-helper\.example:8089\/gs\/[^/]+\/cti\//);
      expect(entry.url.length).toBeLessThan(256);
    }
  });

  it('refuses a webhook port of 0, which phones cannot be given', async () => {
    const result = await runCli(['action-urls'], cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_WEBHOOK_PORT: '0' }));
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('RINGSIDE_WEBHOOK_PORT');
  });
});

describe('ringside usage', () => {
  it('prints the usage for help with exit code 2', async () => {
    const result = await runCli(['help'], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^Usage: ringside <command>/);
    for (const command of ['serve', 'config', 'action-urls', 'simulate']) expect(result.stdout).toContain(`  ${command} `);
  });

  it('prints the usage with no command', async () => {
    const result = await runCli([], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^Usage: ringside/);
  });

  it('rejects an unknown command with exit code 2 and the usage on stderr', async () => {
    const result = await runCli(['frobnicate'], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ringside: unknown command 'frobnicate'\n\nUsage: ringside/);
  });

});

const SERVE_LINES = [/^webhook listening on http:\/\/127\.0\.0\.1:\d+$/, /^agent API on http:\/\/127\.0\.0\.1:\d+$/, /^open the agent UI: http:\/\/127\.0\.0\.1:\d+\/#token=.+$/];

function serveEnv(): NodeJS.ProcessEnv {
  return cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0' });
}

async function serveAndStop(running: ReturnType<typeof startCli>, signal: NodeJS.Signals): Promise<string[]> {
  await running.waitForLine(/^open the agent UI: /);
  running.child.kill(signal);
  const result = await running.exited;
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trimEnd().split('\n');
}

describe('ringside serve', () => {
  it('prints the listeners and the agent UI link, and exits 0 on SIGTERM after closing', async () => {
    const lines = await serveAndStop(startCli(['serve'], serveEnv()), 'SIGTERM');
    expect(lines).toHaveLength(3);
    SERVE_LINES.forEach((pattern, i) => expect(lines[i]).toMatch(pattern));
    const apiOrigin = lines[1]!.replace('agent API on ', '');
    expect(lines[2]!.startsWith(`open the agent UI: ${apiOrigin}/#token=`)).toBe(true);
  });

  it('exits 0 on SIGINT', async () => {
    const lines = await serveAndStop(startCli(['serve', '--headless'], serveEnv()), 'SIGINT');
    expect(lines[0]).toMatch(SERVE_LINES[0]!);
  });

  const bundle = join(ROOT, 'out/server/ringside.mjs');
  // npm install builds the bundle (the prepare script), so it is there wherever the tests run.
  it('runs from the built bundle with RINGSIDE_USE_BUILD=1', async () => {
    expect(existsSync(bundle), `${bundle} is missing: run npm run build`).toBe(true);
    const lines = await serveAndStop(startCli(['serve'], { ...serveEnv(), RINGSIDE_USE_BUILD: '1' }), 'SIGTERM');
    SERVE_LINES.forEach((pattern, i) => expect(lines[i]).toMatch(pattern));
  });
});
