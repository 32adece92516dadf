// `ringside simulate phone` in-process: a newcomer provisions the simulated phone with
// `ringside provision`, rings it by typing, and the call reaches a real in-process Ringside.
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../../src/cli/main';
import { ALICE } from '../../../tools/simulator/cast';
import { startTestRingside, TEST_WEBHOOK_TOKEN, type AgentClient, type TestRingside } from '../../support/ringside';
import { TextWatch } from '../../support/wait';

const ENV = { RINGSIDE_PROVISIONING_FILE: '/nonexistent/ringside.json', RINGSIDE_CONFIG: '/dev/null' };

/**
 * A CLI run whose output (stdout and stderr) a test can wait on, in order: each line() looks only
 * after what the previous one matched, and fails after WAIT_MS naming the pattern.
 */
function capture(stdin?: PassThrough): { io: CliIo; output: () => string; line: (pattern: RegExp) => Promise<RegExpMatchArray> } {
  const output = new TextWatch('the CLI output');
  const io: CliIo = {
    stdout: (text) => output.append(text),
    stderr: (text) => output.append(text),
    env: ENV,
    ...(stdin ? { stdin } : {}),
  };
  return {
    io,
    output: () => output.output,
    line: (pattern) => output.next(pattern),
  };
}

let r: TestRingside;
let alice: AgentClient;
beforeEach(async () => {
  r = await startTestRingside({ publicHost: '127.0.0.1' });
  alice = await r.agent(ALICE.id, { name: ALICE.name, extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
});
afterEach(() => r.stop());

describe('ringside simulate phone', () => {
  it('stays up for provisioning, then rings, answers and hangs up as typed; the call reaches Ringside', async () => {
    const stdin = new PassThrough();
    const phone = capture(stdin);
    const exited = main(['simulate', 'phone', '--password', 'typed-demo-pass'], phone.io);
    const [, port] = await phone.line(/web API on 127\.0\.0\.1:(\d+), session login/);

    const provision = capture();
    const webhookPort = new URL(r.instance.webhookUrl).port;
    const code = await main(['provision', '--phone', `127.0.0.1:${port}`, '--password', 'typed-demo-pass', '--public-host', '127.0.0.1', '--webhook-port', webhookPort, '--webhook-token', TEST_WEBHOOK_TOKEN], provision.io);
    expect(provision.output()).toContain('All 14 events now reach Ringside');
    expect(code).toBe(0);

    stdin.write('ring +34915550199 Marta Ruiz\n');
    await phone.line(/Incoming Call {5}\+34915550199 on 8101\n/);
    expect((await alice.callMessage('call.ringing', '+34915550199')).call).toMatchObject({ remoteName: 'Marta Ruiz' });
    stdin.write('answer\n');
    await phone.line(/Established Call {2}\+34915550199/);
    stdin.write('hangup\n');
    await phone.line(/Terminated Call {3}\+34915550199/);
    stdin.write('hangup\n');
    await phone.line(/the phone cannot: no active call to end/);
    stdin.write('quit\n');
    expect(await exited).toBe(0);

    await r.settle();
    const calls = await r.api<{ items: Array<{ status: string; agent: string }> }>('GET', '/api/calls?remote=%2B34915550199');
    expect(calls.body.items).toEqual([expect.objectContaining({ status: 'answered', agent: ALICE.id })]);
  });

  it('cancel: the caller gives up while it rings; the phone reports a missed call and the card ends', async () => {
    const stdin = new PassThrough();
    const phone = capture(stdin);
    const exited = main(['simulate', 'phone', '--password', 'typed-demo-pass'], phone.io);
    const [, port] = await phone.line(/web API on 127\.0\.0\.1:(\d+), session login/);
    const webhookPort = new URL(r.instance.webhookUrl).port;
    expect(await main(['provision', '--phone', `127.0.0.1:${port}`, '--password', 'typed-demo-pass', '--public-host', '127.0.0.1', '--webhook-port', webhookPort, '--webhook-token', TEST_WEBHOOK_TOKEN], capture().io)).toBe(0);

    stdin.write('ring +34915550177 Lucía Fernández\n');
    await phone.line(/Incoming Call {5}\+34915550177 on 8101\n/);
    await alice.callMessage('call.ringing', '+34915550177');
    stdin.write('cancel\n');
    await phone.line(/Missed Call +\+34915550177 on 8101\n/);
    expect((await alice.callMessage('call.ended', '+34915550177')).outcome).toBe('unanswered');
    stdin.write('cancel\n');
    await phone.line(/the phone cannot: .*ringing/);
    stdin.write('quit\n');
    expect(await exited).toBe(0);
  });

  it('says that events go nowhere before the phone is provisioned', async () => {
    const stdin = new PassThrough();
    const phone = capture(stdin);
    const exited = main(['simulate', 'phone'], phone.io);
    await phone.line(/then type:/);
    stdin.write('ring\n');
    await phone.line(/Incoming Call .* \(slot empty: not sent; provision the phone\)/);
    stdin.end();
    expect(await exited).toBe(0);
  });

  it('refuses a bad port or login form with exit code 2', async () => {
    const bad = capture(new PassThrough());
    expect(await main(['simulate', 'phone', '--form', 'digest'], bad.io)).toBe(2);
    expect(bad.output()).toContain("simulate phone: --form is session or passcode, not 'digest'");
  });
});
