// The agent's own phone driven through the agent API, and the call-back that dials through it:
// a real in-process Ringside, simulated phones with their control API, no mocks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, SIM_HELPLINE } from '../../../tools/simulator/cast';
import type { SimulatedPhoneControl, SimulatedPhoneControlOptions } from '../../../tools/simulator/control/SimulatedPhoneControl';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../unit/tools/simulator/controlHelpers';
import { startTestRingside, TEST_WEBHOOK_TOKEN, type AgentClient, type TestRingside } from '../../support/ringside';
import { newCaller, params, phoneSays } from './fixtures';

interface CallItem { direction: string; status: string; agent: string | null; remote: string; endedAt: number | null }
interface ErrorBody { error: string; reason: string; mac?: string }
interface MissedItem { callId: string; status: string; owner: string | null; closedBy: string | null }

let r: TestRingside;
let alice: AgentClient;
let bob: AgentClient;

beforeEach(async () => {
  r = await startTestRingside();
  alice = await r.agent(ALICE.id, { name: ALICE.name, extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
  bob = await r.agent(BOB.id, { name: BOB.name, extension: BOB.phone.extension, devices: [BOB.phone.mac] });
});
afterEach(async () => {
  await closeAllPhones();
  await r.stop();
});

/** A simulated desk phone whose Action URLs go to the test Ringside, and its control settings saved in the directory. */
async function deskPhone(who: typeof ALICE, options: Partial<SimulatedPhoneControlOptions> = {}, password = PHONE_PASSWORD): Promise<SimulatedPhoneControl> {
  const webhook = new URL(r.instance.webhookUrl);
  const phone = await startPhone({
    identity: who.phone, form: 'session', remoteAnswer: { afterMs: 0 },
    webhook: { host: '127.0.0.1', port: Number(webhook.port), token: TEST_WEBHOOK_TOKEN }, ...options,
  });
  const saved = await r.api('PUT', `/api/devices/${who.phone.mac}/control`, { body: { host: phone.host, port: phone.port, password } });
  expect(saved.status).toBe(200);
  return phone;
}

/** The phone's Action URLs acknowledged, then handled by Ringside. */
async function settle(phone: SimulatedPhoneControl): Promise<void> {
  await phone.outbox.flush();
  await r.settle();
  expect(phone.outbox.failures).toEqual([]);
}

async function callsWith(remote: string): Promise<CallItem[]> {
  return (await r.api<{ items: CallItem[] }>('GET', `/api/calls?remote=${encodeURIComponent(remote)}`)).body.items;
}

/** Nothing reached the phone's control API: no login, no line changed, no event sent. */
function untouched(phone: SimulatedPhoneControl): void {
  expect(phone.auth.stats).toEqual({ logins: 0, failedLogins: 0 });
  expect(phone.lines.phoneStatus()).toBe('available');
  expect(phone.outbox.sent).toEqual([]);
}

describe("the agent's own phone", () => {
  it('dial from the API: the phone reports outgoing and answered, the call log shows the call for that agent; hang-up ends it', async () => {
    const phone = await deskPhone(ALICE);
    const number = newCaller();

    const dialled = await r.api('POST', '/api/phone/dial', { token: alice.token, body: { number } });
    expect(dialled).toEqual({ status: 200, body: { ok: true, action: 'dial', mac: '000B825E0001', number } });
    await settle(phone);
    expect(phone.outbox.sent.map((e) => [e.label, e.call.remote])).toEqual([['Outgoing Call', number], ['Established Call', number]]);
    expect(await callsWith(number)).toEqual([expect.objectContaining({ direction: 'out', status: 'in_progress', agent: ALICE.id, remote: number, endedAt: null })]);

    const hold = await r.api('POST', '/api/phone/hold', { token: alice.token });
    expect(hold.status).toBe(200);
    expect(phone.lines.status()[0]).toMatchObject({ state: 'onhold' });
    const hangup = await r.api('POST', '/api/phone/hangup', { token: alice.token });
    expect(hangup).toEqual({ status: 200, body: { ok: true, action: 'hangup', mac: '000B825E0001' } });
    await settle(phone);
    const [call] = await callsWith(number);
    expect(call).toMatchObject({ direction: 'out', status: 'answered', agent: ALICE.id });
    expect(call!.endedAt).not.toBeNull();
  });

  it('answer from the API picks up the ringing call on the phone', async () => {
    const phone = await deskPhone(ALICE, { remoteAnswer: 'never' });
    const caller = newCaller();
    phone.ring(caller, 'Customer');
    await settle(phone);

    const answered = await r.api('POST', '/api/phone/answer', { token: alice.token, body: {} });
    expect(answered.status).toBe(200);
    await settle(phone);
    expect(await callsWith(caller)).toEqual([expect.objectContaining({ direction: 'in', status: 'in_progress', agent: ALICE.id })]);
  });

  it("an agent can never drive another agent's phone; the admin must name the phone", async () => {
    const alicesPhone = await deskPhone(ALICE);
    const bobsPhone = await deskPhone(BOB);

    for (const [path, body] of [['/api/phone/dial', { number: '+3491000001', mac: BOB.phone.mac }], ['/api/phone/answer', { mac: BOB.phone.mac }], ['/api/phone/hangup', { mac: BOB.phone.mac }], ['/api/phone/hold', { mac: BOB.phone.mac }]] as const) {
      const refused = await r.api<ErrorBody>('POST', path, { token: alice.token, body });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: 'not_your_phone' });
    }
    // An unknown phone is refused the same way: an agent learns nothing about others' devices.
    expect((await r.api<ErrorBody>('POST', '/api/phone/dial', { token: alice.token, body: { number: '123', mac: '00:0B:82:99:99:99' } })).status).toBe(403);
    await settle(bobsPhone);
    untouched(bobsPhone);
    untouched(alicesPhone);

    const noMac = await r.api<ErrorBody>('POST', '/api/phone/dial', { body: { number: '123' } });
    expect(noMac).toMatchObject({ status: 400, body: { error: 'mac_required' } });
    const byAdmin = await r.api('POST', '/api/phone/dial', { body: { number: '+3491000002', mac: BOB.phone.mac } });
    expect(byAdmin.status).toBe(200);
    await settle(bobsPhone);
    expect(bobsPhone.outbox.sent.map((e) => e.label)).toEqual(['Outgoing Call', 'Established Call']);
    untouched(alicesPhone);
  });

  it('bad input is a 400 that names the field; without a token a 401', async () => {
    await deskPhone(ALICE);
    const unknownField = await r.api<{ error: string }>('POST', '/api/phone/dial', { token: alice.token, body: { number: '123', speaker: true } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error).toContain('speaker');
    const badNumber = await r.api<{ error: string }>('POST', '/api/phone/dial', { token: alice.token, body: { number: 'call me' } });
    expect(badNumber.status).toBe(400);
    expect(badNumber.body.error).toContain('number');
    expect((await r.api('POST', '/api/phone/hangup', { token: '' })).status).toBe(401);
  });
});

describe('a phone that cannot do it: the documented answer, and nothing changes', () => {
  it('unreachable: 502 phone_unreachable; no call appears', async () => {
    const phone = await deskPhone(ALICE);
    await phone.stop();
    const number = newCaller();

    const answer = await r.api<ErrorBody>('POST', '/api/phone/dial', { token: alice.token, body: { number } });
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ error: 'phone_unreachable', mac: '000B825E0001' });
    expect(answer.body.reason).toContain('not reachable');
    await phone.resume();
    await settle(phone);
    untouched(phone);
    expect(await callsWith(number)).toEqual([]);
  });

  it('pop-up confirmation on: 409 phone_needs_confirmation says what to disable; the phone did not dial', async () => {
    const phone = await deskPhone(ALICE, { confirmationPopup: true });
    const number = newCaller();

    const answer = await r.api<ErrorBody>('POST', '/api/phone/dial', { token: alice.token, body: { number } });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe('phone_needs_confirmation');
    expect(answer.body.reason).toContain('Remote Control Pop up Window Support');
    await settle(phone);
    expect(phone.lines.phoneStatus()).toBe('available');
    expect(phone.outbox.sent).toEqual([]);
    expect(await callsWith(number)).toEqual([]);
  });

  it('no password set: 409 phone_not_configured, and the phone is never contacted', async () => {
    const webhook = new URL(r.instance.webhookUrl);
    const phone = await startPhone({ identity: ALICE.phone, form: 'session', webhook: { host: '127.0.0.1', port: Number(webhook.port), token: TEST_WEBHOOK_TOKEN } });
    await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: phone.host, port: phone.port } });

    const answer = await r.api<ErrorBody>('POST', '/api/phone/dial', { token: alice.token, body: { number: '123' } });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe('phone_not_configured');
    expect(answer.body.reason).toContain('password');
    untouched(phone);
  });

  it('a wrong password: 502 twice, then 423 without trying again; saving the settings resets the pause', async () => {
    const phone = await deskPhone(ALICE, {}, 'not-the-password');
    const dial = () => r.api<ErrorBody>('POST', '/api/phone/dial', { token: alice.token, body: { number: '123' } });

    expect((await dial()).body.error).toBe('phone_bad_credentials');
    const second = await dial();
    expect(second).toMatchObject({ status: 502, body: { error: 'phone_bad_credentials' } });
    const paused = await dial();
    expect(paused).toMatchObject({ status: 423, body: { error: 'phone_login_paused' } });
    expect(phone.auth.stats.failedLogins).toBe(2);

    await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { password: PHONE_PASSWORD } });
    expect((await dial()).status).toBe(200);
    await settle(phone);
    expect(phone.auth.stats.failedLogins).toBe(2);
  });
});

