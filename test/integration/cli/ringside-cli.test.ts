// The real `ringside` command, run as a child process exactly as a user runs it (bin/ringside.js
// through tsx, no build step).
import { existsSync, readFileSync, statSync } from 'node:fs';
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
  it('prints the effective configuration with the tokens masked, generating each token once (0600) and reusing it', async () => {
    const dir = dataDir();
    const env = cliEnv({ RINGSIDE_DATA_DIR: dir });

    const first = await runCli(['config'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const printed = JSON.parse(first.stdout) as Record<string, unknown>;
    const tokens: Record<string, string> = {};
    for (const kind of ['webhook', 'admin']) {
      const file = join(dir, `${kind}-token`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const token = readFileSync(file, 'utf8').trim();
      expect(token.length).toBeGreaterThanOrEqual(16);
      expect(printed[`${kind}Token`]).toBe(`${token.slice(0, 4)}…(${token.length} chars)`);
      expect(first.stdout).not.toContain(token);
      tokens[kind] = token;
    }
    expect(tokens.webhook).not.toBe(tokens.admin);
    expect(existsSync(join(dir, 'token'))).toBe(false);
    expect(printed.dataDir).toBe(dir);
    expect(printed).toMatchObject({ account: 'default', agent: 'me', webhook: { host: '0.0.0.0', port: 7789 }, api: { host: '127.0.0.1', port: 7790 } });

    const second = await runCli(['config'], env);
    expect(second.code).toBe(0);
    expect(readFileSync(join(dir, 'webhook-token'), 'utf8').trim()).toBe(tokens.webhook);
    expect(readFileSync(join(dir, 'admin-token'), 'utf8').trim()).toBe(tokens.admin);
    expect(JSON.parse(second.stdout)).toEqual(printed);
  });

  it('warns in one line that RINGSIDE_TOKEN is deprecated and reads it as the webhook token only', async () => {
    const legacy = 'legacy-phone-token-0123456789';
    const result = await runCli(['config'], cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_TOKEN: legacy }));
    expect(result.code).toBe(0);
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^ringside: warning: RINGSIDE_TOKEN .*deprecated.*webhook token.*never the admin token/)]);
    const printed = JSON.parse(result.stdout) as { webhookToken: string; adminToken: string; tokenOrigins: Record<string, unknown> };
    expect(printed.webhookToken).toBe('lega…(29 chars)');
    expect(printed.adminToken).not.toBe(printed.webhookToken);
    expect(printed.tokenOrigins).toMatchObject({ webhook: { source: 'configured', legacy: true }, admin: { source: 'file' } });
  });

  it('applies environment variables and then command-line flags on top', async () => {
    const env = cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_WEBHOOK_PORT: '8000', RINGSIDE_ACCOUNT: 'acme' });
    const result = await runCli(['config', '--webhook-port', '8001', '--api-port=8002'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ account: 'acme', webhook: { port: 8001 }, api: { port: 8002 } });
  });

  it('masks the configured tokens and the password of a Redis URL', async () => {
    const token = 'configured-secret-token-0123456789';
    const admin = 'configured-admin-token-0123456789';
    const env = cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_WEBHOOK_TOKEN: token, RINGSIDE_ADMIN_TOKEN: admin, RINGSIDE_REDIS_URL: 'redis://user:hunter2@redis.local:6379' });
    const result = await runCli(['config'], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain(token);
    expect(result.stdout).not.toContain(admin);
    expect(result.stdout).not.toContain('hunter2');
    expect(JSON.parse(result.stdout)).toMatchObject({
      webhookToken: 'conf…(34 chars)', adminToken: 'conf…(33 chars)', redis: { url: 'redis://user:***@redis.local:6379' },
      tokenOrigins: { webhook: { source: 'configured', legacy: false }, admin: { source: 'configured' } },
    });
  });

  it('rejects a bad setting with exit code 2 and one clear line on stderr', async () => {
    const result = await runCli(['config'], cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_WEBHOOK_PORT: 'abc' }));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ringside: invalid configuration: webhook\.port \(RINGSIDE_WEBHOOK_PORT=abc\): /);
  });

  it('rejects an unexpected argument with exit code 2', async () => {
    const result = await runCli(['config', 'extra'], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd()).toBe("ringside: config: unexpected argument 'extra'");
  });
});

