import type { AdminApi } from './AdminApi';
import { SIM_HELPLINE } from './cast';
import type { Scenario } from './scenarios';

/** `auto`: create what is missing (a newcomer's empty directory); `always`: (re)write it; `never`: leave the directory alone. */
export type SetupMode = 'auto' | 'always' | 'never';

/**
 * Makes the directory hold what the scenario's calls need: its agents with their phones' MACs
 * and extensions, and the helpline. Without them Ringside would give every call to the seat's
 * own agent, and the scenario would show nothing of routing. Says what it did.
 */
export async function prepareDirectory(api: AdminApi, scenario: Scenario, mode: SetupMode, out: (line: string) => void): Promise<void> {
  if (mode === 'never') return;
  const [agents, helplines] = await Promise.all([api.agentIds(), scenario.helpline ? api.helplineNumbers() : Promise.resolve(new Set<string>())]);
  const missingAgents = scenario.agents.filter((a) => !a.inDirectory && (mode === 'always' || !agents.has(a.id)));
  const needsHelpline = scenario.helpline && (mode === 'always' || !helplines.has(SIM_HELPLINE.number));
  for (const agent of missingAgents) {
    await api.request('POST', '/api/agents', { id: agent.id, name: agent.name, extension: agent.phone.extension, devices: [agent.phone.mac] });
    out(`set-up: agent ${agent.id} "${agent.name}", extension ${agent.phone.extension}, phone ${agent.phone.mac}`);
  }
  if (needsHelpline) {
    // Only the simulated agents: a helpline without a list would ring every agent of the account.
    const members = scenario.agents.map((a) => a.id);
    await api.request('POST', '/api/helplines', { number: SIM_HELPLINE.number, name: SIM_HELPLINE.name, agents: members });
    out(`set-up: helpline ${SIM_HELPLINE.number} "${SIM_HELPLINE.name}" ringing ${members.join(', ')}`);
  }
}
