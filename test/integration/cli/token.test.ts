// `ringside token show|rotate|retire|status` and `ringside signin` in-process, against a real
// in-process Ringside whose tokens are kept in its data directory, as IT runs them on its machine.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../../src/cli/main';
import { ALICE, BOB } from '../../../tools/simulator/cast';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../unit/tools/simulator/controlHelpers';
import { phoneRequest, startTestRingside, type TestRingside } from '../../support/ringside';
import { makeTempDir } from '../../support/tmp';

const running: TestRingside[] = [];
const temps: Array<{ cleanup: () => void }> = [];
afterEach(async () => {
  await closeAllPhones();
  for (const r of running.splice(0)) await r.stop();
  for (const temp of temps.splice(0)) temp.cleanup();
});

async function ringside(): Promise<TestRingside> {
  const r = await startTestRingside({ webhookToken: undefined, adminToken: undefined, publicHost: '127.0.0.1' });
  running.push(r);
  return r;
}

async function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: { RINGSIDE_DATA_DIR: dataDir, RINGSIDE_PROVISIONING_FILE: '/nonexistent/ringside.json', RINGSIDE_CONFIG: '/dev/null' },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const token = (dir: string, kind: 'webhook' | 'admin') => readFileSync(join(dir, `${kind}-token`), 'utf8').trim();
const delivers = async (r: TestRingside, value: string) => (await phoneRequest(r.instance.webhookUrl, 'registered', { mac: BOB.phone.mac }, value)).status;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('ringside token', () => {
  it('shows a token only when asked, and only the token', async () => {
    const dir = makeTempDir('ringside-token-');
    temps.push(dir);
    const admin = await cli(['token', 'show', 'admin'], dir.dir);
    expect(admin).toEqual({ code: 0, stdout: `${token(dir.dir, 'admin')}\n`, stderr: '' });
    expect((await cli(['token', 'show', 'webhook'], dir.dir)).stdout).toBe(`${token(dir.dir, 'webhook')}\n`);
    expect(await cli(['token', 'show'], dir.dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^ringside: token show: say which token: webhook or admin\n$/) });
    expect((await cli(['token', 'show', 'both'], dir.dir)).code).toBe(2);
    expect((await cli(['token', 'frobnicate'], dir.dir)).code).toBe(2);
  });

  it('rotates the webhook token of the running Ringside: it switches at once, re-provisions what it can, lists the rest, prints no token', async () => {
    const r = await ringside();
    await r.agent(ALICE.id, { name: ALICE.name, extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
    await r.agent(BOB.id, { name: BOB.name, extension: BOB.phone.extension, devices: [BOB.phone.mac] });
    const phone = await startPhone({ identity: ALICE.phone, form: 'session' });
    expect((await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: phone.host, port: phone.port, password: PHONE_PASSWORD } })).status).toBe(200);
    const old = token(r.dataDir, 'webhook');

    const rotated = await cli(['token', 'rotate', 'webhook', '--grace', '2h', '--api', r.instance.apiUrl], r.dataDir);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const fresh = token(r.dataDir, 'webhook');
    expect(fresh).not.toBe(old);
    const lines = rotated.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`webhook token rotated: the new one is in ${join(r.dataDir, 'webhook-token')} (ringside token show webhook) and works now`);
    expect(lines[1]).toMatch(/^the old webhook token keeps working until \S+Z \(2 h\) for phones not re-provisioned yet; ringside token retire webhook ends it now$/);
    expect(lines.slice(2)).toEqual([
      're-provisioned with the new token: 1',
      `  000B825E0001 (${ALICE.id})`,
      'paste the new Action URLs (ringside action-urls) into these phones: 1',
      expect.stringMatching(/^ {2}000B825E0002 \(sim-bob\): no control settings/),
    ]);
    for (const secret of [old, fresh, token(r.dataDir, 'admin')]) expect(rotated.stdout).not.toContain(secret);
    expect(phone.config.value('P8310')).toContain(`/gs/${fresh}/`);
    expect(await delivers(r, fresh)).toBe(200);
    expect(await delivers(r, old)).toBe(200);

    const status = await cli(['token', 'status', '--api', r.instance.apiUrl], r.dataDir);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`webhook token: ${join(r.dataDir, 'webhook-token')}, rotated `);
    expect(status.stdout).toMatch(/phones that used it since: 1\n {4}000B825E0002 \(127\.0\.0\.1\), last /);
    expect(status.stdout).toContain(`admin token: ${join(r.dataDir, 'admin-token')}`);

    expect(await cli(['token', 'retire', 'webhook', '--api', r.instance.apiUrl], r.dataDir)).toMatchObject({ code: 0, stdout: 'the replaced webhook token is refused from now on\n' });
    expect(await delivers(r, old)).toBe(401);
    // `ringside action-urls` prints the lines with the new token for the phones to paste.
    const urls = await cli(['action-urls', '--webhook-port', '7789', '--public-host', '127.0.0.1'], r.dataDir);
    expect(urls.stdout).toContain(`/gs/${fresh}/cti/incoming`);
    expect(urls.stdout).not.toContain(old);
  });

  it('rotates the admin token of the running Ringside: the old one is refused, `token show admin` gives the new one', async () => {
    const r = await ringside();
    const old = token(r.dataDir, 'admin');
    const rotated = await cli(['token', 'rotate', 'admin', '--api', r.instance.apiUrl], r.dataDir);
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    expect(rotated.stdout).toBe(`admin token rotated: the old one is refused from now on; the new one is in ${join(r.dataDir, 'admin-token')} (ringside token show admin)\n`);
    const shown = (await cli(['token', 'show', 'admin'], r.dataDir)).stdout.trim();
    expect(shown).not.toBe(old);
    expect((await r.api('GET', '/api/agents', { token: old })).status).toBe(401);
    expect((await r.api('GET', '/api/agents', { token: shown })).status).toBe(200);
    expect((await cli(['token', 'rotate', 'admin', '--grace', '1h', '--api', r.instance.apiUrl], r.dataDir)).code).toBe(2);
  });

  it('says when no Ringside answers, and rotates the files of a stopped one only with --offline', async () => {
    const dir = makeTempDir('ringside-token-');
    temps.push(dir);
    const api = `http://127.0.0.1:${await closedPort()}`;
    const before = (await cli(['token', 'show', 'webhook'], dir.dir)).stdout.trim();
    const refused = await cli(['token', 'rotate', 'webhook', '--api', api], dir.dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`ringside: token rotate: no Ringside answers at ${api} (start it, or pass --api with its address); with --offline, the token files are rotated for its next start\n`);
    expect(token(dir.dir, 'webhook')).toBe(before);

    const offline = await cli(['token', 'rotate', 'webhook', '--offline', '--grace', '1d', '--api', api], dir.dir);
    expect(offline.code).toBe(0);
    expect(token(dir.dir, 'webhook')).not.toBe(before);
    expect(offline.stdout).toMatch(/the old webhook token keeps working until /);

    // The next start takes the new token and, during the grace, the old one.
    const r = await startTestRingside({ webhookToken: undefined, adminToken: undefined }, dir.dir);
    running.push(r);
    expect(await delivers(r, token(dir.dir, 'webhook'))).toBe(200);
    expect(await delivers(r, before)).toBe(200);
    const busy = await cli(['token', 'rotate', 'admin', '--offline', '--api', r.instance.apiUrl], dir.dir);
    expect(busy).toMatchObject({ code: 1, stderr: expect.stringMatching(/a Ringside answers at .*: rotate without --offline/) });
    expect((await cli(['token', 'rotate', 'webhook', '--grace', 'soon', '--api', api], dir.dir)).code).toBe(2);
  });
});

