// The simulated phone's web server authenticates like the firmware: passcode form or session login.
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPhones, loginByHand, manualClock, PHONE_PASSWORD, raw, startPhone } from './controlHelpers';

afterEach(closeAllPhones);

const LINE_STATUS = '/cgi-bin/api-get_line_status';

describe('simulated phone: passcode form', () => {
  it('answers with the passcode, refuses without it, and has no session login page', async () => {
    const phone = await startPhone({ form: 'passcode' });

    const ok = await raw(phone, 'GET', `${LINE_STATUS}?passcode=${PHONE_PASSWORD}`, { referer: false });
    expect(ok.json).toEqual({ response: 'success', body: [1, 2, 3].map((line) => ({ line, state: 'idle', acct: '', remotename: '', remotenumber: '', active: 0 })) });
    expect((await raw(phone, 'GET', `${LINE_STATUS}?passcode=wrong`)).json).toEqual({ response: 'error', body: 'unauthorized' });
    expect((await raw(phone, 'GET', LINE_STATUS)).json).toEqual({ response: 'error', body: 'unauthorized' });
    expect((await raw(phone, 'POST', '/cgi-bin/access')).status).toBe(404);
  });

  it('locks the account after five failed logins in a row, even for the right passcode, until unlocked', async () => {
    const phone = await startPhone({ form: 'passcode' });
    for (let i = 0; i < 5; i += 1) await raw(phone, 'GET', `${LINE_STATUS}?passcode=wrong`);

    expect((await raw(phone, 'GET', `${LINE_STATUS}?passcode=${PHONE_PASSWORD}`)).json).toEqual({ response: 'error', body: 'locked' });
    phone.auth.unlock();
    expect((await raw(phone, 'GET', `${LINE_STATUS}?passcode=${PHONE_PASSWORD}`)).json?.response).toBe('success');
  });
});

describe('simulated phone: session login', () => {
  it('logs in with sha256(password + nonce), then answers with the sid cookie and a same-origin Referer', async () => {
    const phone = await startPhone({ form: 'session' });
    const { sid, answer } = await loginByHand(phone);
    expect(answer.json?.response).toBe('success');
    expect(sid).toMatch(/^[0-9a-f]{32}$/);

    expect((await raw(phone, 'GET', LINE_STATUS, { sid: sid! })).json?.response).toBe('success');
    expect((await raw(phone, 'GET', LINE_STATUS, { sid: sid!, referer: false })).status).toBe(403);
    expect((await raw(phone, 'POST', '/cgi-bin/access', { referer: false })).status).toBe(403);
    // The session firmware no longer takes the passcode form.
    expect((await raw(phone, 'GET', `${LINE_STATUS}?passcode=${PHONE_PASSWORD}`)).json).toEqual({ response: 'error', body: 'session-expired' });
  });

  it('refuses a wrong password or a replayed nonce, and locks after five failures', async () => {
    const phone = await startPhone({ form: 'session' });
    const wrong = await loginByHand(phone, 'not-the-password');
    expect(wrong.answer.json).toEqual({ response: 'error', body: 'unauthorized' });
    expect(wrong.sid).toBeNull();
    expect((await loginByHand(phone, PHONE_PASSWORD, 'admin')).answer.json?.body).toBe('unauthorized');
    for (let i = 0; i < 3; i += 1) await loginByHand(phone, 'not-the-password');

    expect((await loginByHand(phone)).answer.json).toEqual({ response: 'error', body: 'locked' });
    expect(phone.auth.stats.failedLogins).toBe(5);
  });

  it('keeps one session per account: a new login ends the previous one', async () => {
    const phone = await startPhone({ form: 'session' });
    const first = await loginByHand(phone);
    const second = await loginByHand(phone);

    expect((await raw(phone, 'GET', LINE_STATUS, { sid: first.sid! })).json?.body).toBe('session-expired');
    expect((await raw(phone, 'GET', LINE_STATUS, { sid: second.sid! })).json?.response).toBe('success');
  });

  it('expires a session left idle longer than its lifetime; each use refreshes it', async () => {
    const clock = manualClock();
    const phone = await startPhone({ form: 'session', sessionIdleMs: 30_000, clock: clock.now });
    const { sid } = await loginByHand(phone);

    clock.advance(20_000);
    expect((await raw(phone, 'GET', LINE_STATUS, { sid: sid! })).json?.response).toBe('success');
    clock.advance(20_000);
    expect((await raw(phone, 'GET', LINE_STATUS, { sid: sid! })).json?.response).toBe('success');
    clock.advance(30_001);
    expect((await raw(phone, 'GET', LINE_STATUS, { sid: sid! })).json?.body).toBe('session-expired');
  });
});
