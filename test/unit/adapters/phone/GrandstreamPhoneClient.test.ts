// The phone client against simulated phones over real sockets: login forms, sessions and every failure.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { PhoneError } from '../../../../src/domain/phone/errors';
import { GrandstreamPhoneClient, type GrandstreamPhoneClientOptions } from '../../../../src/adapters/phone/GrandstreamPhoneClient';
import type { LoginForm } from '../../../../tools/simulator/control/phoneAuth';
import type { SimulatedPhoneControl } from '../../../../tools/simulator/control/SimulatedPhoneControl';
import { createLogger } from '../../../../src/shared/logger';
import { closeAllPhones, manualClock, PHONE_PASSWORD, startPhone } from '../../tools/simulator/controlHelpers';

afterEach(closeAllPhones);

function clientFor(phone: SimulatedPhoneControl, options: Partial<GrandstreamPhoneClientOptions> = {}): GrandstreamPhoneClient {
  return new GrandstreamPhoneClient({ host: phone.host, port: phone.port, password: PHONE_PASSWORD, timeoutMs: 2000, ...options });
}

/** The promise's rejection code, or a failure if it resolved. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(() => new Error('expected a PhoneError'), (e: unknown) => e);
  expect(error).toBeInstanceOf(PhoneError);
  return (error as PhoneError).code;
}

const FORMS: LoginForm[] = ['passcode', 'session'];

describe.each(FORMS)('GrandstreamPhoneClient, phone with the %s form', (form) => {
  it('detects the login form and drives the phone', async () => {
    const phone = await startPhone({ form });
    const client = clientFor(phone);
    phone.ring('+34912220001', 'Luis Gil');

    expect(await client.phoneStatus()).toBe('ringing');
    expect(client.loginForm).toBe(form);
    await client.accept();
    await client.hold();
    const [line] = await client.lineStatus();
    expect(line).toEqual({ line: 1, state: 'onhold', account: 0, remoteName: 'Luis Gil', remoteNumber: '+34912220001', active: true });
    await client.hold();
    await client.end();
    await client.sendKeys(['8', '1', '0', '2', '#', 'SEND']);
    expect((await client.lineStatus())[0]).toMatchObject({ state: 'calling', remoteNumber: '8102#' });
    await client.cancel();

    // The session form logs in once and keeps using its sid; the passcode form has nothing to keep.
    expect(phone.auth.stats.logins).toBe(form === 'session' ? 1 : 9);
  });

  it('stops after two refused logins, well before the phone locks the account, until reset', async () => {
    const phone = await startPhone({ form });
    const client = clientFor(phone, { password: 'a-wrong-password' });

    expect(await codeOf(client.lineStatus())).toBe('phone_bad_credentials');
    expect(await codeOf(client.dial('8102'))).toBe('phone_bad_credentials');
    const paused = client.phoneStatus();
    expect(await codeOf(paused)).toBe('phone_login_paused');
    await expect(paused).rejects.toThrow(/locks its web account after 5/);
    expect(await codeOf(client.end())).toBe('phone_login_paused');
    expect(phone.auth.stats.failedLogins).toBe(2);
    expect(phone.auth.locked).toBe(false);

    client.resetLoginGuard();
    expect(await codeOf(client.lineStatus())).toBe('phone_bad_credentials');
    expect(phone.auth.stats.failedLogins).toBe(3);
  });

  it('says so when the phone asks its user to confirm each command', async () => {
    const phone = await startPhone({ form, confirmationPopup: true });
    const client = clientFor(phone);

    const dialling = client.dial('8102');
    expect(await codeOf(dialling)).toBe('phone_needs_confirmation');
    await expect(dialling).rejects.toThrow(/Remote Control Pop up Window Support/);
    expect((await client.lineStatus())[0]?.state).toBe('idle');
  });

  it('times out a phone that does not answer in time', async () => {
    // Tests the error, not speed: the phone is far slower than the small timeout.
    const phone = await startPhone({ form, responseDelayMs: 5000 });
    const client = clientFor(phone, { timeoutMs: 200 });

    const status = client.phoneStatus();
    expect(await codeOf(status)).toBe('phone_timeout');
    await expect(status).rejects.toThrow(/did not answer within 200 ms/);
  });

  it('reports a phone whose web server is gone as unreachable', async () => {
    const phone = await startPhone({ form });
    const client = clientFor(phone);
    await phone.stop();

    expect(await codeOf(client.lineStatus())).toBe('phone_unreachable');
    await phone.resume();
    expect(await client.phoneStatus()).toBe('available');
  });

  it('reports a command the phone cannot carry out', async () => {
    const phone = await startPhone({ form });
    const refused = clientFor(phone).accept();
    expect(await codeOf(refused)).toBe('phone_refused');
    await expect(refused).rejects.toThrow(/"failed"/);
  });
});

describe('GrandstreamPhoneClient session handling', () => {
  it('logs in again once, transparently, when the phone has expired the session', async () => {
    const phone = await startPhone({ form: 'session' });
    const client = clientFor(phone);
    await client.phoneStatus();

    phone.auth.expireSession();
    expect(await client.phoneStatus()).toBe('available');
    expect(phone.auth.stats.logins).toBe(2);
  });

  it('renews a session it left idle past its refresh time before using it', async () => {
    const clock = manualClock();
    const phone = await startPhone({ form: 'session', sessionIdleMs: 30_000, clock: clock.now });
    const client = clientFor(phone, { clock: clock.now, sessionRefreshMs: 25_000 });
    await client.phoneStatus();
    clock.advance(20_000);
    await client.phoneStatus();
    expect(phone.auth.stats.logins).toBe(1);

    clock.advance(26_000);
    await client.phoneStatus();
    expect(phone.auth.stats.logins).toBe(2);
  });

  it('uses the session form only for a phone set to it, when told so', async () => {
    const phone = await startPhone({ form: 'passcode' });
    const client = clientFor(phone, { form: 'session' });
    expect(await codeOf(client.phoneStatus())).toBe('phone_bad_answer');
  });

  it('names the phone and the login form in its logs, never the password or the sid', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const phone = await startPhone({ form: 'session' });
    const client = clientFor(phone, { logger: createLogger({ level: 'debug', destination }) });
    await client.phoneStatus();
    phone.auth.expireSession();
    await client.phoneStatus();

    const logged = lines.join('');
    expect(logged).toContain('"form":"session"');
    expect(logged).toContain('logging in again');
    expect(logged).not.toContain(PHONE_PASSWORD);
    expect(logged).not.toMatch(/[0-9a-f]{32}/);
  });
});
