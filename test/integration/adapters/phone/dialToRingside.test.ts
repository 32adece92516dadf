// Driving a simulated phone makes it report the call to a real in-process Ringside, as a desk phone would.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoggedCall } from '../../../../tools/simulator/AdminApi';
import { ALICE } from '../../../../tools/simulator/cast';
import type { LoginForm } from '../../../../tools/simulator/control/phoneAuth';
import type { SimulatedPhoneControl } from '../../../../tools/simulator/control/SimulatedPhoneControl';
import { GrandstreamPhoneClient } from '../../../../src/adapters/phone/GrandstreamPhoneClient';
import { startTestRingside, TEST_WEBHOOK_TOKEN, type TestRingside } from '../../../support/ringside';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../../unit/tools/simulator/controlHelpers';

let r: TestRingside;
beforeEach(async () => {
  r = await startTestRingside();
  await r.agent(ALICE.id, { name: ALICE.name, extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
});
afterEach(async () => {
  await closeAllPhones();
  await r.stop();
});

/** Alice's simulated phone, its Action URLs aimed at the test Ringside. */
async function alicesPhone(form: LoginForm, remoteAnswer: { afterMs: number } | 'never'): Promise<{ phone: SimulatedPhoneControl; client: GrandstreamPhoneClient }> {
  const webhook = new URL(r.instance.webhookUrl);
  const phone = await startPhone({ form, remoteAnswer, webhook: { host: webhook.hostname, port: Number(webhook.port), token: TEST_WEBHOOK_TOKEN } });
  return { phone, client: new GrandstreamPhoneClient({ host: phone.host, port: phone.port, password: PHONE_PASSWORD, timeoutMs: 2000 }) };
}

/** Waits for the phone's Action URLs to be acknowledged, then for Ringside to handle them. */
async function settle(phone: SimulatedPhoneControl): Promise<void> {
  await phone.outbox.flush();
  await r.settle();
  expect(phone.outbox.failures).toEqual([]);
}

async function callsWith(remote: string): Promise<LoggedCall[]> {
  const calls = await r.api<{ items: LoggedCall[] }>('GET', `/api/calls?remote=${encodeURIComponent(remote)}`);
  return calls.body.items;
}

describe.each<LoginForm>(['passcode', 'session'])('dialling through the phone (%s form)', (form) => {
  it('the phone reports outgoing, answered and hangup; the call log shows the answered call, then ended', async () => {
    const { phone, client } = await alicesPhone(form, { afterMs: 0 });
    const number = `+3491${String(Date.now() % 10_000_000).padStart(7, '0')}`;

    await client.dial(number, 0);
    await settle(phone);
    expect(phone.outbox.sent.map((e) => e.label)).toEqual(['Outgoing Call', 'Established Call']);
    const [during] = await callsWith(number);
    expect(during).toMatchObject({ direction: 'out', status: 'in_progress', agent: ALICE.id, remote: number, endedAt: null });

    await client.end();
    await settle(phone);
    const calls = await callsWith(number);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ direction: 'out', status: 'answered', agent: ALICE.id });
    expect(calls[0]!.endedAt).not.toBeNull();
  });
});

describe('answering and rejecting through the phone', () => {
  it('acceptcall on a ringing line reports answered to Ringside', async () => {
    const { phone, client } = await alicesPhone('session', 'never');
    phone.ring('+34913330001', 'Eva Sanz');
    await settle(phone);
    expect((await callsWith('+34913330001'))[0]).toMatchObject({ direction: 'in', status: 'ringing' });

    await client.accept();
    await settle(phone);
    expect((await callsWith('+34913330001'))[0]).toMatchObject({ direction: 'in', status: 'in_progress', agent: ALICE.id });
  });

  it('rejectcall reports the call rejected to Ringside', async () => {
    const { phone, client } = await alicesPhone('passcode', 'never');
    phone.ring('+34913330002', '');
    await settle(phone);

    await client.reject();
    await settle(phone);
    expect(phone.outbox.sent.map((e) => e.label)).toEqual(['Incoming Call', 'Rejected Call']);
    // A rejected call counts as unanswered once Ringside's missed-call grace has passed: move its clock.
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();
    const [call] = await callsWith('+34913330002');
    expect(call?.legs.map((l) => [l.agent, l.state])).toEqual([[ALICE.id, 'rejected']]);
    expect(call?.endedAt).not.toBeNull();
    expect(call?.status).not.toBe('answered');
  });
});
