// `ringside provision` in-process against simulated phones: what IT reads, and the exit codes.
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../../src/cli/main';
import { buildActionUrls } from '../../../src/domain/provisioning/actionUrls';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../unit/tools/simulator/controlHelpers';

afterEach(closeAllPhones);

const TOKEN = 'provision-test-token-0123';
const LISTENER = ['--public-host', '10.1.2.3', '--webhook-port', '7789', '--webhook-token', TOKEN];
const URLS = buildActionUrls({ host: '10.1.2.3', port: 7789, token: TOKEN });

async function provision(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: { RINGSIDE_PROVISIONING_FILE: '/nonexistent/ringside.json', RINGSIDE_CONFIG: '/dev/null', ...env },
  };
  const code = await main(['provision', ...args, ...LISTENER], io);
  return { code, stdout, stderr };
}

describe('ringside provision', () => {
  it('writes the Action URLs into a phone with the session login and exits 0', async () => {
    const phone = await startPhone({ form: 'session' });

    const result = await provision(['--phone', `127.0.0.1:${phone.port}`], { RINGSIDE_PHONE_PASSWORD: PHONE_PASSWORD });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`phone 127.0.0.1:${phone.port} (session login): Action URLs for Ringside at 10.1.2.3:7789`);
    expect(result.stdout).toContain('written  Incoming Call (P8310)');
    expect(result.stdout).toContain(`All ${URLS.length} events now reach Ringside (read back from the phone).`);
    for (const u of URLS) expect(phone.config.value(u.pValue)).toBe(u.url);
  });

  it('leaves a foreign slot alone, says what to paste there, and exits 1', async () => {
    const crm = 'http://crm.example/hook?caller=$remote';
    const phone = await startPhone({ form: 'passcode', configValues: { P8312: crm } });

    const result = await provision(['--phone', `http://127.0.0.1:${phone.port}`, '--password', PHONE_PASSWORD]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`left alone  Missed Call (P8312): holds ${crm}, not Ringside's`);
    expect(result.stdout).toContain(`${URLS.length - 1} of ${URLS.length} events reach Ringside.`);
    expect(result.stdout).toContain(`Missed Call (P8312): ${URLS.find((u) => u.pValue === 'P8312')!.url}  (replaces ${crm}: only if nobody needs it)`);
    expect(phone.config.value('P8312')).toBe(crm);
  });

  it('explains what to paste by hand when the firmware has no configuration API', async () => {
    const phone = await startPhone({ configAccess: 'none' });

    const result = await provision(['--phone', `127.0.0.1:${phone.port}`, '--password', PHONE_PASSWORD]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('0 of 14 events reach Ringside. The phone does not let programs write them');
    expect(result.stdout).toContain('Settings > Outbound Notification > Action URL');
    expect(result.stdout).toContain(`Incoming Call (P8310): ${URLS.find((u) => u.pValue === 'P8310')!.url}`);
  });

  it('writes nothing in a dry run', async () => {
    const phone = await startPhone();

    const result = await provision(['--phone', `127.0.0.1:${phone.port}`, '--password', PHONE_PASSWORD, '--dry-run']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('would write  Incoming Call (P8310)');
    expect(result.stdout).toContain('14 of 14 events would reach Ringside; run again without --dry-run');
    expect(phone.config.stats.written).toBe(0);
  });

  it('says why it stopped for a wrong password or a phone that is not there', async () => {
    const phone = await startPhone({ form: 'session' });
    const wrong = await provision(['--phone', `127.0.0.1:${phone.port}`, '--password', 'not-the-password']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^ringside: provision: .*refused the user name or password/m);

    await phone.stop();
    const away = await provision(['--phone', `127.0.0.1:${phone.port}`, '--password', PHONE_PASSWORD]);
    expect(away.code).toBe(1);
    expect(away.stderr).toMatch(/^ringside: provision: the phone at 127\.0\.0\.1:\d+ is not reachable/m);
  });

  it('refuses to run without a phone address or a password', async () => {
    const noPhone = await provision(['--password', PHONE_PASSWORD]);
    expect(noPhone.code).toBe(2);
    expect(noPhone.stderr).toContain('provision: --phone ADDRESS is needed');

    const noPassword = await provision(['--phone', '127.0.0.1:1']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain("provision: the phone's web password is needed");
  });
});
