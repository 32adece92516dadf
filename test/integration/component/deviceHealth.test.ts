// Device health (issue 6): registration events and status polls of the phone while a call is up
// feed the `health` message. A real in-process Ringside, the simulated phone as the phone, no mocks.
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BOB } from '../../../tools/simulator/cast';
import type { SimulatedPhoneControl } from '../../../tools/simulator/control/SimulatedPhoneControl';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../unit/tools/simulator/controlHelpers';
import { startTestRingside, TEST_WEBHOOK_TOKEN, type AgentClient, type PushedMessage, type TestRingside } from '../../support/ringside';
import { newCaller } from './fixtures';

interface PhoneEntry { mac: string; state: string; polling: boolean; reachable: boolean | null; phoneStatus: string | null; error: string | null }
interface Summary { state: string; phones: number; registered: number; signedOff: number; unreachable: number }

const ALICE_MAC = '000B825E0001';
let r: TestRingside | null = null;

afterEach(async () => {
  await closeAllPhones();
  await r?.stop();
  r = null;
});

function phonesIn(m: PushedMessage): PhoneEntry[] {
  return (m.phones as PhoneEntry[] | undefined) ?? [];
}

/** The next health message, received after the `mark`, in which Alice's phone matches (`what`: how). */
function healthAfter(client: AgentClient, mark: number, what: string, match: (phone: PhoneEntry) => boolean): Promise<PushedMessage> {
  return client.next((m) => m.type === 'health' && phonesIn(m).some((p) => p.mac === ALICE_MAC && match(p)), `a health message with Alice's phone ${what}`, { since: mark });
}

async function sendEvent(ringside: TestRingside, event: string): Promise<void> {
  const res = await ringside.phone(event, { mac: ALICE.phone.mac, phone_ip: ALICE.phone.ip });
  expect(res.status).toBe(200);
  await ringside.settle();
}

async function start(): Promise<{ ringside: TestRingside; alice: AgentClient; bob: AgentClient }> {
  r = await startTestRingside({ agent: ALICE.id });
  const alice = await r.agent(ALICE.id, { name: ALICE.name, extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
  const bob = await r.agent(BOB.id, { name: BOB.name, extension: BOB.phone.extension, devices: [BOB.phone.mac] });
  return { ringside: r, alice, bob };
}

describe('device health', () => {
  it("a registered then an unregistered event reach the agent's health message; other agents see nothing of that phone", async () => {
    const { ringside, alice, bob } = await start();
    const first = alice.received('health')[0]!;
    expect(first.phone).toMatchObject({ state: 'unknown', phones: 1 });
    expect(phonesIn(first)).toEqual([expect.objectContaining({ mac: ALICE_MAC, state: 'unknown', polling: false })]);

    let mark = alice.mark();
    await sendEvent(ringside, 'registered');
    const registered = await healthAfter(alice, mark, 'registered', (p) => p.state === 'registered');
    expect(registered.phone).toEqual({ state: 'registered', phones: 1, registered: 1, signedOff: 0, unreachable: 0 } satisfies Summary);

    mark = alice.mark();
    await sendEvent(ringside, 'unregistered');
    const signedOff = await healthAfter(alice, mark, 'signed_off', (p) => p.state === 'signed_off');
    expect(signedOff.phone).toMatchObject({ state: 'signed_off', signedOff: 1, registered: 0 });

    mark = alice.mark();
    await sendEvent(ringside, 'boot');
    await healthAfter(alice, mark, 'booted', (p) => p.state === 'booted');

    // Bob's own messages never name Alice's phone.
    for (const m of bob.received('health')) expect(JSON.stringify(m)).not.toContain(ALICE_MAC);
    expect(phonesIn(bob.received('health').at(-1)!)).toEqual([expect.objectContaining({ mac: '000B825E0002', state: 'unknown' })]);
  });

  it('a phone with a call up is polled: stopped it turns unreachable, resumed reachable again; the hang-up stops the polling', async () => {
    const { ringside, alice } = await start();
    const webhook = new URL(ringside.instance.webhookUrl);
    const phone: SimulatedPhoneControl = await startPhone({
      identity: ALICE.phone, form: 'session', remoteAnswer: { afterMs: 0 },
      webhook: { host: '127.0.0.1', port: Number(webhook.port), token: TEST_WEBHOOK_TOKEN },
    });
    expect((await ringside.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: phone.host, port: phone.port, password: PHONE_PASSWORD } })).status).toBe(200);
    // No call up: nothing is polled.
    expect(await ringside.instance.pollPhones()).toBe(0);

    let mark = alice.mark();
    expect((await ringside.api('POST', '/api/phone/dial', { token: alice.token, body: { number: newCaller() } })).status).toBe(200);
    await phone.outbox.flush();
    await ringside.settle();
    expect(await ringside.instance.pollPhones()).toBe(1);
    const reachable = await healthAfter(alice, mark, 'reachable', (p) => p.state === 'reachable');
    expect(phonesIn(reachable)[0]).toMatchObject({ polling: true, reachable: true, phoneStatus: 'busy', error: null });

    mark = alice.mark();
    await phone.stop();
    expect(await ringside.instance.pollPhones()).toBe(1);
    const unreachable = await healthAfter(alice, mark, 'unreachable', (p) => p.state === 'unreachable');
    expect(unreachable.phone).toMatchObject({ state: 'unreachable', unreachable: 1 });
    expect(phonesIn(unreachable)[0]).toMatchObject({ reachable: false, phoneStatus: null, error: 'phone_unreachable' });

    mark = alice.mark();
    await phone.resume();
    expect(await ringside.instance.pollPhones()).toBe(1);
    await healthAfter(alice, mark, 'reachable again', (p) => p.state === 'reachable' && p.reachable === true);

    expect((await ringside.api('POST', '/api/phone/hangup', { token: alice.token })).status).toBe(200);
    await phone.outbox.flush();
    await ringside.settle();
    expect(phone.outbox.failures).toEqual([]);
    expect(await ringside.instance.pollPhones()).toBe(0);
  });

  it('a phone without control settings is never polled, even with a call up', async () => {
    const { ringside } = await start();
    const res = await ringside.phone('outgoing', { mac: ALICE.phone.mac, remote: newCaller(), local: '8101' });
    expect(res.status).toBe(200);
    await ringside.settle();
    // The call is up, but the first poll finds no control settings and stops watching the phone.
    await ringside.instance.pollPhones();
    expect(await ringside.instance.pollPhones()).toBe(0);
  });

  it('/healthz shows counts only: no MAC and no IP without a token', async () => {
    const { ringside } = await start();
    await sendEvent(ringside, 'registered');
    const anonymous = await ringside.api<Record<string, unknown>>('GET', '/healthz', { token: undefined });
    expect(anonymous.status).toBe(200);
    // Single seat: the seat agent's (Alice's) phone.
    expect(anonymous.body.phone).toEqual({ state: 'registered', phones: 1, registered: 1, signedOff: 0, unreachable: 0 } satisfies Summary);
    const text = JSON.stringify(anonymous.body);
    for (const secret of [ALICE_MAC, BOB.phone.mac.replaceAll(':', ''), ALICE.phone.mac, ALICE.phone.ip, '5E0001', '5E:00:01']) expect(text).not.toContain(secret);
    expect(anonymous.body).not.toHaveProperty('phones');
  });
});
