// `ringside simulate` run as a child process, as a newcomer runs it, against a real Ringside started in this process.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE } from '../../../tools/simulator/cast';
import { startTestRingside, TEST_TOKEN, TEST_WEBHOOK_TOKEN, type TestRingside } from '../../support/ringside';
import { makeTempDir } from '../../support/tmp';
import { cliEnv, runCli } from './helpers';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function dataDir(): string {
  const temp = makeTempDir('ringside-simulate-');
  cleanups.push(temp.cleanup);
  return temp.dir;
}

async function ringside(): Promise<TestRingside> {
  const r = await startTestRingside();
  cleanups.push(() => r.stop());
  return r;
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('ringside simulate', () => {
  it("plays the direct scenario end to end on the seat's own agent (the one npm start signs in), prints each event and the call log, exits 0", async () => {
    const r = await ringside();
    const seat = await r.agent('me', { name: 'Sam Seat' });
    const result = await runCli(
      ['simulate', 'direct', '--webhook', r.instance.webhookUrl, '--api', r.instance.apiUrl, '--webhook-token', TEST_WEBHOOK_TOKEN, '--admin-token', TEST_TOKEN, '--delay-ms', '0'],
      cliEnv({ RINGSIDE_DATA_DIR: dataDir() }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Sam Seat (me) is rung by direct: sign in as me to see the calls');
    expect(result.stdout).not.toContain('set-up:');
    for (const label of ['Incoming Call', 'Established Call', 'Terminated Call']) expect(result.stdout).toMatch(new RegExp(`Sam Seat's phone \\(simulated\\) .*: ${label} .* -> 200`));
    expect(result.stdout).toMatch(/call \S+: answered, incoming, direct, agent me/);
    // The seat's UI (the link npm start prints) got the card.
    const caller = /(\+3491\d{7})/.exec(result.stdout)![1]!;
    await seat.callMessage('call.ringing', caller);
    const agents = await r.api<{ items: Array<{ id: string }> }>('GET', '/api/agents');
    expect(agents.body.items.map((a) => a.id)).toEqual(['me']);
  });

  it('--agent chooses whom direct rings; ring-group still sets up and rings the simulated agents', async () => {
    const r = await ringside();
    await r.agent('dana', { name: 'Dana', extension: '250' });
    const flags = ['--webhook', r.instance.webhookUrl, '--api', r.instance.apiUrl, '--webhook-token', TEST_WEBHOOK_TOKEN, '--admin-token', TEST_TOKEN, '--delay-ms', '0'];
    const direct = await runCli(['simulate', 'direct', '--agent', 'dana', ...flags], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(direct.code).toBe(0);
    expect(direct.stdout).toMatch(/call \S+: answered, incoming, direct, agent dana/);
    const group = await runCli(['simulate', 'ring-group', ...flags], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(group.code).toBe(0);
    expect(group.stdout).toContain(`set-up: agent ${ALICE.id}`);
    const unknown = await runCli(['simulate', 'direct', '--agent', 'nobody', ...flags], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^ringside: simulate: Ringside has no agent 'nobody' \(its agents: .*dana/);
  });

  it('takes its defaults from the configuration (tokens and ports) when no flags are given', async () => {
    const r = await ringside();
    const env = cliEnv({
      RINGSIDE_DATA_DIR: dataDir(), RINGSIDE_WEBHOOK_TOKEN: TEST_WEBHOOK_TOKEN, RINGSIDE_ADMIN_TOKEN: TEST_TOKEN,
      RINGSIDE_WEBHOOK_PORT: new URL(r.instance.webhookUrl).port, RINGSIDE_API_PORT: new URL(r.instance.apiUrl).port,
    });
    const result = await runCli(['simulate', '--delay-ms=0'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/call \S+: answered/);
  });

  it('says Ringside is not reachable and how to start it, exit code 1, when nothing listens', async () => {
    const port = await closedPort();
    const result = await runCli(
      ['simulate', '--webhook', `http://127.0.0.1:${port}`, '--api', `http://127.0.0.1:${port}`, '--webhook-token', TEST_WEBHOOK_TOKEN, '--admin-token', TEST_TOKEN],
      cliEnv({ RINGSIDE_DATA_DIR: dataDir() }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^ringside: simulate: Ringside's API is not reachable at http:\/\/127\.0\.0\.1:\d+ .*start it with npx ringside serve/);
  });

  it('rejects an unknown scenario with exit code 2', async () => {
    const result = await runCli(['simulate', 'conference'], cliEnv({ RINGSIDE_DATA_DIR: dataDir() }));
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd()).toBe("ringside: simulate: unknown scenario 'conference' (one of: direct, ring-group, missed, cancel, transfer, callback, all)");
  });
});