describe('phone control settings', () => {
  it('the password is never in an API answer; whether one is set is', async () => {
    const phone = await deskPhone(ALICE);
    await phone.stop();
    const answers = [
      await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { username: 'desk', password: PHONE_PASSWORD } }),
      await r.api('GET', '/api/devices'),
      await r.api('GET', '/api/devices', { token: alice.token }),
      await r.api('GET', '/api/agents'),
      await r.api('POST', '/api/phone/dial', { token: alice.token, body: { number: '123' } }),
      await r.api('POST', '/api/phone/hangup', { body: { mac: ALICE.phone.mac } }),
    ];
    for (const answer of answers) expect(JSON.stringify(answer.body)).not.toContain(PHONE_PASSWORD);
    const devices = (await r.api<{ items: Array<{ mac: string; control: unknown }> }>('GET', '/api/devices')).body.items;
    expect(devices.find((d) => d.mac === '000B825E0001')?.control).toEqual({ host: '127.0.0.1', hostFromEvents: false, port: phone.port, username: 'desk', passwordSet: true });
    expect(devices.find((d) => d.mac === '000B825E0002')?.control).toEqual({ host: null, hostFromEvents: false, port: 80, username: 'user', passwordSet: false });
  });

  it('the address defaults to the last IP the phone reported; null restores defaults', async () => {
    await r.phone('registered', { mac: BOB.phone.mac, phone_ip: '192.0.2.102' });
    await r.settle();
    await r.api('PUT', `/api/devices/${BOB.phone.mac}/control`, { body: { host: '10.1.2.3', port: 8080, password: 'x' } });
    const cleared = await r.api<{ control: unknown }>('PUT', `/api/devices/${BOB.phone.mac}/control`, { body: { host: null, port: null, password: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.control).toEqual({ host: '192.0.2.102', hostFromEvents: true, port: 80, username: 'user', passwordSet: false });
  });

  it('admin only; unknown fields and devices are refused', async () => {
    const asAgent = await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { token: alice.token, body: { password: 'x' } });
    expect(asAgent.status).toBe(403);
    const unknownField = await r.api<{ error: string }>('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { password: 'x', passcode: 'y' } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error).toContain('passcode');
    const badHost = await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: 'http://phone/' } });
    expect(badHost.status).toBe(400);
    const unknownDevice = await r.api<ErrorBody>('PUT', '/api/devices/00:0B:82:99:99:99/control', { body: { password: 'x' } });
    expect(unknownDevice).toMatchObject({ status: 404, body: { error: 'unknown_device' } });
  });
});

