// The simulator serving a newcomer (issue 13): one agent's scenarios ring the seat's own agent (the
// one `npm start` signs in), the caller can give up while it rings, and the call-back scenario puts
// the phone's control settings back as they were. A real in-process Ringside, judged by its call
// log, its directory and what an agent UI receives.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE } from '../../../../tools/simulator/cast';
import { prepareDirectory } from '../../../../tools/simulator/directorySetup';
import { runScenario } from '../../../../tools/simulator/runScenario';
import { SCENARIOS } from '../../../../tools/simulator/scenarios';
import { SEAT_PHONE_MAC, seatTarget } from '../../../../tools/simulator/seat';
import { AgentClient, startTestRingside, type TestRingside } from '../../../support/ringside';
import { simulatorOptions } from './helpers';

let r: TestRingside;
const clients: AgentClient[] = [];
beforeEach(async () => {
  r = await startTestRingside({ agent: 'seat' });
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await r.stop();
});

async function openUi(agent: string): Promise<AgentClient> {
  const session = await r.api<{ token: string }>('POST', '/api/session', { body: { agent } });
  const client = await AgentClient.connect(r.instance.apiUrl, session.body.token);
  clients.push(client);
  return client;
}

interface ControlView { host: string | null; hostFromEvents: boolean; port: number; username: string; passwordSet: boolean }

async function aliceControl(): Promise<ControlView | undefined> {
  const res = await r.api<{ items: Array<{ mac: string; control: ControlView }> }>('GET', '/api/devices');
  return res.body.items.find((d) => d.mac === '000B825E0001')?.control;
}

describe('the simulator for a newcomer', () => {
  it("direct rings the seat's own agent: the seat's UI gets the card, no simulated agent is created", async () => {
    const options = simulatorOptions(r);
    const seat = await seatTarget(options.api, null);
    expect(seat).toMatchObject({ id: 'seat', inDirectory: true, phone: { mac: SEAT_PHONE_MAC } });
    const ui = await openUi('seat');

    const lines: string[] = [];
    const result = await runScenario(SCENARIOS.direct, { ...options, out: (l) => lines.push(l), seat });

    await ui.callMessage('call.ringing', result.caller.number);
    expect(result.calls).toEqual([expect.objectContaining({ status: 'answered', agent: 'seat' })]);
    expect(lines.filter((l) => l.startsWith('set-up:'))).toEqual([]);
    const agents = await r.api<{ items: Array<{ id: string; devices: string[] }> }>('GET', '/api/agents');
    expect(agents.body.items.map((a) => a.id)).toEqual(['seat']);
    // The simulated phone was paired with the seat's agent as a real unbound phone would be.
    expect(agents.body.items[0]!.devices).toEqual(['000B825E0000']);
  });

  it("rings the seat agent's own phone and extension when it has them", async () => {
    await r.api('POST', '/api/agents', { body: { id: 'seat', name: 'Sam Seat', extension: '240', devices: ['00:0B:82:12:34:56'] } });
    const seat = await seatTarget(simulatorOptions(r).api, null);
    expect(seat?.phone).toMatchObject({ mac: '00:0B:82:12:34:56', extension: '240' });

    const result = await runScenario(SCENARIOS.missed, { ...simulatorOptions(r), seat });

    expect(result.calls).toEqual([expect.objectContaining({ status: 'missed', line: 'direct' })]);
    const missed = await r.api<{ items: Array<{ remote: string; targets: string[] }> }>('GET', '/api/missed');
    expect(missed.body.items).toEqual([expect.objectContaining({ remote: result.caller.number, targets: ['seat'] })]);
  });

  it('cancel: the caller gives up while it rings; the card ends unanswered and the call is missed', async () => {
    const options = simulatorOptions(r);
    const seat = await seatTarget(options.api, null);
    const ui = await openUi('seat');

    const result = await runScenario(SCENARIOS.cancel, { ...options, seat });

    expect(result.sent.map((s) => s.label)).toEqual(['Incoming Call', 'Missed Call']);
    await ui.callMessage('call.ringing', result.caller.number);
    expect((await ui.callMessage('call.ended', result.caller.number)).outcome).toBe('unanswered');
    await ui.callMessage('call.missed', result.caller.number);
    expect(result.calls).toEqual([expect.objectContaining({ status: 'missed' })]);
  });

  it('callback puts back the control settings the phone had before', async () => {
    const options = { ...simulatorOptions(r), remoteAnswerMs: 0, talkMs: 0 };
    await prepareDirectory(options.api, SCENARIOS.callback, 'auto', () => undefined);
    const saved = await r.api('PUT', `/api/devices/${encodeURIComponent(ALICE.phone.mac)}/control`, { body: { host: 'alice-phone.example', port: 8080, username: 'admin' } });
    expect(saved.status).toBe(200);

    const lines: string[] = [];
    const result = await runScenario(SCENARIOS.callback, { ...options, out: (l) => lines.push(l) });

    expect(result.callBack?.dial.status).toBe('dialling');
    expect(await aliceControl()).toMatchObject({ host: 'alice-phone.example', hostFromEvents: false, port: 8080, username: 'admin', passwordSet: false });
  });
});
