// Each scenario played by simulated phones against a real in-process Ringside, judged by its call log.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, SIM_HELPLINE } from '../../../../tools/simulator/cast';
import { prepareDirectory } from '../../../../tools/simulator/directorySetup';
import { runScenario } from '../../../../tools/simulator/runScenario';
import { SCENARIOS } from '../../../../tools/simulator/scenarios';
import { AgentClient, startTestRingside, type TestRingside } from '../../../support/ringside';
import { simulatorOptions } from './helpers';

let r: TestRingside;
const clients: AgentClient[] = [];
beforeEach(async () => {
  r = await startTestRingside();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await r.stop();
});

/** An agent UI for an agent the simulator created, so Ringside counts the agent as available. */
async function openUi(agent: string): Promise<AgentClient> {
  const session = await r.api<{ token: string }>('POST', '/api/session', { body: { agent } });
  const client = await AgentClient.connect(r.instance.apiUrl, session.body.token);
  clients.push(client);
  return client;
}

describe('simulator scenarios', () => {
  it('direct: sets up the directory, then one answered call for Alice', async () => {
    const lines: string[] = [];
    const result = await runScenario(SCENARIOS.direct, simulatorOptions(r, lines));

    expect(lines).toContain(`set-up: agent ${ALICE.id} "${ALICE.name}", extension ${ALICE.phone.extension}, phone ${ALICE.phone.mac}`);
    expect(result.sent.map((s) => s.label)).toEqual(['Incoming Call', 'Established Call', 'Terminated Call']);
    expect(result.calls).toHaveLength(1);
    expect(result.calls[0]).toMatchObject({ status: 'answered', direction: 'in', agent: ALICE.id, line: 'direct', remote: result.caller.number });
    expect(lines.some((l) => l.includes(`call ${result.calls[0]!.id}: answered`))).toBe(true);
  });

  it('direct: a second run finds its agent and leaves the directory alone', async () => {
    await runScenario(SCENARIOS.direct, simulatorOptions(r));
    const lines: string[] = [];
    await runScenario(SCENARIOS.direct, simulatorOptions(r, lines));
    expect(lines.filter((l) => l.startsWith('set-up:'))).toEqual([]);
  });

  it('ring-group: one call on the helpline, answered on the first phone; the other agent is told', async () => {
    const setupLines: string[] = [];
    // Set the directory up first so both agents can be online (available) when the call rings.
    const options = simulatorOptions(r, setupLines);
    await prepareDirectory(options.api, SCENARIOS['ring-group'], 'auto', options.out);
    expect(setupLines).toContain(`set-up: helpline ${SIM_HELPLINE.number} "${SIM_HELPLINE.name}" ringing ${ALICE.id}, ${BOB.id}`);
    const alice = await openUi(ALICE.id);
    const bob = await openUi(BOB.id);

    const result = await runScenario(SCENARIOS['ring-group'], options);

    expect(result.calls).toHaveLength(1);
    expect(result.calls[0]).toMatchObject({ status: 'answered', agent: ALICE.id, line: 'helpline', helpline: SIM_HELPLINE.number });
    const dismissed = await bob.callMessage('call.dismissed', result.caller.number);
    expect(dismissed.answeredBy).toBe(ALICE.name);
    expect(alice.received('call.dismissed')).toHaveLength(0);
    const missed = await r.api<{ items: unknown[] }>('GET', '/api/missed');
    expect(missed.body.items).toEqual([]);
  });

  it('missed: one missed call once the grace delay has passed', async () => {
    const result = await runScenario(SCENARIOS.missed, simulatorOptions(r));

    expect(result.calls).toHaveLength(1);
    expect(result.calls[0]).toMatchObject({ status: 'missed', agent: null });
    const missed = await r.api<{ items: Array<{ remote: string; targets: string[] }> }>('GET', '/api/missed');
    expect(missed.body.items).toEqual([expect.objectContaining({ remote: result.caller.number, targets: [ALICE.id] })]);
  });

  it('transfer: one call with two legs, Alice then Bob after the transfer', async () => {
    const result = await runScenario(SCENARIOS.transfer, simulatorOptions(r));

    expect(result.calls).toHaveLength(1);
    const call = result.calls[0]!;
    expect(call).toMatchObject({ status: 'answered', agent: BOB.id, transferredFrom: ALICE.id });
    expect(call.legs.map((l) => [l.agent, l.transfer])).toEqual([[ALICE.id, false], [BOB.id, true]]);
  });

  it("callback: the missed call is called back through Alice's simulated phone and closed with who called back", async () => {
    const lines: string[] = [];
    const result = await runScenario(SCENARIOS.callback, { ...simulatorOptions(r, lines), remoteAnswerMs: 0, talkMs: 0 });

    expect(result.callBack?.dial.status).toBe('dialling');
    expect(result.callBack?.missed).toMatchObject({ remote: result.caller.number, status: 'closed', owner: ALICE.id, closedBy: ALICE.id });
    expect(lines).toContain(`  the missed call from ${result.caller.number} is closed: called back by ${ALICE.id}`);
    expect(lines.filter((l) => l.includes(`(${ALICE.phone.mac}): `)).map((l) => l.split(': ')[1]!.trim().split(/\s{2,}| \+/)[0])).toEqual(
      ['Incoming Call', 'Missed Call', 'Outgoing Call', 'Established Call', 'Terminated Call'],
    );
    const byDirection = new Map(result.calls.map((c) => [c.direction, c]));
    expect(byDirection.get('in')).toMatchObject({ status: 'missed' });
    expect(byDirection.get('out')).toMatchObject({ status: 'answered', agent: ALICE.id });
    // The simulated phone's control API is closed at the end: its settings are removed again, so
    // Ringside does not keep trying a closed port (a permanent "your phone does not answer").
    const control = await r.api<{ items: Array<{ mac: string; control: { host: string | null; hostFromEvents: boolean; passwordSet: boolean } }> }>('GET', '/api/devices');
    const after = control.body.items.find((d) => d.mac === '000B825E0001')?.control;
    expect(after?.passwordSet).toBe(false);
    expect(after?.host === null || after?.hostFromEvents).toBe(true);
    expect(lines).toContain(`  ${ALICE.phone.name}: control settings removed again (as before the scenario)`);
  });
});