describe('call-back end to end', () => {
  /** A helpline call that rang both phones and nobody answered: an open missed call. */
  async function missedCall(caller: string): Promise<string> {
    await r.api('POST', '/api/helplines', { body: { number: SIM_HELPLINE.number, name: SIM_HELPLINE.name } });
    const line = SIM_HELPLINE.number;
    await phoneSays(r, [['incoming', params(ALICE.phone.mac, caller, line)], ['incoming', params(BOB.phone.mac, caller, line)], ['missed', params(ALICE.phone.mac, caller, line)], ['missed', params(BOB.phone.mac, caller, line)]]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();
    const open = (await r.api<{ items: MissedItem[] }>('GET', '/api/missed?status=open')).body.items;
    expect(open).toHaveLength(1);
    return open[0]!.callId;
  }

  it('the agent takes it, the phone dials, the answered call closes it with who called back; a later taker sees who did', async () => {
    const alicesPhone = await deskPhone(ALICE);
    const bobsPhone = await deskPhone(BOB);
    const caller = newCaller();
    const callId = await missedCall(caller);

    const taken = await r.api<{ missed: MissedItem; dial: unknown }>('POST', `/api/missed/${callId}/callback`, { token: alice.token });
    expect(taken.status).toBe(200);
    expect(taken.body.missed).toMatchObject({ callId, owner: ALICE.id, status: 'claimed' });
    expect(taken.body.dial).toEqual({ status: 'dialling', mac: '000B825E0001', number: caller });
    expect((await bob.next((m) => m.type === 'missed.claimed', `missed.claimed for ${caller}`)).missed).toMatchObject({ callId, owner: ALICE.id });

    await settle(alicesPhone);
    expect(alicesPhone.outbox.sent.map((e) => [e.label, e.call.remote])).toEqual([['Outgoing Call', caller], ['Established Call', caller]]);
    const closed = (await r.api<{ items: MissedItem[] }>('GET', '/api/missed?status=closed')).body.items;
    expect(closed).toEqual([expect.objectContaining({ callId, status: 'closed', owner: ALICE.id, closedBy: ALICE.id })]);
    const calls = await callsWith(caller);
    expect(calls.find((c) => c.direction === 'out')).toMatchObject({ agent: ALICE.id, status: 'in_progress' });

    const late = await r.api<{ error: string; details: MissedItem }>('POST', `/api/missed/${callId}/callback`, { token: bob.token });
    expect(late.status).toBe(409);
    expect(late.body.error).toContain(ALICE.id);
    expect(late.body.details).toMatchObject({ owner: ALICE.id, closedBy: ALICE.id });
    await settle(bobsPhone);
    untouched(bobsPhone);
  });

  it('a failed dial keeps the ownership and says why', async () => {
    const phone = await deskPhone(ALICE, { confirmationPopup: true });
    const callId = await missedCall(newCaller());

    const taken = await r.api<{ missed: MissedItem; dial: Record<string, unknown> }>('POST', `/api/missed/${callId}/callback`, { token: alice.token });
    expect(taken.status).toBe(200);
    expect(taken.body.dial).toMatchObject({ status: 'failed', mac: '000B825E0001', error: 'phone_needs_confirmation', httpStatus: 409 });
    expect(String(taken.body.dial.reason)).toContain('Remote Control Pop up Window Support');
    await settle(phone);
    expect(phone.outbox.sent).toEqual([]);
    const claimed = (await r.api<{ items: MissedItem[] }>('GET', '/api/missed?status=claimed')).body.items;
    expect(claimed).toEqual([expect.objectContaining({ callId, owner: ALICE.id })]);
  });

  it('without phone control the call-back only takes ownership, and says so', async () => {
    const callId = await missedCall(newCaller());
    const taken = await r.api<{ missed: MissedItem; dial: Record<string, unknown> }>('POST', `/api/missed/${callId}/callback`, { token: bob.token });
    expect(taken.status).toBe(200);
    expect(taken.body.missed).toMatchObject({ owner: BOB.id, status: 'claimed' });
    expect(taken.body.dial).toMatchObject({ status: 'unavailable' });
    expect(String(taken.body.dial.reason)).toContain('PUT /api/devices/000B825E0002/control');
  });

  it("naming another agent's phone is refused before anything is taken", async () => {
    await deskPhone(BOB);
    const callId = await missedCall(newCaller());
    const refused = await r.api('POST', `/api/missed/${callId}/callback`, { token: alice.token, body: { mac: BOB.phone.mac } });
    expect(refused.status).toBe(403);
    expect((await r.api<{ items: MissedItem[] }>('GET', '/api/missed?status=open')).body.items).toEqual([expect.objectContaining({ callId, owner: null })]);
  });
});