describe('ringside signin', () => {
  it("prints a one-time sign-in link for the seat's agent from the running Ringside", async () => {
    const r = await ringside();
    const printed = await cli(['signin', '--api', r.instance.apiUrl], r.dataDir);
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    const match = /^open the agent UI as me \(this link signs in once, until \S+Z\): (http:\/\/127\.0\.0\.1:\d+\/#signin=(\S+))\n$/.exec(printed.stdout);
    expect(match, printed.stdout).not.toBeNull();
    const signin = (code: string) => r.api<{ token: string }>('POST', '/api/signin', { token: undefined, body: { code } });
    expect((await signin(match![2]!)).status).toBe(200);
    expect((await signin(match![2]!)).status).toBe(401);

    const port = await closedPort();
    expect(await cli(['signin', '--api', `http://127.0.0.1:${port}`], r.dataDir)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ringside: signin: no Ringside answers/) });
    expect(await cli(['signin', '--agent', 'nobody', '--api', r.instance.apiUrl], r.dataDir)).toMatchObject({ code: 1, stderr: 'ringside: signin: no agent nobody in this account\n' });
  });

  it('--invite prints an invite link for the agent: they choose a password with it, once', async () => {
    const r = await ringside();
    expect((await r.api('POST', '/api/agents', { body: { id: 'alice', name: 'Alice' } })).status).toBe(200);
    const printed = await cli(['signin', '--invite', '--agent', 'alice', '--api', r.instance.apiUrl], r.dataDir);
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    const match = /^send this to alice: with it they choose their password and are signed in \(once, until \S+Z\): (http:\/\/127\.0\.0\.1:\d+\/#invite=(\S+))\n$/.exec(printed.stdout);
    expect(match, printed.stdout).not.toBeNull();
    const accept = () => r.api('POST', '/api/invites/accept', { token: undefined, body: { code: match![2]!, password: 'correct horse battery' } });
    expect(await accept()).toMatchObject({ status: 200, body: { agent: 'alice' } });
    expect((await accept()).status).toBe(401);
    expect((await r.api('POST', '/api/signin', { token: undefined, body: { agent: 'alice', password: 'correct horse battery' } })).status).toBe(200);

    expect(await cli(['signin', '--invite', '--agent', 'nobody', '--api', r.instance.apiUrl], r.dataDir)).toMatchObject({ code: 1, stderr: 'ringside: signin: no agent nobody in this account\n' });
    expect(await cli(['signin', '--invite', '--api', r.instance.apiUrl], r.dataDir)).toMatchObject({ code: 2, stderr: expect.stringContaining('--agent ID') as unknown });
  });
});