describe('ringside action-urls', () => {
  it('prints one line per phone event with the P-value, host, port and webhook token, each under 256 characters', async () => {
    const dir = dataDir();
    const env = cliEnv({ RINGSIDE_DATA_DIR: dir, RINGSIDE_PUBLIC_HOST: '192.168.1.20' });
    const result = await runCli(['action-urls'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const token = readFileSync(join(dir, 'webhook-token'), 'utf8').trim();
    // The phones get the webhook token, never the admin token.
    expect(result.stdout).not.toContain(readFileSync(join(dir, 'admin-token'), 'utf8').trim());

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
  it('prints the usage for help with exit code 0 (asked for)', async () => {
    const result = await runCli(['help'], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(result.code).toBe(0);
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

const SERVE_LINES = [/^webhook listening on http:\/\/127\.0\.0\.1:\d+$/, /^agent API on http:\/\/127\.0\.0\.1:\d+$/, /^sign in to the agent UI: npx ringside signin \(a one-time link; it reads the admin token in .+\/admin-token\)$/];

function serveEnv(): NodeJS.ProcessEnv {
  return cliEnv({ RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0' });
}

async function serveAndStop(running: ReturnType<typeof startCli>, signal: NodeJS.Signals): Promise<string[]> {
  await running.waitForLine(/^sign in to the agent UI: /);
  running.child.kill(signal);
  const result = await running.exited;
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trimEnd().split('\n');
}

describe('ringside serve', () => {
  it('prints the listeners and how to sign in, never a token, and exits 0 on SIGTERM after closing', async () => {
    const env = serveEnv();
    const running = startCli(['serve'], env);
    const lines = await serveAndStop(running, 'SIGTERM');
    expect(lines).toHaveLength(3);
    SERVE_LINES.forEach((pattern, i) => expect(lines[i]).toMatch(pattern));
    // No token of any kind on stdout or stderr: a server's output ends up in journals.
    const { stdout, stderr } = await running.exited;
    const tokens = ['webhook-token', 'admin-token'].map((name) => readFileSync(join(env.RINGSIDE_DATA_DIR!, name), 'utf8').trim());
    for (const token of tokens) {
      expect(stdout).not.toContain(token);
      expect(stderr).not.toContain(token);
    }
    expect(stdout).not.toMatch(/#token=|#signin=/);
  });

  it('serves an older set-up whose phones carry RINGSIDE_TOKEN: their events arrive, the API refuses that token, and the start says once that it is deprecated', async () => {
    const legacy = 'legacy-phone-token-0123456789';
    const running = startCli(['serve'], { ...serveEnv(), RINGSIDE_TOKEN: legacy });
    const out = await running.waitForLine(/^sign in to the agent UI: /);
    const webhook = /^webhook listening on (\S+)$/m.exec(out)![1]!;
    const api = /^agent API on (\S+)$/m.exec(out)![1]!;
    const delivered = await fetch(`${webhook}/gs/${legacy}/cti/registered?mac=000B82000001`);
    expect(delivered.status).toBe(200);
    const refused = await fetch(`${api}/api/agents`, { headers: { authorization: `Bearer ${legacy}` } });
    expect(refused.status).toBe(403);
    running.child.kill('SIGTERM');
    const { code, stdout, stderr } = await running.exited;
    expect(code, stderr).toBe(0);
    expect(stderr.match(/RINGSIDE_TOKEN \(--token, \\"token\\"\) is deprecated/g)).toHaveLength(1);
    expect(stdout).not.toContain(legacy);
  });

  it('prints a one-time sign-in link for the seat\'s agent when asked (--signin-link: npm start at a desktop\'s terminal)', async () => {
    const running = startCli(['serve', '--signin-link'], serveEnv());
    const out = await running.waitForLine(/^open the agent UI as /);
    const link = /^open the agent UI as me \(this link signs in once, within 5 minutes; later: npx ringside signin\): (http:\/\/127\.0\.0\.1:\d+)\/#signin=(\S+)$/m.exec(out);
    expect(link, out).not.toBeNull();
    const signin = () => fetch(`${link![1]}/api/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: link![2] }) });
    expect((await signin()).status).toBe(200);
    expect((await signin()).status).toBe(401);
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
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
