import { ALICE, BOB, SIM_HELPLINE, type SimAgent } from './cast';
import type { PhoneEventLabel } from './firmwareTemplate';

/** One Action URL request: which agent's phone sends which event, for a call to which number. */
export interface ScenarioStep {
  agent: SimAgent;
  label: PhoneEventLabel;
  /** `$local`: the agent's extension for a direct call, the helpline number for a ring group. */
  local: string;
}

export interface Caller {
  number: string;
  /** '' when the caller has no name: the phone then sends `display_remote=$display_remote`. */
  name: string;
}

export interface Scenario {
  name: ScenarioName;
  summary: string;
  agents: readonly SimAgent[];
  helpline: boolean;
  callerName: string;
  steps: readonly ScenarioStep[];
  /** After the steps, this agent calls the missed call back through Ringside and their phone. */
  callBack?: SimAgent;
  /** One agent's call: on a single seat it rings the seat's own agent (or `--agent`) instead of Alice (scenarioFor). */
  forSeat?: boolean;
}

export const SCENARIO_NAMES = ['direct', 'ring-group', 'missed', 'cancel', 'transfer', 'callback'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

const on = (agent: SimAgent, label: PhoneEventLabel, local = agent.phone.extension): ScenarioStep => ({ agent, label, local });

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  direct: {
    name: 'direct',
    summary: `a call to Alice's extension ${ALICE.phone.extension}: it rings, she answers, the caller hangs up`,
    agents: [ALICE],
    helpline: false,
    // Raw UTF-8 and a space in the request line: the quirk Node's own HTTP parser rejects.
    callerName: 'José Núñez',
    steps: [on(ALICE, 'Incoming Call'), on(ALICE, 'Established Call'), on(ALICE, 'Terminated Call')],
    forSeat: true,
  },
  'ring-group': {
    name: 'ring-group',
    summary: `a call to the helpline ${SIM_HELPLINE.number} rings both phones; Alice answers, Bob's phone reports it missed`,
    agents: [ALICE, BOB],
    helpline: true,
    callerName: 'María Pérez',
    steps: [
      on(ALICE, 'Incoming Call', SIM_HELPLINE.number),
      on(BOB, 'Incoming Call', SIM_HELPLINE.number),
      on(ALICE, 'Established Call', SIM_HELPLINE.number),
      // Bob's phone stopped ringing without being answered: that is what it calls a missed call.
      on(BOB, 'Missed Call', SIM_HELPLINE.number),
      on(ALICE, 'Terminated Call', SIM_HELPLINE.number),
    ],
  },
  missed: {
    name: 'missed',
    summary: `a caller with no name rings Alice's extension and gives up before she answers`,
    agents: [ALICE],
    helpline: false,
    // No name: the phone leaves `$display_remote` in the URL literally.
    callerName: '',
    steps: [on(ALICE, 'Incoming Call'), on(ALICE, 'Missed Call')],
    forSeat: true,
  },
  cancel: {
    name: 'cancel',
    summary: `Lucía Fernández rings Alice's extension and gives up while it still rings: the phone reports a missed call`,
    agents: [ALICE],
    helpline: false,
    callerName: 'Lucía Fernández',
    // What a Grandstream sends when the caller hangs up before anyone answers (reference/grandstream.md): Missed Call.
    steps: [on(ALICE, 'Incoming Call'), on(ALICE, 'Missed Call')],
    forSeat: true,
  },
  transfer: {
    name: 'transfer',
    summary: `Alice answers a call, blind-transfers it to Bob's extension ${BOB.phone.extension}; Bob answers, then hangs up`,
    agents: [ALICE, BOB],
    helpline: false,
    callerName: 'Zoë Ørsted',
    steps: [
      on(ALICE, 'Incoming Call'),
      on(ALICE, 'Established Call'),
      on(ALICE, 'Blind Transfer'),
      // The transfer ends Alice's side of the call; the caller now rings at Bob's extension.
      on(ALICE, 'Terminated Call'),
      on(BOB, 'Incoming Call', BOB.phone.extension),
      on(BOB, 'Established Call', BOB.phone.extension),
      on(BOB, 'Terminated Call', BOB.phone.extension),
    ],
  },
  callback: {
    name: 'callback',
    summary: `Alice misses a call, then calls back from Ringside: her phone dials, the caller answers, the missed call closes`,
    agents: [ALICE],
    helpline: false,
    callerName: 'Ana Lima',
    steps: [on(ALICE, 'Incoming Call'), on(ALICE, 'Missed Call')],
    callBack: ALICE,
  },
};

/**
 * The scenario as it rings `seat` (the seat's own agent, or `--agent`) instead of Alice, when it is
 * one agent's call; others (two agents, or Alice's simulated phone control) are played as written.
 */
export function scenarioFor(scenario: Scenario, seat: SimAgent | null): Scenario {
  if (!seat || !scenario.forSeat) return scenario;
  const swap = (agent: SimAgent) => (agent.id === ALICE.id ? seat : agent);
  return {
    ...scenario,
    summary: scenario.summary.replaceAll(`Alice's extension ${ALICE.phone.extension}`, `${seat.name}'s phone (${seat.phone.extension})`)
      .replaceAll("Alice's extension", `${seat.name}'s phone`).replaceAll('Alice', seat.name),
    agents: scenario.agents.map(swap),
    steps: scenario.steps.map((step) => ({
      agent: swap(step.agent),
      label: step.label,
      local: step.agent.id === ALICE.id && step.local === ALICE.phone.extension ? seat.phone.extension : step.local,
    })),
  };
}

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}
