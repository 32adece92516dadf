// Provisioning through the agent API: a real in-process Ringside writes its Action URLs into a
// simulated phone, and the phone's next call reaches Ringside through the URLs it now holds.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB } from '../../../tools/simulator/cast';
import type { SimulatedPhoneControl } from '../../../tools/simulator/control/SimulatedPhoneControl';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../unit/tools/simulator/controlHelpers';
import { startTestRingside, type AgentClient, type TestRingside } from '../../support/ringside';
import { newCaller } from './fixtures';

interface Slot { pValue: string; outcome: string; url: string; found: string }
interface Report { slots: Slot[]; manualReason: string | null; dryRun: boolean }

const CRM_HOOK = 'http://crm.example/hook?caller=$remote';

let r: TestRingside;
let alice: AgentClient;

beforeEach(async () => {
  r = await startTestRingside({ publicHost: '127.0.0.1' });
  alice = await r.agent(ALICE.id, { name: ALICE.name, extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
});
afterEach(async () => {
  await closeAllPhones();
  await r.stop();
});

/** Alice's phone with no webhook of its own: it sends events only to the URLs in its slots. */
async function alicesPhone(): Promise<SimulatedPhoneControl> {
  const phone = await startPhone({ identity: ALICE.phone, form: 'session', remoteAnswer: 'never', configValues: { P8312: CRM_HOOK } });
  const saved = await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: phone.host, port: phone.port, password: PHONE_PASSWORD } });
  expect(saved.status).toBe(200);
  return phone;
}

describe('provisioning through the API', () => {
  it('lists the Action URL lines for the admin only (they carry the webhook token)', async () => {
    const listed = await r.api<{ host: string; port: number; urls: Array<{ pValue: string; url: string }> }>('GET', '/api/action-urls');
    expect(listed.status).toBe(200);
    expect(listed.body.host).toBe('127.0.0.1');
    expect(listed.body.port).toBe(Number(new URL(r.instance.webhookUrl).port));
    expect(listed.body.urls).toHaveLength(14);
    expect(listed.body.urls.find((u) => u.pValue === 'P8310')?.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${listed.body.port}/gs/.+/cti/incoming\\?`));

    expect((await r.api('GET', '/api/action-urls', { token: alice.token })).status).toBe(403);
    expect((await r.api('POST', `/api/devices/${ALICE.phone.mac}/provision`, { token: alice.token })).status).toBe(403);
  });

  it("writes the phone's empty slots, leaves the CRM's alone, and the next call arrives through them", async () => {
    const phone = await alicesPhone();

    const dry = await r.api<Report>('POST', `/api/devices/${ALICE.phone.mac}/provision`, { body: { dryRun: true } });
    expect(dry.body.dryRun).toBe(true);
    expect(phone.config.stats.written).toBe(0);

    const done = await r.api<Report>('POST', `/api/devices/${ALICE.phone.mac}/provision`);
    expect(done.status).toBe(200);
    const outcomes = new Map(done.body.slots.map((s) => [s.pValue, s.outcome]));
    expect(outcomes.get('P8312')).toBe('foreign');
    expect([...outcomes.values()].filter((o) => o === 'written')).toHaveLength(13);
    expect(phone.config.value('P8312')).toBe(CRM_HOOK);

    const caller = newCaller();
    phone.ring(caller, 'Carla Díaz');
    await phone.outbox.flush();
    expect(phone.outbox.failures).toEqual([]);
    const ringing = await alice.callMessage('call.ringing', caller);
    expect(ringing.call).toMatchObject({ remote: caller, remoteName: 'Carla Díaz' });

    expect((await r.api('POST', '/api/phone/answer', { token: alice.token, body: {} })).status).toBe(200);
    phone.hangUp();
    await phone.outbox.flush();
    await r.settle();
    const calls = await r.api<{ items: Array<{ status: string; agent: string | null }> }>('GET', `/api/calls?remote=${encodeURIComponent(caller)}`);
    expect(calls.body.items).toEqual([expect.objectContaining({ status: 'answered', agent: ALICE.id })]);
  });

  it('answers why it cannot provision a phone: unknown, or without control settings', async () => {
    const unknown = await r.api<{ error: string }>('POST', '/api/devices/00:0B:82:99:99:99/provision');
    expect(unknown).toMatchObject({ status: 404, body: { error: 'unknown_device' } });

    await r.agent(BOB.id, { name: BOB.name, extension: BOB.phone.extension, devices: [BOB.phone.mac] });
    const unset = await r.api<{ error: string }>('POST', `/api/devices/${BOB.phone.mac}/provision`);
    expect(unset).toMatchObject({ status: 409, body: { error: 'phone_not_configured' } });

    const bad = await r.api<{ error: string }>('POST', `/api/devices/${ALICE.phone.mac}/provision`, { body: { dryRun: 'yes' } });
    expect(bad.status).toBe(400);
  });
});
